"""Plain data types passed between the bank, the index, the graders and the interfaces."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Literal

from interviewer.text import reference_sentences

Status = Literal["covered", "partial", "missed", "wrong"]  # "wrong": stated falsely (human checklists)


@dataclass(frozen=True)
class Source:
    """Where a question came from: a document and the item's position in it."""

    file: str
    position: int

    def __str__(self) -> str:
        return f"{self.file}#{self.position}"


@dataclass(frozen=True)
class Question:
    """One interview question with everything needed to grade an answer to it."""

    id: str
    question: str
    reference: str
    key_points: tuple[str, ...]
    topics: tuple[str, ...]
    source: Source
    related: tuple[str, ...] = ()
    mistakes: tuple[str, ...] = ()
    title: str = ""

    def to_dict(self) -> dict:
        """The question as the plain mapping stored in the YAML bank."""
        data = {
            "id": self.id,
            "title": self.title,
            "question": self.question,
            "reference": self.reference,
            "key_points": list(self.key_points),
            "topics": list(self.topics),
            "source": {"file": self.source.file, "position": self.source.position},
            "related": list(self.related),
            "mistakes": list(self.mistakes),
        }
        if not self.title:
            del data["title"]
        return data

    @cached_property
    def reference_sentences(self) -> tuple[str, ...]:
        """The reference answer's prose statements (no formulas or headings), cut once for the index,
        the grader and the coach."""
        return tuple(reference_sentences(self.reference))


@dataclass(frozen=True)
class KeyPointResult:
    """How one key point fared in an answer."""

    text: str
    status: Status
    evidence: str = ""
    similarity: float = 0.0


@dataclass(frozen=True)
class MistakeFound:
    """A sentence of the answer that states a known wrong claim."""

    claim: str
    evidence: str
    similarity: float = 0.0


@dataclass(frozen=True)
class Grade:
    """The verdict on one answer: score, per-key-point checklist, mistakes and feedback."""

    question_id: str
    score: float
    grader: str
    key_points: tuple[KeyPointResult, ...]
    feedback: str
    reference: str
    mistakes: tuple[MistakeFound, ...] = ()
    notes: tuple[str, ...] = field(default=())
    model: str | None = None  # the LLM that graded, for grader "llm"
    raw_score: float | None = None  # the grader's score when SCORE is calibrated to the candidate's grades

    def to_dict(self) -> dict:
        """The grade as JSON-ready data."""
        data = asdict(self)
        data["key_points"] = [asdict(k) for k in self.key_points]
        data["mistakes"] = [asdict(m) for m in self.mistakes]
        data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Grade:
        """The grade to_dict made DATA from (an older version's too: fields it lacks get their defaults)."""
        return cls(
            question_id=data.get("question_id", ""), score=data["score"], grader=data.get("grader", ""),
            key_points=tuple(KeyPointResult(k.get("text", ""), k.get("status", "missed"),
                                            k.get("evidence", ""), k.get("similarity", 0.0))
                             for k in data.get("key_points", [])),
            feedback=data.get("feedback", ""), reference=data.get("reference", ""),
            mistakes=tuple(MistakeFound(m.get("claim", ""), m.get("evidence", ""), m.get("similarity", 0.0))
                           for m in data.get("mistakes", [])),
            notes=tuple(data.get("notes", [])), model=data.get("model"), raw_score=data.get("raw_score"))


@dataclass(frozen=True)
class Topic:
    """A topic of the bank's taxonomy, with words that signal it."""

    name: str
    description: str
    keywords: tuple[str, ...] = ()
    title: str = ""

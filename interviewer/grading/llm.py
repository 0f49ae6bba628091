"""The LLM grader: the grade prompt through a chat client, and the model's JSON checked and repaired."""

from __future__ import annotations

import re

from interviewer.embeddings import Embedder
from interviewer.grading.evidence import CUT, ZERO_WIDTH, answer_content, quotes_say_key_points
from interviewer.grading.offline import feedback as checklist_feedback
from interviewer.llm import ChatClient, LLMError
from interviewer.models import Grade, KeyPointResult, MistakeFound, Question
from interviewer.prompts import Prompt, fence_for, load_prompt
from interviewer.scoring import checklist_score, rounded_score

GRADER_NAME = "llm"
STATUSES = ("covered", "partial", "missed")
STATUS_WORDS = {
    "covered": "covered", "full": "covered", "fully covered": "covered", "complete": "covered",
    "yes": "covered", "present": "covered", "correct": "covered",
    "partial": "partial", "partially": "partial", "partially covered": "partial", "partly": "partial",
    "incomplete": "partial", "vague": "partial",
}
MAX_MISTAKES = 4
MAX_FEEDBACK_CHARS = 1500
QUOTE_MARKS = {**str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "`": "'"}), **ZERO_WIDTH}


class LLMGrader:
    """Grades with an LLM; the reply is validated against the question before it becomes a Grade.

    With an EMBEDDER, a key point's evidence must also say the key point (evidence.QUOTE_SAYS_KEY_POINT).
    """

    name = GRADER_NAME

    def __init__(self, client: ChatClient, strictness: str = "standard",
                 prompt: Prompt | None = None, embedder: Embedder | None = None) -> None:
        self.client = client
        self.prompt = prompt or load_prompt("grade")
        self.rules = self.prompt.text("strictness", strictness)
        self.embedder = embedder

    def grade(self, question: Question, answer: str) -> Grade:
        """The LLM's grade of ANSWER; LLMError when the server or its reply is unusable."""
        messages = self.prompt.render(
            question=question.question,
            reference=question.reference,
            key_points=numbered(question.key_points),
            strictness_rules=self.rules,
            fence=fence_for(answer),
            answer=answer,
        )
        reply = self.client.complete_json(messages, grade_schema(question), "grade")
        return grade_from_reply(question, answer, reply, self.client.model, self.embedder)


def numbered(items: tuple[str, ...]) -> str:
    """'1. first' lines."""
    return "\n".join(f"{n}. {text}" for n, text in enumerate(items, 1))


def grade_schema(question: Question) -> dict:
    """The JSON schema of a grade of this question: its key points by number, a score from 0 to 10."""
    count = len(question.key_points)
    quote = {"type": "string"}
    key_point = {
        "type": "object",
        "properties": {"key_point": {"type": "integer", "enum": list(range(1, count + 1))},
                       "status": {"type": "string", "enum": list(STATUSES)}, "evidence": quote},
        "required": ["key_point", "status", "evidence"],
        "additionalProperties": False,
    }
    mistake = {
        "type": "object",
        "properties": {"claim": {"type": "string"}, "evidence": quote},
        "required": ["claim", "evidence"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "key_points": {"type": "array", "items": key_point, "maxItems": count},
            "mistakes": {"type": "array", "items": mistake, "maxItems": MAX_MISTAKES},
            "score": {"type": "number", "minimum": 0, "maximum": 10},
            "feedback": {"type": "string"},
        },
        "required": ["key_points", "mistakes", "score", "feedback"],
        "additionalProperties": False,
    }


def grade_from_reply(question: Question, answer: str, reply: dict, model: str,
                     embedder: Embedder | None = None) -> Grade:
    """A Grade from the model's JSON, repaired where it can be and rejected (LLMError) where not.

    Key points come back in the question's order, missing ones as missed and unknown ones dropped;
    evidence that is not a quote of the answer's own statements (evidence.answer_content: not JSON, code
    or instructions to the grader) is dropped, and so, with an EMBEDDER, is a quote that does not say its
    key point; a key point left without evidence counts as missed. The score is clamped to 0-10 and
    capped by what the checklist supports.
    """
    if not isinstance(reply.get("key_points"), list) or not isinstance(reply.get("mistakes", []), list):
        raise LLMError("the reply did not match the schema")
    results = checklist(question, answer_content(answer), reply["key_points"])
    if embedder is not None:
        results = with_evidence_that_says_its_key_point(embedder, results)
    mistakes = found_mistakes(answer, reply.get("mistakes", []))
    score = min(model_score(reply.get("score")), checklist_ceiling(results))
    return Grade(
        question_id=question.id,
        score=rounded_score(score),
        grader=GRADER_NAME,
        key_points=tuple(results),
        feedback=clean_feedback(reply.get("feedback")) or checklist_feedback(results, mistakes),
        reference=question.reference,
        mistakes=tuple(mistakes),
        model=model,
    )


def model_score(value: object) -> float:
    """The model's score (clamped and rounded later, with the rest); anything but a number is rejected."""
    if isinstance(value, str):
        value = re.sub(r"\s*/\s*10\s*$", "", value.strip())
    try:
        score = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        score = float("nan")
    if score != score or score in (float("inf"), float("-inf")):
        raise LLMError("the reply's score was not a number")
    return score


def checklist(question: Question, answer: str, items: list) -> list[KeyPointResult]:
    """One result per key point of the question, in its order, from the model's items, each with a quote
    of ANSWER as its evidence or missed."""
    judged: dict[int, KeyPointResult] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        number = key_point_number(item.get("key_point"), question.key_points)
        if number is None or number in judged:
            continue
        text = question.key_points[number]
        status = normalise_status(item.get("status"))
        evidence = quote_from(answer, item.get("evidence")) if status != "missed" else ""
        judged[number] = KeyPointResult(text, status if evidence else "missed", evidence)
    return [judged.get(n, KeyPointResult(text, "missed")) for n, text in enumerate(question.key_points)]


def with_evidence_that_says_its_key_point(embedder: Embedder,
                                          results: list[KeyPointResult]) -> list[KeyPointResult]:
    """RESULTS with each key point whose evidence does not say it (in meaning) marked missed."""
    cited = [n for n, r in enumerate(results) if r.evidence]
    says = quotes_say_key_points(embedder, [(results[n].evidence, results[n].text) for n in cited])
    refused = {n for n, ok in zip(cited, says) if not ok}
    return [KeyPointResult(r.text, "missed") if n in refused else r for n, r in enumerate(results)]


def key_point_number(value: object, key_points: tuple[str, ...]) -> int | None:
    """The 0-based index a model's key-point reference means: its number, or its exact text."""
    if isinstance(value, str):
        stripped = value.strip().lstrip("#Kk").rstrip(".")
        if stripped.isdigit():
            value = int(stripped)
        else:
            folded = [fold(k).strip(" .") for k in key_points]
            wanted = fold(value).strip(" .")
            return folded.index(wanted) if wanted in folded else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(key_points):
        return value - 1
    return None


def normalise_status(value: object) -> str:
    """'covered', 'partial' or 'missed' from the model's word for it; anything unknown is missed."""
    word = fold(value) if isinstance(value, str) else ""
    return STATUS_WORDS.get(word.strip(" ."), "missed")


def fold(text: str) -> str:
    """Lower case with uniform quotes and single spaces, for comparing texts."""
    return " ".join(text.translate(QUOTE_MARKS).lower().split())


def quote_from(answer: str, evidence: object) -> str:
    """EVIDENCE without its quote marks if it is a quote from ANSWER (pieces around '...' each), else ''."""
    if not isinstance(evidence, str) or CUT in evidence:
        return ""
    cleaned = evidence.strip().strip("\"'“”‘’ ").strip()
    pieces = [fold(p).strip(" .,;:") for p in re.split(r"\.\.\.|…", cleaned)]
    pieces = [p for p in pieces if p]
    haystack = fold(answer)
    if not pieces or not all(p in haystack for p in pieces):
        return ""
    if sum(len(p.split()) for p in pieces) < 2 and fold(cleaned).strip(" .") != haystack.strip(" ."):
        return ""
    return cleaned


def found_mistakes(answer: str, items: list) -> list[MistakeFound]:
    """The model's mistakes that quote the answer, one per quote, at most MAX_MISTAKES."""
    found: dict[str, MistakeFound] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("claim"), str):
            continue
        evidence = quote_from(answer, item.get("evidence"))
        claim = " ".join(item["claim"].split())
        if evidence and claim and fold(evidence) not in found:
            found[fold(evidence)] = MistakeFound(claim, evidence)
    return list(found.values())[:MAX_MISTAKES]


def checklist_ceiling(results: list[KeyPointResult]) -> float:
    """The most the checklist supports: 10 times the mean credit (covered 1, partial 0.5)."""
    return checklist_score(r.status for r in results)


def clean_feedback(value: object) -> str:
    """The model's feedback as plain text of a sane length, or '' when it has no words."""
    if not isinstance(value, str) or len(re.findall(r"[^\W\d_]{2,}", value)) < 2:
        return ""
    text = value.strip()
    return text if len(text) <= MAX_FEEDBACK_CHARS else text[:MAX_FEEDBACK_CHARS].rsplit(" ", 1)[0] + " ..."

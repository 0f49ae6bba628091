"""Human-graded answer sets: the SAF and SemEval-2013 XML files, and the user's own JSONL."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from interviewer.errors import CorpusError, InterviewerError
from interviewer.models import Question, Source
from interviewer.scoring import STATUS_CREDIT
from interviewer.text import split_units, words

LABELS_3WAY = ("correct", "contradictory", "incorrect")
LABELS_2WAY = ("correct", "incorrect")
SAF_SPLITS = ("training", "unseen_answers")
SEMEVAL_SPLITS = {
    "sciEntsBank": ("training", "test-unseen-answers", "test-unseen-questions", "test-unseen-domains"),
    "beetle": ("training", "test-unseen-answers", "test-unseen-questions"),
}
DEFAULT_SPLIT = {"saf": "unseen_answers", "semeval-sciEntsBank": "test-unseen-answers",
                 "semeval-beetle": "test-unseen-answers"}
JSONL_REQUIRED = ("answer", "score", "max_score")
CHECKOUT = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """$INTERVIEWER_BENCHMARKS, else the shared benchmarks folder beside the checkout."""
    explicit = os.environ.get("INTERVIEWER_BENCHMARKS")
    return Path(explicit) if explicit else CHECKOUT.parent / "shared" / "benchmarks"


@dataclass(frozen=True)
class GradedAnswer:
    """One answer with its human grade, and the references it was graded against.

    `questions` holds one Question per acceptable reference answer (Beetle lists several);
    a grader's verdict is its best grade against any of them.
    """

    id: str
    questions: tuple[Question, ...]
    answer: str
    score: float
    max_score: float
    label: str | None = None
    fields: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Dataset:
    """A named list of graded answers; `labels` is set for datasets graded with labels."""

    name: str
    split: str
    items: tuple[GradedAnswer, ...]
    labels: tuple[str, ...] = ()

    @property
    def integer_scores(self) -> bool:
        return all(float(item.score).is_integer() for item in self.items)

    def head(self, count: int) -> Dataset:
        """The first COUNT answers, for a quick run."""
        return replace(self, items=self.items[:count])


def key_points_of(reference: str) -> tuple[str, ...]:
    """A reference answer's statements, used as key points when a dataset gives none."""
    units = [u for u in split_units(reference) if len(words(u)) >= 2]
    sentences = [u for u in units if not any(u != other and u in other for other in units)]
    return tuple(sentences) or (reference.strip(),)


def dataset_question(qid: str, question: str, reference: str, file: str,
                     key_points: tuple[str, ...] = ()) -> Question:
    return Question(id=qid, question=" ".join(question.split()), reference=reference.strip(),
                    key_points=key_points or key_points_of(reference), topics=(), source=Source(file, 0))


def parse_xml(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise CorpusError(f"{path}: not well-formed XML: {exc}") from exc


def text_of(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def load_saf(folder: Path, split: str) -> Dataset:
    """SAF (English): scores from 0 to 1, one reference answer per question."""
    files = sorted((folder / "saf" / split / "english").glob("*.xml"))
    items = []
    for path in files:
        root = parse_xml(path)
        reference = "\n".join(text_of(r) for r in root.iter("referenceAnswer"))
        question = dataset_question(f"SAF-{root.get('id')}", text_of(root.find("questionText")),
                                    reference, path.name)
        for answer in root.iter("studentAnswer"):
            score = float(text_of(answer.find("score")))
            text = text_of(answer.find("response"))
            label = text_of(answer.find("verification_feedback")).lower() or None
            items.append(GradedAnswer(answer.get("id", ""), (question,), text, score, 1.0, label,
                                      {"id": answer.get("id", ""), "question_id": question.id,
                                       "answer": text, "score": score, "max_score": 1.0}))
    return Dataset("saf", split, tuple(items))


def load_semeval(folder: Path, corpus: str, split: str, ways: int) -> Dataset:
    """SemEval-2013 task 7 (3-way labels), folded to correct/incorrect when WAYS is 2."""
    sub = "training/3way" if split == "training" else f"test/3way/{corpus}/{split}"
    files = sorted((folder / "semeval2013" / sub / ("" if split != "training" else corpus)).glob("*.xml"))
    items = []
    for path in files:
        root = parse_xml(path)
        prompt = text_of(root.find("questionText"))
        references = [r for r in root.iter("referenceAnswer") if r.get("category") != "KEYWORD"]
        questions = tuple(
            dataset_question(f"{corpus}-{root.get('id')}", prompt, text_of(r), path.name)
            for r in references
        )
        for answer in root.iter("studentAnswer"):
            label = answer.get("accuracy", "")
            if label not in LABELS_3WAY:
                raise CorpusError(f"{path}: answer {answer.get('id')}: unknown accuracy '{label}'")
            if ways == 2 and label != "correct":
                label = "incorrect"
            score = 1.0 if label == "correct" else 0.0
            text = text_of(answer)
            items.append(GradedAnswer(answer.get("id", ""), questions, text, score, 1.0, label,
                                      {"id": answer.get("id", ""), "question_id": questions[0].id,
                                       "answer": text, "label": label, "score": score, "max_score": 1.0}))
    return Dataset(f"semeval-{corpus}", split, tuple(items), LABELS_2WAY if ways == 2 else LABELS_3WAY)


def load_jsonl(path: Path, lookup: Callable[[str], Question] | None, split: str | None = None) -> Dataset:
    """Graded answers, one JSON object a line: question, reference, answer, score, max_score,
    and optionally key_points, or a question_id of the bank instead of question and reference.
    With SPLIT, only the rows whose 'split' field equals it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from exc
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(jsonl_item(json.loads(line), lookup, f"{path.name}#{number}"))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path}:{number}: not valid JSON: {exc.msg}") from exc
        except InterviewerError as exc:
            raise CorpusError(f"{path}:{number}: {exc}") from exc
    if split is not None:
        items = [item for item in items if item.fields.get("split") == split]
    if not items:
        raise CorpusError(f"{path}: no graded answers" + (f" with split '{split}'" if split else ""))
    return Dataset(path.stem, split or "all", tuple(items))


def jsonl_item(row: object, lookup: Callable[[str], Question] | None, where: str) -> GradedAnswer:
    if not isinstance(row, dict):
        raise CorpusError("expected a JSON object")
    missing = [name for name in JSONL_REQUIRED if name not in row]
    if missing:
        raise CorpusError(f"missing field '{missing[0]}'")
    if not isinstance(row["answer"], str):
        raise CorpusError("field 'answer' must be a string")
    score, max_score = number(row, "score"), number(row, "max_score")
    if max_score <= 0 or not 0 <= score <= max_score:
        raise CorpusError(f"score {score} is not between 0 and max_score {max_score}")
    if "question_id" in row and "question" not in row:
        if lookup is None:
            raise CorpusError("field 'question_id' needs a question bank")
        question = lookup(str(row["question_id"]))
    else:
        for name in ("question", "reference"):
            if not isinstance(row.get(name), str) or not row[name].strip():
                raise CorpusError(f"missing field '{name}' (or give a 'question_id' of the bank)")
        key_points = row.get("key_points", [])
        if not isinstance(key_points, list) or not all(isinstance(k, str) and k.strip() for k in key_points):
            raise CorpusError("field 'key_points' must be a list of non-empty strings")
        question = dataset_question(str(row.get("question_id", where)), row["question"], row["reference"],
                                    where, tuple(k.strip() for k in key_points))
    check_checklist(row, question)
    return GradedAnswer(str(row.get("id", where)), (question,), row["answer"], score, max_score,
                        fields=dict(row))


def check_checklist(row: dict, question: Question) -> None:
    """An optional `checklist` holds one {key_point, status} per key point of the question, in its order
    (a key_point given must be the question's, word for word); optional `wrong_statements` is a list of
    quotes of the answer."""
    checklist = row.get("checklist")
    if checklist is not None:
        if not isinstance(checklist, list) or not all(isinstance(e, dict) for e in checklist):
            raise CorpusError("field 'checklist' must be a list of {\"key_point\", \"status\"} objects")
        if len(checklist) != len(question.key_points):
            raise CorpusError(f"field 'checklist' has {len(checklist)} entries; question {question.id} has "
                              f"{len(question.key_points)} key points")
        for number, (entry, point) in enumerate(zip(checklist, question.key_points), start=1):
            if entry.get("status") not in STATUS_CREDIT:
                raise CorpusError(f"checklist entry {number}: status must be one of "
                                  f"{', '.join(STATUS_CREDIT)}, not {json.dumps(entry.get('status'))}")
            if "key_point" in entry and entry["key_point"] != point:
                given = json.dumps(entry["key_point"])[:60]
                raise CorpusError(f"checklist entry {number}: key point {given} is not key point {number} "
                                  f"of question {question.id}; update the checklist")
    wrong = row.get("wrong_statements")
    if wrong is not None and not (isinstance(wrong, list) and all(isinstance(w, str) for w in wrong)):
        raise CorpusError("field 'wrong_statements' must be a list of strings")


def number(row: dict, name: str) -> float:
    value = row[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CorpusError(f"field '{name}' must be a number, not {json.dumps(value)}")
    return float(value)


def load_dataset(name: str, data_dir: Path, split: str | None = None, ways: int = 2,
                 lookup: Callable[[str], Question] | None = None) -> Dataset:
    """A benchmark by name ('saf', 'semeval-sciEntsBank', 'semeval-beetle') or a JSONL file by path."""
    if name == "saf":
        split = split or DEFAULT_SPLIT[name]
        check_split(name, split, SAF_SPLITS)
        return require_items(load_saf(data_dir, split), data_dir)
    if name.startswith("semeval-") and name[len("semeval-"):] in SEMEVAL_SPLITS:
        corpus = name[len("semeval-"):]
        split = split or DEFAULT_SPLIT[name]
        check_split(name, split, SEMEVAL_SPLITS[corpus])
        return require_items(load_semeval(data_dir, corpus, split, ways), data_dir)
    path = Path(name)
    if path.is_file():
        return load_jsonl(path, lookup, split)
    raise InterviewerError(
        f"unknown dataset '{name}': give saf, semeval-sciEntsBank, semeval-beetle or a JSONL file path"
    )


def check_split(name: str, split: str, known: tuple[str, ...]) -> None:
    if split not in known:
        raise InterviewerError(f"{name} has no split '{split}'; its splits: {', '.join(known)}")


def require_items(dataset: Dataset, data_dir: Path) -> Dataset:
    if not dataset.items:
        raise InterviewerError(
            f"no {dataset.name} files for split '{dataset.split}' under {data_dir}; "
            "point --data-dir at the folder that holds saf/ and semeval2013/"
        )
    return dataset

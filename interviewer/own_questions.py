"""Import a user's own questions (YAML, Markdown, CSV/TSV, Anki text) into own-questions.yaml in the data
folder, each row validated as a bank entry is: a bad row is reported as FILE:LINE: problem, the rest kept."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from interviewer.corpus import Bank, dump_questions, load_file, parse_entry
from interviewer.errors import CorpusError
from interviewer.files import write_atomically
from interviewer.ingest.key_points import is_formula, split_sentences
from interviewer.ingest.own_formats import Row, read_rows
from interviewer.ingest.topics import assign_topics
from interviewer.models import Question
from interviewer.yaml_files import BANK_FILE, PlacedDict, PlacedList, describe, line_of, read_yaml

ID_PREFIX = "OWN-"
DRAFTED_POINTS = 5  # the answer's first sentences drafted as key points when a row gives none


@dataclass
class Imported:
    """What the files held: good questions, 'FILE:LINE: problem' lines, notes, and drafted questions."""

    questions: list[Question] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    drafted: set[str] = field(default_factory=set)  # ids whose key points were drafted from the answer


def own_id(question: str) -> str:
    """A stable id for a question: OWN- and a hash of its text, so importing it again updates it."""
    text = " ".join(question.split()).casefold()
    return ID_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:8]


def draft_key_points(answer: str) -> list[str]:
    """Up to DRAFTED_POINTS key points: the answer's sentences, formulas left out."""
    sentences = split_sentences(" ".join(answer.split()))
    return [s for s in sentences if not is_formula(s)][:DRAFTED_POINTS]


def placed_entry(row: Row, path: Path) -> PlacedDict:
    """A bank entry for ROW, every field placed at the row's line."""
    entry = PlacedDict(row.line)
    entry.update(id=own_id(row.question), question=row.question, reference=row.answer,
                 source={"file": path.name, "position": row.line})
    if row.key_points:
        entry["key_points"] = PlacedList(row.key_points, row.line, [row.line] * len(row.key_points))
    if row.topics:
        entry["topics"] = PlacedList(row.topics, row.line, [row.line] * len(row.topics))
    return entry


def yaml_entries(path: Path) -> list[PlacedDict | object]:
    """The entries of a YAML file in the bank's format."""
    data = read_yaml(path, what=BANK_FILE)
    if data is None:
        return []
    if not isinstance(data, PlacedList):
        raise CorpusError(f"{path}:{line_of(data)}: expected a list of questions, not {describe(data)}")
    for entry, line in zip(data, data.lines):
        if isinstance(entry, PlacedDict) and isinstance(entry.get("question"), str):
            entry.setdefault("id", own_id(entry["question"]))
            entry.setdefault("source", {"file": path.name, "position": line})
    return list(data)


def completed(entry: PlacedDict, bank: Bank, result: Imported) -> None:
    """Fill in ENTRY's missing key points (drafted from the answer) and topics (by keyword)."""
    question, answer = str(entry.get("question") or ""), str(entry.get("reference") or "")
    if "reference" in entry and not answer.strip():
        raise CorpusError("the answer is empty: give the question's reference answer")
    if "key_points" not in entry and answer.strip():
        points = draft_key_points(answer)
        entry["key_points"] = PlacedList(points, entry.line, [entry.line] * len(points))
        if len(points) < 2:
            raise CorpusError(f"the answer has {len(points)} sentence(s) to draft key points from; give "
                              "2 to 8 key points")
        result.drafted.add(str(entry.get("id")))
    if "topics" not in entry:
        topics = assign_topics(question, answer, list(bank.taxonomy))
        entry["topics"] = PlacedList(topics, entry.line, [entry.line] * len(topics))


def read_questions(path: Path, bank: Bank) -> Imported:
    """The questions of one file, validated against BANK's taxonomy; rows already in BANK are noted."""
    result = Imported()
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            entries = yaml_entries(path)
            lines = [line_of(e) for e in entries]
        else:
            rows = read_rows(path, path.read_text(encoding="utf-8-sig"))
            entries = [row.problem or placed_entry(row, path) for row in rows]
            lines = [row.line for row in rows]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        result.errors.append(f"{path}: cannot read: {exc}")
        return result
    except CorpusError as exc:
        result.errors.append(str(exc))
        return result
    names = set(bank.topic_names())
    for number, (entry, line) in enumerate(zip(entries, lines), start=1):
        if isinstance(entry, str):
            result.errors.append(f"{path}:{line}: {entry}")
            continue
        try:
            if isinstance(entry, PlacedDict):
                completed(entry, bank, result)
            question = parse_entry(entry, path, names, number, line)
        except CorpusError as exc:
            message = str(exc)
            result.errors.append(message if message.startswith(f"{path}:") else f"{path}:{line}: {message}")
            continue
        kept(question, bank, result, f"{path}:{line}")
    return result


def kept(question: Question, bank: Bank, result: Imported, where: str) -> None:
    """Keep QUESTION unless BANK has it: its id (an error) or its text (a note)."""
    same = next((q for q in bank.questions if same_text(q) == same_text(question)), None)
    if same is not None:
        result.notes.append(f"{where}: already in the bank as {same.id}; skipped")
    elif any(q.id.lower() == question.id.lower() for q in bank.questions):
        result.errors.append(f"{where}: id {question.id} is already in the bank; give another id")
    elif unknown := [r for r in question.related if r.lower() not in {q.id.lower() for q in bank.questions}]:
        result.errors.append(f"{where}: related id {unknown[0]} not found in the bank")
    else:
        result.questions.append(question)


def load_own(path: Path, bank: Bank) -> list[Question]:
    """The questions already imported into PATH (none if it does not exist)."""
    if not path.is_file():
        return []
    return [placed.question for placed in load_file(path, set(bank.topic_names()))]


def same_text(question: Question) -> str:
    """The question's text as compared for duplicates: spacing and case left out."""
    return " ".join(question.question.split()).casefold()


def with_known_ids(read: Imported, existing: list[Question]) -> None:
    """Give READ's questions the id of an EXISTING question with the same text: a Markdown export read
    back carries no ids, and importing it again must update, not duplicate."""
    id_of_text = {same_text(q): q.id for q in existing}
    for k, question in enumerate(read.questions):
        known = id_of_text.get(same_text(question), question.id)
        if known != question.id:
            read.drafted |= {known} if question.id in read.drafted else set()
            read.questions[k] = replace(question, id=known)


def merged(existing: list[Question], new: list[Question]) -> tuple[list[Question], int, int]:
    """EXISTING with NEW added or replacing the question of the same id; how many were added and updated."""
    by_id = {q.id.lower(): q for q in existing}
    added = updated = 0
    for question in new:
        old = by_id.get(question.id.lower())
        if old is not None and replace(old, source=question.source) == question:
            continue  # the same question read from another file
        added += old is None
        updated += old is not None
        by_id[question.id.lower()] = question
    return list(by_id.values()), added, updated


def write_questions(path: Path, text: str) -> None:
    """Write the own questions' YAML atomically; a CorpusError naming PATH when it cannot be written."""
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise CorpusError(f"{path}: cannot write your questions: {exc.strerror or exc}") from exc



@dataclass
class ImportReport:
    """What an import did: the files' questions, problems and notes, and the counts written."""

    read: Imported
    added: int
    updated: int
    path: Path


def import_questions(paths: list[Path], bank: Bank, own_path: Path) -> ImportReport:
    """Read PATHS against BANK (the configured bank, without own questions) and add their good questions to
    OWN_PATH, written atomically; a question imported again replaces itself."""
    read = Imported()
    for path in paths:
        one = read_questions(Path(path), bank)
        read.questions += one.questions
        read.errors += one.errors
        read.notes += one.notes
        read.drafted |= one.drafted
    existing = load_own(own_path, bank)
    with_known_ids(read, existing)
    questions, added, updated = merged(existing, read.questions)
    if added or updated:
        write_questions(own_path, dump_questions(questions))
    return ImportReport(read, added, updated, own_path)

"""Load, validate and write the YAML question bank and its topic taxonomy."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from interviewer.errors import CorpusError
from interviewer.models import Question, Source, Topic
from interviewer.yaml_files import BANK_FILE, PlacedDict, PlacedList, describe, line_of, read_yaml

TAXONOMY_FILE = "taxonomy.yaml"
OWN_FILE = "own-questions.yaml"  # the user's imported questions, in the data folder
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{1,40}$")
REQUIRED = ("id", "question", "reference", "key_points", "topics", "source")
OPTIONAL = ("title", "related", "mistakes")
KEY_POINTS_RANGE = (2, 8)
TOPICS_RANGE = (1, 3)
MISTAKES_RANGE = (0, 4)


@dataclass(frozen=True)
class Bank:
    """All questions of a bank folder, its taxonomy, and a hash of its content."""

    folder: Path
    questions: tuple[Question, ...]
    taxonomy: tuple[Topic, ...]
    content_hash: str

    def get(self, question_id: str) -> Question:
        """The question with this id (in any case), or a CorpusError naming the id."""
        question = self._by_id.get(question_id.lower())
        if question is None:
            raise CorpusError(f"no question with id {question_id!r} in {self.folder}")
        return question

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        """The questions by lower-case id (the first of a repeated one, as a scan in order finds it)."""
        found: dict[str, Question] = {}
        for question in self.questions:
            found.setdefault(question.id.lower(), question)
        return found

    def topic_names(self) -> list[str]:
        """The taxonomy's topic names, in file order."""
        return [topic.name for topic in self.taxonomy]


@dataclass(frozen=True)
class Placed:
    """A question and where its entry is: the bank file, the entry's line and the line of each field."""

    question: Question
    path: Path
    line: int
    field_lines: Mapping[Any, int]

    def at(self, field: str = "") -> str:
        """'FILE:LINE' of the entry, or of one of its fields."""
        return f"{self.path}:{self.field_lines.get(field, self.line)}"


def load_taxonomy(folder: Path) -> tuple[Topic, ...]:
    """The topics of FOLDER/taxonomy.yaml."""
    path = folder / TAXONOMY_FILE
    if not path.is_file():
        raise CorpusError(f"{path}: missing; a bank folder needs a taxonomy of topics")
    data = read_yaml(path, what=BANK_FILE)
    if not isinstance(data, PlacedDict) or not data:
        raise CorpusError(f"{path}:{line_of(data)}: expected a mapping of topic names to their descriptions, "
                          f"not {describe(data)}")
    return tuple(parse_topic(name, entry, f"{path}:{data.line_of(name)}") for name, entry in data.items())


def parse_topic(name: Any, entry: Any, where: str) -> Topic:
    """One topic of the taxonomy: a mapping with a 'description' and optional 'keywords' and 'title'."""
    if not isinstance(entry, PlacedDict) or not isinstance(entry.get("description"), str):
        raise CorpusError(f"{where}: topic {name!r} needs a 'description' string")
    keywords = entry.get("keywords") or []
    title = entry.get("title") or str(name)
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise CorpusError(f"{where}: topic {name!r}: 'keywords' must be a list of strings")
    if not isinstance(title, str):
        raise CorpusError(f"{where}: topic {name!r}: 'title' must be text, not {describe(title)}")
    return Topic(str(name), entry["description"], tuple(keywords), title)


class EntryErrors:
    """Builds the one-line error of one bank entry: 'FILE:LINE: entry ID: problem'."""

    def __init__(self, entry: PlacedDict, path: Path, number: int) -> None:
        self.entry, self.path = entry, path
        given = entry.get("id")
        self.name = given if isinstance(given, str) and ID_PATTERN.fullmatch(given) else f"#{number}"

    def __call__(self, field: str, problem: str, line: int | None = None) -> CorpusError:
        return CorpusError(f"{self.path}:{line or self.entry.line_of(field)}: entry {self.name}: {problem}")


def _text(entry: PlacedDict, field: str, error: EntryErrors) -> str:
    value = entry[field]
    if not isinstance(value, str) or not value.strip():
        raise error(field, f"'{field}' must be non-empty text, not {describe(value)}")
    return value.strip()


def _string_list(entry: PlacedDict, field: str, bounds: tuple[int, int],
                 error: EntryErrors) -> tuple[str, ...]:
    if field not in entry:
        return ()  # an optional list left out
    value, (low, high) = entry[field], bounds
    if not isinstance(value, PlacedList):
        raise error(field, f"'{field}' must be a list of non-empty strings, not {describe(value)}")
    bad = [n for n, item in enumerate(value) if not isinstance(item, str) or not item.strip()]
    if bad:
        raise error(field, f"item {bad[0] + 1} of '{field}' is {describe(value[bad[0]])}, not non-empty text",
                    value.lines[bad[0]])
    if not low <= len(value) <= high:
        raise error(field, f"'{field}' has {len(value)} items; expected {low} to {high}")
    return tuple(v.strip() for v in value)


def _source(entry: PlacedDict, error: EntryErrors) -> Source:
    source = entry["source"]
    if isinstance(source, dict) and isinstance(source.get("file"), str):
        position = source.get("position", 0)
        if isinstance(position, int) and not isinstance(position, bool):
            return Source(source["file"], position)
    raise error("source", "'source' must be a mapping with 'file' and integer 'position'")


def parse_entry(entry: Any, path: Path, topic_names: set[str], number: int, line: int) -> Question:
    """Validate the NUMBERth entry of a bank file, at LINE, and turn it into a Question."""
    if not isinstance(entry, PlacedDict):
        raise CorpusError(f"{path}:{line}: entry #{number} is {describe(entry)}, not a mapping of "
                          f"fields ({', '.join(REQUIRED)}, ...)")
    error = EntryErrors(entry, path, number)
    missing = [f for f in REQUIRED if f not in entry]
    if missing:
        raise error("", f"missing field '{missing[0]}'")
    unknown = [key for key in entry if key not in REQUIRED + OPTIONAL]
    if unknown:
        raise error(unknown[0], f"unknown field {str(unknown[0])!r}")
    if not isinstance(entry["id"], str) or not ID_PATTERN.fullmatch(entry["id"]):
        raise error("id", "'id' must be 2 to 41 letters, digits, '-', '_' or '.', starting with a letter")
    title = entry.get("title") or ""
    if not isinstance(title, str):
        raise error("title", f"'title' must be text, not {describe(title)}")
    topics = _string_list(entry, "topics", TOPICS_RANGE, error)
    unknown_topics = [t for t in topics if t not in topic_names]
    if unknown_topics:
        raise error("topics", f"topic '{unknown_topics[0]}' is not in {TAXONOMY_FILE}")
    return Question(
        id=entry["id"],
        title=title,
        question=_text(entry, "question", error),
        reference=_text(entry, "reference", error),
        key_points=_string_list(entry, "key_points", KEY_POINTS_RANGE, error),
        topics=topics,
        source=_source(entry, error),
        related=_string_list(entry, "related", (0, 10), error),
        mistakes=_string_list(entry, "mistakes", MISTAKES_RANGE, error),
    )


def load_file(path: Path, topic_names: set[str]) -> list[Placed]:
    """The validated questions of one bank file, each with where its entry is."""
    data = read_yaml(path, what=BANK_FILE)
    if data is None:
        return []
    if not isinstance(data, PlacedList):
        raise CorpusError(f"{path}:{line_of(data)}: expected a list of questions at the top level, "
                          f"not {describe(data)}")
    return [Placed(parse_entry(entry, path, topic_names, number, line), path, line, entry.lines)
            for number, (entry, line) in enumerate(zip(data, data.lines), start=1)]


def bank_files(folder: Path) -> list[Path]:
    """The bank's question files: every *.yaml in the folder but the taxonomy."""
    return sorted(p for p in folder.glob("*.yaml") if p.name != TAXONOMY_FILE)


def content_hash(paths: list[Path]) -> str:
    """A hash of the files' names and bytes: it changes with any edit."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def check_links(placed: list[Placed]) -> None:
    """Ids are unique and every 'related' id exists; an error names the YAML file and line."""
    first: dict[str, Placed] = {}
    for entry in placed:
        key = entry.question.id.lower()
        if key in first:
            raise CorpusError(f"{entry.at('id')}: duplicate id {entry.question.id}, also defined at "
                              f"{first[key].at('id')}")
        first[key] = entry
    for entry in placed:
        for other in entry.question.related:
            if other.lower() not in first:
                raise CorpusError(f"{entry.at('related')}: entry {entry.question.id}: related id {other} "
                                  "not found in the bank")


def load_bank(folder: Path, own: Path | None = None) -> Bank:
    """Load and validate every question file of a bank folder, and the user's own questions file OWN
    when it exists: they are one bank, whose content hash changes with either."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: no such bank folder")
    taxonomy = load_taxonomy(folder)
    names = {topic.name for topic in taxonomy}
    files = bank_files(folder)
    if not files:
        raise CorpusError(f"{folder}: no question files (*.yaml); run 'interviewer ingest' first")
    if own is not None and Path(own).is_file():
        files = [*files, Path(own)]
    placed = [entry for path in files for entry in load_file(path, names)]
    check_links(placed)
    digest = content_hash([folder / TAXONOMY_FILE, *files])
    return Bank(folder, tuple(entry.question for entry in placed), taxonomy, digest)


class BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks so references stay readable."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


BlockDumper.add_representer(str, _str_representer)


def dump_questions(questions: list[Question]) -> str:
    """The questions as bank YAML."""
    return yaml.dump(
        [q.to_dict() for q in questions],
        Dumper=BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )

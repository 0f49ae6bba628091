"""Load, validate and write the YAML question bank and its topic taxonomy."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from interviewer.errors import CorpusError
from interviewer.models import Question, Source, Topic

TAXONOMY_FILE = "taxonomy.yaml"
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
        """The question with this id, or a CorpusError naming the id."""
        for question in self.questions:
            if question.id.lower() == question_id.lower():
                return question
        raise CorpusError(f"no question with id {question_id!r} in {self.folder}")

    def topic_names(self) -> list[str]:
        """The taxonomy's topic names, in file order."""
        return [topic.name for topic in self.taxonomy]


class LineLoader(yaml.SafeLoader):
    """A YAML loader that records the line of every mapping as '__line__'."""


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning syntax errors into 'file:line: problem'."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else "?"
        raise CorpusError(f"{path}:{line}: invalid YAML: {exc.problem}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc


def load_taxonomy(folder: Path) -> tuple[Topic, ...]:
    """The topics of FOLDER/taxonomy.yaml."""
    path = folder / TAXONOMY_FILE
    if not path.is_file():
        raise CorpusError(f"{path}: missing; a bank folder needs a taxonomy of topics")
    data = read_yaml(path)
    if not isinstance(data, dict) or len(data) <= 1:
        raise CorpusError(f"{path}: expected a mapping of topic names to their descriptions")
    topics = []
    for name, entry in data.items():
        if name == "__line__":
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("description"), str):
            line = entry.get("__line__", "?") if isinstance(entry, dict) else "?"
            raise CorpusError(f"{path}:{line}: topic {name!r} needs a 'description' string")
        keywords = entry.get("keywords") or []
        topics.append(Topic(str(name), entry["description"], tuple(str(k) for k in keywords),
                            str(entry.get("title") or name)))
    return tuple(topics)


def _string_list(entry: dict, field: str, bounds: tuple[int, int], where: str) -> tuple[str, ...]:
    value = entry.get(field, [])
    low, high = bounds
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CorpusError(f"{where}: '{field}' must be a list of non-empty strings")
    if not low <= len(value) <= high:
        raise CorpusError(f"{where}: '{field}' has {len(value)} items; expected {low} to {high}")
    return tuple(v.strip() for v in value)


def _source(entry: dict, path: Path, where: str) -> Source:
    source = entry["source"]
    if isinstance(source, dict) and isinstance(source.get("file"), str):
        position = source.get("position", 0)
        if isinstance(position, int):
            return Source(source["file"], position)
    raise CorpusError(f"{where}: 'source' must be a mapping with 'file' and integer 'position'")


def parse_entry(entry: Any, path: Path, topic_names: set[str]) -> Question:
    """Validate one bank entry and turn it into a Question."""
    if not isinstance(entry, dict):
        raise CorpusError(f"{path}: every entry must be a mapping, found {type(entry).__name__}")
    line = entry.get("__line__", "?")
    where = f"{path}:{line}: entry {entry.get('id', '?')}"
    missing = [f for f in REQUIRED if f not in entry]
    if missing:
        raise CorpusError(f"{where}: missing field '{missing[0]}'")
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL) - {"__line__"})
    if unknown:
        raise CorpusError(f"{where}: unknown field '{unknown[0]}'")
    if not isinstance(entry["id"], str) or not ID_PATTERN.match(entry["id"]):
        raise CorpusError(f"{where}: 'id' must be letters, digits, '-', '_' or '.'")
    for field in ("question", "reference"):
        if not isinstance(entry[field], str) or not entry[field].strip():
            raise CorpusError(f"{where}: '{field}' must be non-empty text")
    topics = _string_list(entry, "topics", TOPICS_RANGE, where)
    unknown_topics = [t for t in topics if t not in topic_names]
    if unknown_topics:
        raise CorpusError(f"{where}: topic '{unknown_topics[0]}' is not in {TAXONOMY_FILE}")
    return Question(
        id=entry["id"],
        title=str(entry.get("title") or ""),
        question=entry["question"].strip(),
        reference=entry["reference"].strip(),
        key_points=_string_list(entry, "key_points", KEY_POINTS_RANGE, where),
        topics=topics,
        source=_source(entry, path, where),
        related=_string_list(entry, "related", (0, 10), where),
        mistakes=_string_list(entry, "mistakes", MISTAKES_RANGE, where),
    )


def load_file(path: Path, topic_names: set[str]) -> list[Question]:
    """The validated questions of one bank file."""
    data = read_yaml(path)
    if data is None:
        return []
    if not isinstance(data, list):
        raise CorpusError(f"{path}: expected a list of questions at the top level")
    return [parse_entry(entry, path, topic_names) for entry in data]


def bank_files(folder: Path) -> list[Path]:
    """The bank's question files: every *.yaml in the folder but the taxonomy."""
    return sorted(p for p in folder.glob("*.yaml") if p.name != TAXONOMY_FILE)


def content_hash(paths: list[Path]) -> str:
    """A hash of the files' names and bytes: it changes with any edit."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def check_links(questions: list[Question], folder: Path) -> None:
    """Ids are unique and every 'related' id exists."""
    seen: dict[str, str] = {}
    for question in questions:
        key = question.id.lower()
        if key in seen:
            raise CorpusError(
                f"{folder}: duplicate id {question.id} in {seen[key]} and {question.source.file}"
            )
        seen[key] = question.source.file
    for question in questions:
        for other in question.related:
            if other.lower() not in seen:
                raise CorpusError(f"{folder}: entry {question.id}: related id {other} not found")


def load_bank(folder: Path) -> Bank:
    """Load and validate every question file of a bank folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CorpusError(f"{folder}: no such bank folder")
    taxonomy = load_taxonomy(folder)
    names = {topic.name for topic in taxonomy}
    files = bank_files(folder)
    if not files:
        raise CorpusError(f"{folder}: no question files (*.yaml); run 'interviewer ingest' first")
    questions = [q for path in files for q in load_file(path, names)]
    check_links(questions, folder)
    digest = content_hash([folder / TAXONOMY_FILE, *files])
    return Bank(folder, tuple(questions), taxonomy, digest)


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

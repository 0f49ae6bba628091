"""Read the YAML files a user edits (bank files, the config) strictly and quickly, every problem one line.

A file is refused before it is parsed when it is too big, and while it is parsed as soon as it nests too
deep or holds too many values, so a hostile file costs well under a second, not minutes. Mappings and
lists come back as `PlacedDict` and `PlacedList`, which remember the line of each key and item for errors.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser
except ImportError:  # a PyYAML built without libyaml: the pure-Python loader alone
    CParser = None

from interviewer.errors import ConfigError, CorpusError, InterviewerError


@dataclass(frozen=True)
class YamlKind:
    """What a YAML file holds, the error that reports a problem in it, and how big it may be."""

    name: str
    error: type[InterviewerError]
    max_bytes: int
    max_depth: int
    max_values: int


# Every tuned limit of a YAML file, and why. The largest shipped bank file, corpus/flashcards-004.yaml,
# is 99,470 bytes holding 1,152 values (keys, scalars, lists and mappings) 4 levels deep: a list of entries,
# each a mapping holding lists and the 'source' mapping. PyYAML parses 0.5 to 2 MB a second in pure
# Python, so 500 KB (5 times the largest file) costs at most about a second to load. 10,000 values is
# about 9 times the largest file, and reaching it takes about half a second, so a huge list is refused
# sooner than a big legitimate file loads. 20 levels leave room for hand-written variants and stay far
# below Python's recursion limit, which 20,000 nested lists used to hit in the loader.
# A config file is one flat mapping of 17 settings, under 2 KB with a comment on each: 100 KB and 1,000
# values leave room for long comments, and 5 levels let a nested value reach the setting's own error.
BANK_FILE = YamlKind("bank file", CorpusError, max_bytes=500_000, max_depth=20, max_values=10_000)
CONFIG_FILE = YamlKind("config file", ConfigError, max_bytes=100_000, max_depth=5, max_values=1_000)


class PlacedDict(dict):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[Any, int] = {}

    def line_of(self, key: object) -> int:
        """The line of KEY, or of the mapping itself when KEY is absent."""
        return self.lines.get(key, self.line)


class PlacedList(list):
    """A YAML sequence that remembers its own line and the line of each item (1-based)."""

    def __init__(self, items: list, line: int, lines: list[int]) -> None:
        super().__init__(items)
        self.line = line
        self.lines = lines


def line_of(value: object, fallback: int = 1) -> int:
    """The line where VALUE starts if it is a placed mapping or list, else FALLBACK."""
    return getattr(value, "line", fallback)


def describe(value: object) -> str:
    """What kind of YAML value VALUE is, in words for an error message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    kinds = ((str, "text"), (int, "a number"), (float, "a number"), (dict, "a mapping"), (list, "a list"),
             (date, "a date"), (bytes, "binary data"), (set, "a set"))
    return next((words for kind, words in kinds if isinstance(value, kind)), type(value).__name__)


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that a bank or config file may not hold: a duplicate key, an alias, too much of it."""


class StrictChecks:
    """What makes a safe loader strict: it refuses duplicate keys, aliases, deep nesting and too many values,
    and keeps the line of each key and item. Mixed into a loader before its composer and constructor."""

    kind: YamlKind
    depth = 0
    values = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        kind = self.kind
        if isinstance(event, yaml.AliasEvent):
            raise Refused(None, None, f"aliases (*{event.anchor}) are not allowed in a {kind.name}; "
                          "write the value out", event.start_mark)
        self.values += 1
        if self.values > kind.max_values:
            raise Refused(None, None, f"more than {kind.max_values:,} values, too many for a {kind.name}",
                          event.start_mark)
        if self.depth >= kind.max_depth:
            raise Refused(None, None, f"values nested more than {kind.max_depth} levels deep, too deep for a "
                          f"{kind.name}", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. a timestamp with month 13
            raise ConstructorError(None, None, f"cannot read this {node.tag.rsplit(':', 1)[-1]}: {exc}",
                                   node.start_mark) from exc

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> PlacedDict:
        mapping = PlacedDict(node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, Hashable):
                raise Refused(None, None, f"a key cannot be {describe(key)}", key_node.start_mark)
            if key in mapping:
                raise Refused(None, None, f"duplicate key {key!r} (first at line {mapping.lines[key]})",
                              key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.lines[key] = line
        return mapping

    def construct_placed_list(self, node: yaml.SequenceNode) -> PlacedList:
        return PlacedList([self.construct_object(child, deep=True) for child in node.value],
                          node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value])


class StrictLoader(StrictChecks, yaml.SafeLoader):
    """The strict loader on PyYAML's pure-Python scanner and parser, whose error messages say the most."""

    def __init__(self, text: str, kind: YamlKind) -> None:
        yaml.SafeLoader.__init__(self, text)
        self.kind = kind


class FastStrictLoader(StrictChecks, Composer, CParser or object, SafeConstructor, Resolver):
    """The strict loader on libyaml's scanner and parser, written in C: 8.5 times faster on the shipped bank
    (0.038 s against 0.32 s for its 194 KB), which is most of loading a large bank. The checks are the same
    Python code on the same events, so a text it accepts gives the same values and lines."""

    def __init__(self, text: str, kind: YamlKind) -> None:
        CParser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.kind = kind


for _loader in (StrictLoader, FastStrictLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", StrictChecks.construct_mapping)
    _loader.add_constructor("tag:yaml.org,2002:seq", StrictChecks.construct_placed_list)


def load_strictly(text: str, kind: YamlKind) -> Any:
    """The YAML document in TEXT, checked as KIND says. libyaml parses it when PyYAML has it; a text libyaml
    finds invalid is parsed again in Python, whose messages say what was expected and what was found."""
    if CParser is not None:
        try:
            return loaded(FastStrictLoader(text, kind))
        except (Refused, ConstructorError):
            raise  # the strict checks' own, the same in either loader
        except (yaml.MarkedYAMLError, yaml.reader.ReaderError):
            pass
    return loaded(StrictLoader(text, kind))


def loaded(loader: StrictLoader | FastStrictLoader) -> Any:
    """The single document LOADER holds; the loader is disposed of either way."""
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_text(path: Path, kind: YamlKind) -> str:
    """The file's text, if it is small enough and UTF-8; else one line naming the file and the problem."""
    try:
        if path.exists() and not path.is_file():
            raise kind.error(f"{path}: not a file; a {kind.name} is a YAML text file")
        with path.open("rb") as handle:
            data = handle.read(kind.max_bytes + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise kind.error(f"{path}: cannot read this {kind.name}: {exc.strerror or exc}") from None
    if len(data) > kind.max_bytes:
        raise kind.error(f"{path}: {max(size, len(data)):,} bytes; a {kind.name} may hold at most "
                         f"{kind.max_bytes:,} (split it, or check that it is the right file)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise kind.error(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start}); save the {kind.name} as UTF-8") from None


def read_yaml(path: Path, what: YamlKind) -> Any:
    """The YAML document in PATH, checked as WHAT says; any problem is WHAT's error as 'FILE:LINE: ...'."""
    text = read_text(path, what)
    try:
        return load_strictly(text, what)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = " ".join(str(exc.problem or exc.context).split())
        if exc.context and exc.problem and exc.context_mark:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        invalid = "" if isinstance(exc, Refused) else "invalid YAML: "
        raise what.error(f"{path}:{line}: {invalid}{problem}") from None
    except yaml.reader.ReaderError as exc:  # a control character, NUL for one
        line = text.count("\n", 0, exc.position) + 1
        raise what.error(f"{path}:{line}: invalid YAML: character #x{exc.character:04x} is not allowed; "
                         f"a {what.name} is text") from None

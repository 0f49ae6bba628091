"""Issue 14's bank rows, each reproduced through the real command: a hostile or broken bank file is one
'Error: FILE:LINE: ...' line and exit 2, never a traceback, and deep or huge files are refused at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.corpus import load_bank
from interviewer.errors import CorpusError
from interviewer.yaml_files import (
    BANK_FILE,
    CParser,
    FastStrictLoader,
    PlacedDict,
    PlacedList,
    StrictLoader,
    read_text,
)

from .interviewer_process import one_error_line, run_interviewer


def topics_error(bank: Path) -> str:
    """The one error line of `interviewer --bank BANK topics`."""
    return one_error_line(run_interviewer("--bank", str(bank), "topics"))


def line_number(path: Path, text: str) -> int:
    """The 1-based number of the first line of PATH that is TEXT."""
    return path.read_text().splitlines().index(text) + 1


def test_the_shipped_bank_loads(bank):
    assert len(bank.questions) == 77 and bank.get("ML0044").related == ("F004-06",)


def test_a_list_nested_20000_deep_is_refused_at_once(bank_copy):
    path = bank_copy / "deep.yaml"
    path.write_text("[" * 20_000 + "]" * 20_000)
    message = topics_error(bank_copy)
    assert message == f"{path}:1: values nested more than 20 levels deep, too deep for a bank file"


def test_a_list_nested_21_deep_is_refused_by_the_loaders_limit(bank_copy):
    path = bank_copy / "deep.yaml"  # within libyaml's own limit: the strict checks refuse it
    path.write_text("[" * 20 + "[x]" + "]" * 20)
    message = topics_error(bank_copy)
    assert message == f"{path}:1: values nested more than 20 levels deep, too deep for a bank file"


def placed_lines(value: object) -> object:
    """Every line a loaded value remembers, nested as the value is."""
    if isinstance(value, PlacedDict):
        return (value.line, value.lines, {key: placed_lines(item) for key, item in value.items()})
    if isinstance(value, PlacedList):
        return (value.line, value.lines, [placed_lines(item) for item in value])
    return None


@pytest.mark.skipif(CParser is None, reason="this PyYAML has no libyaml")
def test_libyaml_and_python_load_every_shipped_file_alike(bank_copy):
    for path in sorted(bank_copy.glob("*.yaml")):
        text = read_text(path, BANK_FILE)
        fast, python = FastStrictLoader(text, BANK_FILE), StrictLoader(text, BANK_FILE)
        fast_data, python_data = fast.get_single_data(), python.get_single_data()
        assert fast_data == python_data and placed_lines(fast_data) == placed_lines(python_data), path.name


def test_a_second_question_key_in_one_entry_is_refused(bank_copy):
    path = bank_copy / "qa-000.yaml"
    lines = path.read_text().splitlines(keepends=True)
    assert lines[2].startswith("  question: ")
    lines.insert(3, "  question: A second question that would silently replace the first?\n")
    path.write_text("".join(lines))
    assert topics_error(bank_copy) == f"{path}:4: duplicate key 'question' (first at line 3)"


def test_a_duplicate_id_names_both_yaml_files_and_lines(bank_copy):
    first, second = bank_copy / "qa-000.yaml", bank_copy / "qa-001.yaml"
    first_line, second_line = line_number(first, "- id: ML0044"), line_number(second, "- id: ML0040")
    second.write_text(second.read_text().replace("- id: ML0040", "- id: ML0044"))
    message = topics_error(bank_copy)
    assert message == f"{second}:{second_line}: duplicate id ML0044, also defined at {first}:{first_line}"
    assert ".txt" not in message


def test_a_related_id_not_found_names_file_line_and_entry(bank_copy):
    path = bank_copy / "qa-000.yaml"
    line = line_number(path, "  related: []")
    path.write_text(path.read_text().replace("  related: []", "  related: [XX9999]", 1))
    assert topics_error(bank_copy) == f"{path}:{line}: entry DL0018: related id XX9999 not found in the bank"


def test_an_entry_that_is_a_plain_string_names_file_and_line(bank_copy):
    path = bank_copy / "qa-000.yaml"
    text = path.read_text()
    path.write_text(text + "- What is a tensor?\n")
    entries = sum(line.startswith("- id: ") for line in text.splitlines())
    assert topics_error(bank_copy) == (
        f"{path}:{text.count(chr(10)) + 1}: entry #{entries + 1} is text, not a mapping of fields "
        "(id, question, reference, key_points, topics, source, ...)")


def test_a_5mb_list_of_numbers_is_refused_before_parsing(bank_copy):
    path = bank_copy / "numbers.yaml"
    path.write_text("[" + ", ".join(str(n) for n in range(700_000)) + "]")
    size = path.stat().st_size
    assert size > 5_000_000
    message = topics_error(bank_copy)
    assert message == (f"{path}: {size:,} bytes; a bank file may hold at most {BANK_FILE.max_bytes:,} "
                       "(split it, or check that it is the right file)")


def test_a_list_of_numbers_under_the_size_limit_stops_at_the_value_limit(bank_copy):
    path = bank_copy / "numbers.yaml"
    path.write_text("".join(f"- {n}\n" for n in range(60_000)))
    assert path.stat().st_size < BANK_FILE.max_bytes
    with pytest.raises(CorpusError) as caught:
        load_bank(bank_copy)
    assert str(caught.value) == f"{path}:10000: more than 10,000 values, too many for a bank file"


def set_line(bank: Path, number: int, text: str) -> Path:
    """Replace line NUMBER of the bank's qa-000.yaml (whose first entry, DL0018, is lines 1 to 30)."""
    path = bank / "qa-000.yaml"
    lines = path.read_text().splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("number", "text", "message"), [
    (2, "  title: {a: 1}", "2: entry DL0018: 'title' must be text, not a mapping"),
    (3, "  question: 42", "3: entry DL0018: 'question' must be non-empty text, not a number"),
    (25, "  related: ML0044", "25: entry DL0018: 'related' must be a list of non-empty strings, not text"),
    (24, "    position: true",
     "22: entry DL0018: 'source' must be a mapping with 'file' and integer 'position'"),
    (1, "- id: [DL0018]",
     "1: entry #1: 'id' must be 2 to 41 letters, digits, '-', '_' or '.', starting with a letter"),
    (2, "  7: seven", "2: entry DL0018: unknown field '7'"),
])
def test_a_field_of_the_wrong_type_names_file_line_entry_and_field(bank_copy, number, text, message):
    path = set_line(bank_copy, number, text)
    with pytest.raises(CorpusError) as caught:
        load_bank(bank_copy)
    assert str(caught.value) == f"{path}:{message}"


@pytest.mark.parametrize(("content", "message"), [
    ("- id: caf\u00e9\n".encode("latin-1"),
     "1: not UTF-8 text (byte 0xe9 at offset 9); save the bank file as UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "1: not UTF-8 text (byte 0x89 at offset 0); save the bank file as UTF-8"),
    (b"- a\n- b\x00\n", "2: invalid YAML: character #x0000 is not allowed; a bank file is text"),
    (b"- &entry {id: A1}\n- *entry\n",
     "2: aliases (*entry) are not allowed in a bank file; write the value out"),
    (b"- id: [unclosed\n",
     "2: invalid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence at "
     "line 1)"),
    (b"- 2024-13-01\n", "1: invalid YAML: cannot read this timestamp: month must be in 1..12"),
    (b"{id: A1}\n", "1: expected a list of questions at the top level, not a mapping"),
])
def test_unreadable_bank_files_are_one_line_naming_the_file(bank_copy, content, message):
    path = bank_copy / "extra.yaml"
    path.write_bytes(content)
    with pytest.raises(CorpusError) as caught:
        load_bank(bank_copy)
    assert str(caught.value) == f"{path}:{message}"

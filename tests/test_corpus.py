"""The shipped bank is complete and well-formed; a broken bank file gets a one-line error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.corpus import load_bank, load_taxonomy
from interviewer.errors import CorpusError
from interviewer.ingest import parse_document

from .conftest import CORPUS, SOURCES

OPTIMIZER_QUESTIONS = {
    "ML0023": "gradient descent", "F004-15": "gradient descent", "F004-27": "SGD",
    "F004-28": "GD vs SGD", "F004-30": "momentum", "F004-31": "batch vs mini-batch",
    "F004-32": "batch size", "F004-35": "adaptive learning rates", "F004-36": "RMSProp",
    "F004-37": "Adam", "DL0016": "learning-rate warmup",
}


def test_the_bank_holds_every_parsed_item_and_nothing_else(bank):
    taxonomy = list(load_taxonomy(CORPUS))
    parsed = {q.id for path in SOURCES.glob("*.txt") for q in parse_document(path, taxonomy)}
    assert {q.id for q in bank.questions} == parsed
    assert len(bank.questions) == 77


def test_every_question_is_fully_curated(bank):
    for q in bank.questions:
        assert 2 <= len(q.key_points) <= 8, q.id
        assert 1 <= len(q.topics) <= 3, q.id
        assert 1 <= len(q.mistakes) <= 4, q.id
        assert len(set(q.key_points)) == len(q.key_points), q.id
        assert q.question.strip() and q.reference.strip(), q.id


def test_optimizers_topic_holds_the_optimizer_questions(bank):
    tagged = {q.id for q in bank.questions if "optimizers" in q.topics}
    missing = {qid: what for qid, what in OPTIMIZER_QUESTIONS.items() if qid not in tagged}
    assert not missing


def test_questions_asked_twice_are_linked(bank):
    assert "ML0044" in bank.get("F004-06").related
    assert "F004-06" in bank.get("ML0044").related
    for q in bank.questions:
        for other in q.related:
            assert q.id in bank.get(other).related, f"{q.id} -> {other} is one-way"


def edit_first_entry(folder: Path, change) -> Path:
    path = folder / "qa-000.yaml"
    entries = yaml.safe_load(path.read_text())
    change(entries[0])
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True))
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.pop("question"), r"qa-000.yaml:1: entry DL0018: missing field 'question'"),
        (lambda e: e.update(topics=["astrology"]), r"topic 'astrology' is not in taxonomy.yaml"),
        (lambda e: e.update(key_points=["only one"]), r"'key_points' has 1 items; expected 2 to 8"),
        (lambda e: e.update(mistakes=["a", "b", "c", "d", "e"]), r"'mistakes' has 5 items"),
        (lambda e: e.update(colour="blue"), r"unknown field 'colour'"),
        (lambda e: e.update(related=["XX9999"]), r"related id XX9999 not found"),
        (lambda e: e.update(id="ML0047"), r"duplicate id ML0047"),
        (lambda e: e.update(source="page 3"), r"'source' must be a mapping"),
    ],
)
def test_bad_entries_are_reported_with_file_and_entry(bank_copy, change, message):
    edit_first_entry(bank_copy, change)
    with pytest.raises(CorpusError, match=message):
        load_bank(bank_copy)


def test_yaml_syntax_errors_name_the_line(bank_copy):
    path = bank_copy / "qa-001.yaml"
    lines = path.read_text().splitlines()
    lines[5] = "  question: [unclosed"
    path.write_text("\n".join(lines))
    with pytest.raises(CorpusError, match=r"qa-001.yaml:\d+: invalid YAML"):
        load_bank(bank_copy)


def test_a_broken_bank_exits_2_with_one_line(bank_copy):
    edit_first_entry(bank_copy, lambda e: e.pop("key_points"))
    result = CliRunner().invoke(cli, ["--bank", str(bank_copy), "topics"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("Error: ") and "missing field 'key_points'" in result.output

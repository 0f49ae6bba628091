"""`interviewer review`, `stats` and `ask`'s order through Click's runner, reading past answers written
into the real history of the test's data folder."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.practice.records import PracticeRecord

from .practice_history import save_records
from .test_history import data_folder

NOW = datetime.now(timezone.utc)
DUE = "F004-36"  # failed four days ago: due
WEAK = "F004-37"  # answered well, but with a key point missed


def answered(question_id: str, days_ago: float, score: float, **fields: object) -> PracticeRecord:
    return PracticeRecord(question_id, NOW - timedelta(days=days_ago), score, 10.0, topics=("optimizers",),
                          **fields)


RECORDS = [
    answered(DUE, 4, 2.0, key_points=(("RMSProp divides by a running RMS.", "missed"),)),
    answered(WEAK, 0.1, 9.5, seconds=40, key_points=(("Adam corrects the bias of its moments.", "missed"),
                                                      ("Adam keeps two moments.", "covered"),
                                                      ("Adam adapts the rate per parameter.", "covered"))),
]


@pytest.fixture
def history(user_folders):
    """RECORDS in the local user's history."""
    save_records(data_folder(user_folders), RECORDS)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_stats_json_numbers(history):
    result = run("stats", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["answers"], data["mean_score"], data["skipped"]) == (2, 5.75, 0)
    assert data["desired_retention"] == 0.9 and data["until"] is None
    assert [d["question"] for d in data["due_now"]] == [DUE]
    topics = {row["topic"]: row for row in data["topics"]}
    assert topics["optimizers"]["answers"] == 2 and topics["optimizers"]["mean_score"] == 5.75
    assert {k["text"] for k in data["weakest_key_points"]} == {"RMSProp divides by a running RMS.",
                                                              "Adam corrects the bias of its moments."}


def test_stats_plot_writes_a_png(history, tmp_path):
    path = tmp_path / "progress.png"
    result = run("stats", "--plot", str(path))
    assert result.exit_code == 0 and "2 answers" in result.output
    assert path.read_bytes().startswith(b"\x89PNG")


def test_stats_until_raises_the_retention(history):
    soon = (NOW + timedelta(days=3)).astimezone().date().isoformat()
    data = json.loads(run("stats", "--json", "--until", soon).output)
    assert data["desired_retention"] == 0.95 and data["until"] == soon


def test_until_from_the_config_file(history, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("until: 2099-01-15\n")
    data = json.loads(run("--config", str(config), "stats", "--json").output)
    assert data["until"] == "2099-01-15" and data["desired_retention"] == 0.85


def test_a_bad_until_says_the_form(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("until: next spring\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "stats"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
    assert CliRunner().invoke(cli, ["stats", "--until", "15/01/2027"]).exit_code == 2


def test_stats_without_history_says_nothing_is_answered():
    result = run("stats")
    assert result.exit_code == 0 and "0 answers" in result.output
    result = CliRunner().invoke(cli, ["stats", "--plot", "never.png"])
    assert result.exit_code == 1 and "nothing to draw" in result.output


def test_review_asks_what_is_due(history):
    result = run("review", "--offline", input="/quit\n")
    assert result.exit_code == 0
    assert f"Question 1/1 [{DUE}" in result.output


def test_review_weak_asks_the_questions_holding_the_weakest_key_points(history):
    result = run("review", "--weak", "--topic", "optimizers", input="/quit\n")
    assert result.exit_code == 0 and "Question 1/2" in result.output


def test_review_with_nothing_due_says_what_to_do(history):
    result = run("review", "--topic", "cnns")
    assert result.exit_code == 0 and "Nothing is due" in result.output
    assert "interviewer ask" in result.output


def test_review_without_history():
    result = run("review")
    assert result.exit_code == 0 and "No answers recorded yet" in result.output


def test_ask_asks_the_due_question_first(history):
    result = run("ask", "--topic", "optimizers", "--count", "2", input="/quit\n")
    assert result.exit_code == 0 and f"Question 1/2 [{DUE}" in result.output


def test_help_lists_review_and_stats():
    output = run("--help").output
    assert "review" in output and "stats" in output

"""Issue 14's answer rows, reproduced through the real CLI: an invalid byte on stdin, in an argument or
typed into an interview, a 1 MB answer and an empty one are graded (or refused in one line), saved
whole, and said on the grade card; never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.history import History, database_url

from .saved_answers import saved_entries

PERCEPTRON = ("The perceptron is a linear classifier: it computes a weighted sum of its inputs, adds a bias "
              "and applies a step function. It only works for linearly separable data, so it cannot solve "
              "XOR. ")


@pytest.fixture
def log_entries(user_folders):
    """The history's entries, read when called."""
    return lambda: saved_entries(user_folders / "xdg_data_home" / "interviewer")


def saved_answers(entries) -> list[str]:
    return [e.answer for e in entries]


def graded_ids(entries) -> set[str]:
    return {e.id for e in entries if e.grade is not None}


def test_an_invalid_byte_on_stdin_is_replaced_graded_and_saved(index, log_entries):
    """printf 'a \\xff b' | interviewer grade -q ML0044 -a -"""
    result = CliRunner().invoke(cli, ["grade", "-q", "ML0044", "-a", "-"], input=b"a \xff b")
    assert result.exit_code == 0, result.output
    assert "Score:" in result.output
    assert "Note: Replaced 1 invalid byte (not UTF-8 text) with “\ufffd”." in result.output
    entries = log_entries()
    assert saved_answers(entries) == ["a \ufffd b"] and len(graded_ids(entries)) == 1


def test_an_invalid_byte_in_the_argument_is_replaced_graded_and_saved(index, log_entries, tmp_path):
    """interviewer grade -q ML0044 -a $'\\xff', as a shell runs it: the byte reaches Python's argv."""
    script = Path(sys.executable).parent / "interviewer"
    result = subprocess.run([os.fsencode(script), b"grade", b"-q", b"ML0044", b"-a", b"\xff", b"--json"],
                            capture_output=True, env=dict(os.environ, HF_HUB_OFFLINE="1"), cwd=tmp_path,
                            timeout=300)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    grade = json.loads(result.stdout)
    assert grade["question_id"] == "ML0044" and grade["score"] == 0
    assert grade["notes"][0] == "Replaced 1 invalid byte (not UTF-8 text) with “\ufffd”."
    assert saved_answers(log_entries()) == ["\ufffd"]


def test_an_invalid_byte_typed_into_an_interview_keeps_it_going_to_its_summary(index, log_entries):
    typed = b"\x01\x1b[D\n\n" + PERCEPTRON.encode() + b"\xff\n\n"  # control characters only, then an answer
    result = CliRunner().invoke(cli, ["ask", "-q", "ML0044"], input=typed)
    assert result.exit_code == 0, result.output
    assert "Error: the answer is empty (nothing but spaces or control characters): type an answer first, " \
           "or skip" in result.output
    assert "Note: Replaced 1 invalid byte" in result.output
    summary = result.output.split("Summary", 1)[1]
    assert "ML0044" in summary and "Mean score:" in summary
    assert saved_answers(log_entries()) == [PERCEPTRON + "\ufffd"]


def test_a_1_mb_answer_is_graded_on_its_first_words_and_saved_whole(index, log_entries):
    paste = (PERCEPTRON * (1_000_000 // len(PERCEPTRON) + 1))[:1_000_000]
    result = CliRunner().invoke(cli, ["grade", "-q", "ML0044", "-a", "-", "--json"], input=paste)
    assert result.exit_code == 0, result.output
    grade = json.loads(result.output)
    assert grade["notes"][0] == (f"Long answer: graded the first 5,000 words of {len(paste.split()):,}; "
                                 "the whole answer is kept in the history.")
    assert grade["score"] >= 5 and len(json.dumps(grade["notes"])) < 1000  # a repeated statement said once
    entries = log_entries()
    assert saved_answers(entries) == [paste] and len(graded_ids(entries)) == 1


@pytest.mark.parametrize("answer, stdin", [("\x01\x02", None), ("-", b"\x00 \r\n\t"), ("", None)])
def test_an_empty_answer_is_one_line_and_exit_2(index, user_folders, answer, stdin):
    result = CliRunner().invoke(cli, ["grade", "-q", "ML0044", "-a", answer], input=stdin)
    assert result.exit_code == 2
    assert result.output == ("Error: the answer is empty (nothing but spaces or control characters): give "
                             "its text with --answer, or '--answer -' to read it from stdin\n")
    assert not saved_entries(user_folders / "xdg_data_home" / "interviewer")


def test_the_history_never_fails_on_a_character_utf8_cannot_hold(tmp_path):
    history = History.open(database_url("", tmp_path))
    history.save_answer("local", "s1", "ML0044", (), "a \udcff b\x00", follow_up="why \ud800?")
    [entry] = history.entries("local")
    assert entry.answer == "a \\udcff b\ufffd" and entry.follow_up == "why \\ud800?"

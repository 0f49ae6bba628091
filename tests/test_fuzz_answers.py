"""Fuzzed answers (issue 14): any Unicode text, invalid bytes, huge pastes and empty answers, fed to the
interview engine and to the CLI, give a grade or a one-line error with exit 2, never a traceback, and the
answer log keeps every graded answer whole.

Bounded so that CI stays quick (about 40 s on 2 cores with the model loaded): 25 examples through the
engine and 15 through the CLI per run, drawn at random as Hypothesis does, with no deadline (a huge
answer takes a second or two to grade).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewer.answer_text import clean_answer
from interviewer.cli import cli
from interviewer.config import Settings
from interviewer.runtime import Runtime
from interviewer.session import EmptyAnswerError

from .saved_answers import saved_entries

FUZZ = settings(deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def as_python_reads_bytes(data: bytes) -> str:
    """Bytes as Python hands them over in argv and from stdin_text: invalid ones as lone surrogates."""
    return data.decode("utf-8", "surrogateescape")


HUGE = st.tuples(st.text(min_size=1, max_size=30), st.integers(min_value=2_000, max_value=40_000)).map(
    lambda piece_and_times: piece_and_times[0] * piece_and_times[1])  # up to 1.2 million characters
ANSWERS = st.one_of(
    st.text(),  # any Unicode, lone surrogates and control characters included
    st.binary().map(as_python_reads_bytes),
    st.text(st.characters(categories=["Cc", "Zs", "Zl", "Zp"])),  # nothing but controls and spaces
    HUGE,
)


@settings(FUZZ, max_examples=25)
@given(text=ANSWERS)
def test_the_engine_grades_any_answer_or_refuses_an_empty_one(index, text):
    with tempfile.TemporaryDirectory() as data_dir:
        runtime = Runtime(Settings(cache_dir=Path(data_dir), data_dir=Path(data_dir)), index=index)
        interview = runtime.interview([runtime.bank.get("ML0044")], "offline")
        try:
            grade = interview.answer(text)
        except EmptyAnswerError as exc:
            assert clean_answer(text).empty and "\n" not in str(exc)
            assert interview.phase == "asking" and not saved_entries(Path(data_dir))
            return
        assert 0 <= grade.score <= 10 and interview.phase == "graded"
        [saved] = saved_entries(Path(data_dir))
        assert saved.answer == clean_answer(text).text and saved.grade.score == grade.score


@settings(FUZZ, max_examples=15)
@given(data=st.one_of(st.binary(), st.text().map(str.encode), HUGE.map(str.encode)), from_stdin=st.booleans())
def test_the_cli_grades_any_answer_or_says_it_is_empty_in_one_line(index, data, from_stdin):
    arguments = ["grade", "-q", "ML0044", "-a", "-" if from_stdin else as_python_reads_bytes(data)]
    result = CliRunner().invoke(cli, arguments, input=data if from_stdin else None)
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert "Score:" in result.output
    else:
        assert result.exit_code == 2, result.output
        assert result.output.startswith("Error: the answer is empty") and result.output.count("\n") == 1

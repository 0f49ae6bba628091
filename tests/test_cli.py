"""The CLI end to end: every command through Click's runner, and the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import cli

from .conftest import SOURCES, free_port
from .fake_llm_server import FakeLLMServer, Reply
from .saved_answers import saved_answers

GOOD_ADAM = (
    "Adam keeps an exponential moving average of the gradients, the first moment, like momentum. "
    "It also keeps a moving average of the squared gradients, the second moment, like RMSProp. "
    "Both averages are bias-corrected because they start at zero. "
    "Each parameter's step is the corrected first moment divided by the square root of the corrected "
    "second moment, so every parameter gets its own adaptive learning rate."
)

VALID_ADAM_GRADE = json.dumps({
    "key_points": [{"key_point": 3, "status": "covered",
                    "evidence": "Adam keeps an exponential moving average of the gradients"}],
    "mistakes": [], "score": 2, "feedback": "Say more about the second moment.",
})


@pytest.fixture
def run(index):  # the shared index fixture builds the cache the CLI then reuses
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_help_lists_every_command(run):
    result = run("--help")
    for command in ("ask", "grade", "topics", "search", "index", "ingest"):
        assert command in result.output


def test_topics_lists_the_taxonomy_with_counts(run):
    result = run("topics")
    assert result.exit_code == 0
    assert "optimizers" in result.output and "77 questions" in result.output


def test_search_prints_ranked_hits(run):
    result = run("search", "adaptive learning rate per parameter", "--json")
    hits = json.loads(result.output)
    assert result.exit_code == 0 and len(hits) == 5
    assert hits[0]["score"] >= hits[-1]["score"]
    assert {"F004-35", "F004-36", "F004-37"} & {h["id"] for h in hits}


def test_grade_prints_the_grade_as_json(run):
    result = run("grade", "--question", "F004-37", "--answer", GOOD_ADAM, "--json")
    assert result.exit_code == 0
    grade = json.loads(result.output)
    assert grade["question_id"] == "F004-37" and grade["grader"] == "offline"
    assert 0 <= grade["score"] <= 10
    assert grade["key_points"] and {"text", "status", "evidence"} <= set(grade["key_points"][0])
    assert grade["feedback"] and grade["reference"]


def test_grade_reads_the_answer_from_stdin(run):
    result = run("grade", "-q", "F004-37", "-a", "-", "--json", input=GOOD_ADAM)
    assert json.loads(result.output)["score"] >= 5


def test_ask_with_an_answer_grades_once_and_exits(run):
    result = run("ask", "--topic", "optimizers", "--question", "F004-37", "--answer", GOOD_ADAM)
    assert result.exit_code == 0
    assert "Score:" in result.output and "Key points:" in result.output
    assert "Reference answer:" in result.output


def test_ask_interactive_answers_skips_and_quits(run, user_folders):
    answers = f"{GOOD_ADAM}\n\n/skip\n/quit\n"
    result = run("ask", "--topic", "optimizers", "--count", "3", "--seed", "1", input=answers)
    assert result.exit_code == 0
    assert result.output.count("Question 1/3") == 1 and "Question 3/3" in result.output
    assert "Skipped." in result.output and "Summary" in result.output
    assert GOOD_ADAM in saved_answers(user_folders / "xdg_data_home" / "interviewer")


def test_ask_free_text_topic(run):
    result = run("ask", "--topic", "adam", "--count", "1", input="/quit\n")
    assert result.exit_code == 0 and "Question 1/1" in result.output


def test_ask_unknown_topic_lists_topics(run):
    result = CliRunner().invoke(cli, ["ask", "--topic", "medieval tapestry weaving"])
    assert result.exit_code == 2
    assert "topics are: optimizers" in result.output


def test_unknown_question_id_is_a_clear_error(run):
    result = CliRunner().invoke(cli, ["grade", "-q", "ML9999", "-a", "x"])
    assert result.exit_code != 0 and "no question with id 'ML9999'" in result.output


def test_index_check_and_build(run, tmp_path):
    cache = str(tmp_path / "cache")
    assert run("--cache-dir", cache, "index", "--check").exit_code == 1
    built = run("--cache-dir", cache, "index")
    assert built.exit_code == 0 and "Indexed 77 questions" in built.output
    assert run("--cache-dir", cache, "index", "--check").exit_code == 0


def test_ingest_writes_yaml_and_protects_existing_files(run, tmp_path):
    out = tmp_path / "mine.yaml"
    source = str(next(SOURCES.glob("000_*.txt")))
    assert run("ingest", source, "--out", str(out)).exit_code == 0
    assert out.read_text().count("- id:") == 10
    out.write_text("# my edits\n")
    again = CliRunner().invoke(cli, ["ingest", source, "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.output
    assert out.read_text() == "# my edits\n"


def test_console_script_end_to_end(index, tmp_path):
    script = Path(sys.executable).parent / "interviewer"
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    result = subprocess.run(
        [str(script), "ask", "--question", "F004-37", "--answer", GOOD_ADAM, "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["question_id"] == "F004-37"


GRADER_FLAGS = ("--offline", "--llm", "--llm-model", "--strictness")
ADAM_IN_BRIEF = "Adam adapts the learning rate of every parameter using averages of past gradients."


@pytest.mark.parametrize("command", ["ask", "grade", "web", "eval"])
def test_every_grading_command_takes_the_grader_flags(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert all(flag in result.output for flag in GRADER_FLAGS)


def graded_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_offline_and_strictness_after_the_command_choose_the_grader_and_its_marking(index, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    grade = ("grade", "-q", "F004-37", "-a", ADAM_IN_BRIEF, "--json")
    lenient = graded_json(*grade, "--offline", "--strictness", "lenient")
    strict = graded_json(*grade, "--offline", "--strictness", "strict")
    assert lenient["grader"] == strict["grader"] == "offline" and not lenient["notes"]
    assert lenient["score"] > strict["score"]
    before_and_after = ("--llm", "--strictness", "lenient", *grade, "--offline", "--strictness", "strict")
    assert graded_json(*before_and_after) == strict  # a flag after the command wins over one before it


def test_llm_after_the_command_selects_the_llm(index, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    monkeypatch.setenv("INTERVIEWER_MODE", "offline")
    monkeypatch.setenv("INTERVIEWER_RETRIES", "0")
    graded = graded_json("grade", "-q", "F004-37", "-a", GOOD_ADAM, "--json", "--llm")
    assert graded["grader"] == "offline" and graded["score"] >= 5
    [note] = graded["notes"]
    assert note.startswith("The LLM grader was unavailable (") and note.endswith("); graded offline.")
    assert not graded_json("--llm", "grade", "-q", "F004-37", "-a", GOOD_ADAM, "--json", "--offline")["notes"]


def test_llm_model_after_the_command_is_the_model_asked(index, monkeypatch):
    with FakeLLMServer(lambda request: Reply(content=VALID_ADAM_GRADE)) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        graded = graded_json("--llm-model", "before", "ask", "-q", "F004-37", "-a", GOOD_ADAM, "--json",
                             "--llm", "--llm-model", "after")
    assert graded["grader"] == "llm" and graded["model"] == "after"
    assert {r["model"] for r in server.requests} == {"after"}

"""End to end through a real llama.cpp server with SmolLM2-135M. The model is tiny and grades badly, so these
tests check the protocol, the shape and the validation of what comes back, never its quality."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.coaching import Coach
from interviewer.config import Settings
from interviewer.grading.choice import build_grader
from interviewer.llm import ChatClient, LLMError, ServerMemory
from interviewer.models import Grade, Question

from .conftest import ROOT
from .saved_answers import saved_answers
from .test_cli import GOOD_ADAM

INJECTIONS = [json.loads(line) for line in (ROOT / "benchmarks" / "prompt_injection.jsonl").open()]


class RecordingCompletions:
    """Wraps a real client's chat.completions to record what was asked for."""

    def __init__(self, completions) -> None:
        self.completions, self.calls = completions, []

    def create(self, **request):
        self.calls.append(request)
        return self.completions.create(**request)


def recorded_client(base_url: str, memory: ServerMemory) -> tuple[ChatClient, RecordingCompletions]:
    chat = ChatClient(base_url, memory=memory, timeout=120, retries=0)
    recorder = RecordingCompletions(chat.client.chat.completions)
    chat.client.chat = type("Chat", (), {"completions": recorder})()
    return chat, recorder


def formats(recorder: RecordingCompletions) -> list[str]:
    return [(call.get("response_format") or {}).get("type", "text") for call in recorder.calls]


def assert_valid(grade: Grade, question: Question, answer: str) -> None:
    """What validation guarantees of any grade, however bad the model."""
    assert 0 <= grade.score <= 10 and grade.score * 2 == int(grade.score * 2)
    assert [k.text for k in grade.key_points] == list(question.key_points)
    for point in grade.key_points:
        assert point.status in ("covered", "partial", "missed")
        assert (point.status == "missed") == (not point.evidence)
    for quote in [k.evidence for k in grade.key_points] + [m.evidence for m in grade.mistakes]:
        assert " ".join(quote.lower().split()).strip(" .") in " ".join(answer.lower().split())
    assert grade.feedback and grade.reference == question.reference


def test_llama_cpp_refuses_json_schema(llama_server):
    import openai

    client = openai.OpenAI(base_url=llama_server, api_key="none", max_retries=0, timeout=120)
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    with pytest.raises(openai.APIStatusError) as refused:
        client.chat.completions.create(
            model="any", messages=[{"role": "user", "content": "Say a number."}], max_tokens=5,
            response_format={"type": "json_schema", "json_schema": {"name": "n", "schema": schema}})
    assert refused.value.status_code in (400, 422, 500)


def test_the_ladder_settles_on_json_object_with_a_schema_and_remembers_it(llama_server, tmp_path):
    memory_file = tmp_path / "formats.json"
    messages = [{"role": "user", "content": 'Reply with {"score": 5} and nothing else.'}]
    schema = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}
    chat, recorder = recorded_client(llama_server, ServerMemory(memory_file))
    assert isinstance(chat.complete_json(messages, schema, "score", max_tokens=20)["score"], int)
    assert formats(recorder) == ["json_schema", "json_object"]
    assert recorder.calls[1]["response_format"]["schema"] == schema and recorder.calls[1]["temperature"] == 0
    (learnt,) = json.loads(memory_file.read_text()).values()
    assert learnt["format"] == "json_object" and learnt["token_field"] == "max_tokens"

    again, recorder = recorded_client(llama_server, ServerMemory(memory_file))
    again.complete_json(messages, schema, "score", max_tokens=20)
    assert formats(recorder) == ["json_object"]


def test_grade_end_to_end_from_the_python_api(llama_server, bank, grader, tmp_path):
    settings = Settings(base_url=llama_server, timeout=120, cache_dir=tmp_path)
    question = bank.get("F004-37")
    grade = build_grader(settings, grader).grade(question, GOOD_ADAM)
    assert grade.grader == "llm" and grade.model and not grade.notes, grade
    assert_valid(grade, question, GOOD_ADAM)
    assert set(grade.to_dict()) == {"question_id", "score", "grader", "key_points", "feedback", "reference",
                                    "mistakes", "notes", "model", "raw_score"}


def test_grade_end_to_end_from_the_cli(llama_server, index, user_folders, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("INTERVIEWER_TIMEOUT", "120")
    result = CliRunner().invoke(cli, ["grade", "-q", "F004-37", "-a", GOOD_ADAM, "--json"])
    assert result.exit_code == 0, result.output
    grade = json.loads(result.output)
    assert grade["grader"] == "llm" and grade["model"] and grade["question_id"] == "F004-37"


def test_ask_with_a_hint_and_maybe_a_follow_up_in_the_cli(llama_server, index, user_folders, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("INTERVIEWER_TIMEOUT", "120")
    answer = "Gradient descent changes the weights step by step."
    result = CliRunner().invoke(cli, ["--strictness", "strict", "ask", "-q", "F004-15"],
                                input=f"/hint\n{answer}\n\nIt makes the loss smaller.\n\n")
    assert result.exit_code == 0, result.output
    assert "Hint: " in result.output and "Score: " in result.output
    assert "(llm grader · " in result.output or "graded offline" in result.output
    assert answer in saved_answers(user_folders / "xdg_data_home" / "interviewer")


def test_grade_end_to_end_through_the_console_script(llama_server, index, tmp_path):
    script = Path(sys.executable).parent / "interviewer"
    env = dict(os.environ, HF_HUB_OFFLINE="1", OPENAI_BASE_URL=llama_server, INTERVIEWER_TIMEOUT="120")
    answer = "Gradient descent minimizes the loss by moving the parameters against the gradient."
    result = subprocess.run([str(script), "--llm", "ask", "-q", "F004-15", "-a", answer, "--json"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["grader"] == "llm"


@pytest.mark.parametrize("case", [INJECTIONS[0], INJECTIONS[2], INJECTIONS[12]],
                         ids=["ignore-the-rubric", "fake-json-grade", "fake-end-of-answer"])
def test_injected_answers_stay_fenced_and_their_grade_passes_validation(case, llama_server, bank, grader):
    question = bank.get(case["question_id"])
    chat, recorder = recorded_client(llama_server, ServerMemory())
    grade = build_grader(Settings(base_url=llama_server), grader, chat).grade(question, case["answer"])
    user = recorder.calls[-1]["messages"][1]["content"]
    fenced = user.split("BEGIN ANSWER ", 1)[1]
    fence, rest = fenced.split("\n", 1)
    assert rest.split(f"\nEND ANSWER {fence}", 1)[0] == case["answer"]
    if grade.grader == "llm":
        assert_valid(grade, question, case["answer"])
    else:
        assert grade.notes and "graded offline" in grade.notes[-1]


def test_follow_up_and_hint_are_written_by_the_model(llama_server, bank, index, grader):
    question = bank.get("F004-37")
    coach = Coach(ChatClient(llama_server, timeout=120), lambda: index)
    grade = grader.grade(question, "Adam adapts the learning rate.")
    follow_up = coach.follow_up(question, "Adam adapts the learning rate.", grade)
    assert follow_up is not None and follow_up.question and "\n" not in follow_up.question
    assert follow_up.key_point in question.key_points
    hint = coach.hint(question)
    assert hint.startswith("Hint: ") and "\n" not in hint and len(hint) <= 260



def test_eval_runs_the_llm_grader_on_a_graded_file_and_reports_the_spread(llama_server, index, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    monkeypatch.setenv("INTERVIEWER_TIMEOUT", "120")
    rows = [{"question_id": "F004-37", "answer": GOOD_ADAM, "score": 9, "max_score": 10},
            {"question_id": "F004-37", "answer": "Adam is a kind of dropout.", "score": 0, "max_score": 10}]
    path = tmp_path / "graded.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "predictions.jsonl"
    result = CliRunner().invoke(cli, ["eval", str(path), "--grader", "llm", "--repeat", "2", "--json",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n"] == 2 and "repeat_mean_std" in report and "rmse" in report
    predictions = [json.loads(line) for line in out.read_text().splitlines()]
    assert [p["grader"] for p in predictions] == ["llm", "llm"]
    assert all(len(p["predicted_runs"]) == 2 and 0 <= p["predicted"] <= 10 for p in predictions)


def test_an_answer_past_the_context_window_falls_back_with_the_servers_own_words(llama_server, bank, grader,
                                                                                  tmp_path):
    settings = Settings(base_url=llama_server, timeout=120, cache_dir=tmp_path)
    answer = " ".join([GOOD_ADAM] * 200)  # about 6,000 words: past the server's 4,096-token window
    grade = build_grader(settings, grader).grade(bank.get("F004-37"), answer)
    assert grade.grader == "offline"
    assert grade.notes[0].startswith(f"The LLM grader was unavailable ({llama_server} answered HTTP 400: "
                                     "context_length_exceeded: This model's maximum context length is 4096")


def test_a_reply_cut_off_at_the_token_limit_says_so(llama_server):
    chat = ChatClient(llama_server, timeout=120, retries=0)
    messages = [{"role": "user", "content": "Write a JSON object with ten keys about optimizers."}]
    with pytest.raises(LLMError, match=r"cut the reply off at 3 tokens \(finish_reason 'length'\)"):
        chat.complete_json(messages, {"type": "object"}, "reply", max_tokens=3)

"""Bad servers: a fake loopback server that times out, fails, talks garbage or hangs up; each answer still
gets an offline grade with a notice, and is saved before grading."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.config import Settings
from interviewer.grading.choice import build_grader
from interviewer.llm import ChatClient, FormatMemory

from .fake_llm_server import FakeLLMServer, Reply
from .test_cli import GOOD_ADAM

VALID_GRADE = json.dumps({
    "key_points": [{"key_point": 1, "status": "covered",
                    "evidence": "Adam keeps an exponential moving average"}],
    "mistakes": [], "score": 6, "feedback": "Good start.",
})
FAULTS = {
    "timeout": lambda request: Reply(content=VALID_GRADE, delay=1.5),
    "500": lambda request: Reply(status=500, body='{"error": {"message": "boom"}}'),
    "garbage_text": lambda request: Reply(content="I think this answer deserves a good score!"),
    "garbage_body": lambda request: Reply(body="<html>not json</html>"),
    "wrong_schema": lambda request: Reply(content='{"verdict": "great", "score": "ten"}'),
    "dropped_connection": lambda request: Reply(drop=True),
}
NOTICES = {
    "timeout": "timeout after 2 tries",
    "500": "HTTP 500 after 2 tries",
    "garbage_text": "the reply was not JSON",
    "garbage_body": "malformed reply",
    "wrong_schema": "the reply did not match the schema",
    "dropped_connection": "connection error after 2 tries",
}


def fake_settings(server: FakeLLMServer, tmp_path, **values) -> Settings:
    return Settings(base_url=server.base_url, api_key="sk-test-secret-123", timeout=0.5, retries=1,
                    cache_dir=tmp_path / "cache", data_dir=tmp_path / "data", **values)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fake_server_fault_ends_in_an_offline_grade_with_a_notice(fault, bank, grader, tmp_path):
    with FakeLLMServer(FAULTS[fault]) as server:
        graded = build_grader(fake_settings(server, tmp_path), grader).grade(bank.get("F004-37"), GOOD_ADAM)
    assert graded.grader == "offline" and graded.score >= 5
    assert graded.notes == (f"The LLM grader was unavailable ({NOTICES[fault]}); graded offline.",)
    assert "sk-test-secret" not in repr(graded)


@pytest.mark.parametrize("fault", ["timeout", "500", "garbage_text", "dropped_connection"])
def test_fake_server_fault_through_the_cli_saves_the_answer_and_tells_the_candidate(
        fault, index, user_folders, monkeypatch):
    with FakeLLMServer(FAULTS[fault]) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-123")
        monkeypatch.setenv("INTERVIEWER_TIMEOUT", "0.5")
        monkeypatch.setenv("INTERVIEWER_RETRIES", "1")
        result = CliRunner().invoke(cli, ["grade", "-q", "F004-37", "-a", GOOD_ADAM])
    assert result.exit_code == 0, result.output
    assert "(offline grader)" in result.output
    assert f"Note: The LLM grader was unavailable ({NOTICES[fault]}); graded offline." in result.output
    assert "sk-test-secret" not in result.output
    lines = (user_folders / "xdg_data_home" / "interviewer" / "answers.jsonl").read_text().splitlines()
    saved, graded = json.loads(lines[0]), json.loads(lines[1])
    assert saved["answer"] == GOOD_ADAM and "grade" not in saved
    assert graded["id"] == saved["id"] and graded["grade"]["notes"]


def test_fake_server_timeout_is_retried_with_backoff_then_given_up(tmp_path):
    waits = []
    with FakeLLMServer(FAULTS["timeout"]) as server:
        client = ChatClient(server.base_url, "", "fake-model", timeout=0.3, retries=3, sleep=waits.append)
        with pytest.raises(Exception, match=r"timeout after 4 tries"):
            client.complete_text([{"role": "user", "content": "hi"}])
    assert waits == [0.5, 1.0, 2.0] and len(server.requests) == 4


def test_fake_server_429_then_success_is_retried(tmp_path):
    replies = iter([Reply(status=429, body="{}"), Reply(status=503, body="{}"), Reply(content="fine")])
    with FakeLLMServer(lambda request: next(replies)) as server:
        client = ChatClient(server.base_url, "", "fake-model", retries=2, sleep=lambda s: None)
        assert client.complete_text([{"role": "user", "content": "hi"}]) == "fine"
    assert len(server.requests) == 3


def test_fake_server_401_is_not_retried_and_hides_the_key(bank, grader, tmp_path):
    unauthorised = Reply(status=401, body='{"error": "bad key sk-test-secret-123"}')
    with FakeLLMServer(lambda request: unauthorised) as server:
        graded = build_grader(fake_settings(server, tmp_path), grader).grade(bank.get("F004-37"), GOOD_ADAM)
    assert len(server.requests) == 1
    assert graded.notes == ("The LLM grader was unavailable (HTTP 401); graded offline.",)


def test_fake_server_that_refuses_json_schema_moves_down_the_ladder_and_remembers(tmp_path):
    def script(request: dict) -> Reply:
        kind = (request.get("response_format") or {}).get("type")
        return Reply(status=422, body="{}") if kind == "json_schema" else Reply(content=VALID_GRADE)

    memory_file = tmp_path / "formats.json"
    with FakeLLMServer(script) as server:
        for _ in range(2):
            client = ChatClient(server.base_url, "", "fake-model", memory=FormatMemory(memory_file))
            assert client.complete_json([{"role": "user", "content": "grade"}], {"type": "object"}, "grade")
    assert server.formats() == ["json_schema", "json_object", "json_object"]
    assert json.loads(memory_file.read_text()) == {server.base_url: "json_object"}


def test_fake_server_that_only_speaks_text_gets_json_extracted_from_prose(tmp_path):
    def script(request: dict) -> Reply:
        if request.get("response_format"):
            return Reply(status=400, body="{}")
        return Reply(content=f"Sure! Here is the grade:\n```json\n{VALID_GRADE}\n```")

    with FakeLLMServer(script) as server:
        client = ChatClient(server.base_url, "", "fake-model")
        reply = client.complete_json([{"role": "user", "content": "grade"}], {"type": "object"}, "grade")
    assert reply["score"] == 6 and server.formats() == ["json_schema", "json_object", "text"]


def test_fake_server_first_model_is_used_when_none_is_configured(tmp_path):
    with FakeLLMServer(lambda request: Reply(content="ok")) as server:
        client = ChatClient(server.base_url)
        assert client.model == "fake-model"
        client.complete_text([{"role": "user", "content": "hi"}])
    assert server.requests[-1]["model"] == "fake-model" and server.requests[-1]["temperature"] == 0

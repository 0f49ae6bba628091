"""Bad servers: a fake loopback server that times out, fails, talks garbage or hangs up; each answer still
gets an offline grade with a notice, and is saved before grading."""

from __future__ import annotations

import json
import re
import time

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.coaching import Coach, offline_hint
from interviewer.config import Settings
from interviewer.grading.choice import build_grader
from interviewer.grading.llm import grade_schema
from interviewer.llm import (
    BREAKER_COOLDOWN,
    OPENAI_DEFAULT_MODEL,
    ChatClient,
    LLMError,
    ServerMemory,
    ServerQuirks,
    response_format,
)

from .fake_llm_server import FakeLLMServer, Reply
from .saved_answers import saved_entries
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
NOTICES = {  # {url}: the fake server's base URL, named in every note about the server itself
    "timeout": "{url} sent no reply within 0.5 s",
    "500": "{url}: HTTP 500: boom after 2 tries",
    "garbage_text": "the reply was not JSON",
    "garbage_body": "{url} sent a malformed reply",
    "wrong_schema": "the reply did not match the schema",
    "dropped_connection": "{url}: connection error after 2 tries",
}


def notice(fault: str, server: FakeLLMServer) -> str:
    return f"The LLM grader was unavailable ({NOTICES[fault].format(url=server.base_url)}); graded offline."


def fake_settings(server: FakeLLMServer, tmp_path, **values) -> Settings:
    values = {"timeout": 0.5, "retries": 1, **values}
    return Settings(base_url=server.base_url, api_key="sk-test-secret-123", cache_dir=tmp_path / "cache",
                    data_dir=tmp_path / "data", **values)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fake_server_fault_ends_in_an_offline_grade_with_a_notice(fault, bank, grader, tmp_path):
    with FakeLLMServer(FAULTS[fault]) as server:
        graded = build_grader(fake_settings(server, tmp_path), grader).grade(bank.get("F004-37"), GOOD_ADAM)
    assert graded.grader == "offline" and graded.score >= 5
    assert graded.notes == (notice(fault, server),)
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
    assert f"Note: {notice(fault, server)}" in " ".join(result.output.split())
    assert "sk-test-secret" not in result.output
    [saved] = saved_entries(user_folders / "xdg_data_home" / "interviewer")
    assert saved.answer == GOOD_ADAM and saved.grader == "offline" and saved.grade.notes


def test_fake_server_first_model_is_used_when_none_is_configured(tmp_path):
    with FakeLLMServer(lambda request: Reply(content="ok")) as server:
        client = ChatClient(server.base_url)
        assert client.model == "fake-model"
        client.complete_text([{"role": "user", "content": "hi"}])
    assert server.requests[-1]["model"] == "fake-model" and server.requests[-1]["temperature"] == 0


GRADE_REQUEST = [{"role": "user", "content": "grade"}]
SCHEMA = {"type": "object"}


def in_turn(*replies: Reply):
    """A script answering each request with the next reply, the last one for ever after."""
    queue = list(replies)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]


def remembered(memory_file) -> dict:
    """The one entry of an llm-formats.json, or {} when nothing was written."""
    if not memory_file.exists():
        return {}
    (entry,) = json.loads(memory_file.read_text()).values()
    return entry


def test_transient_500s_then_success_are_retried_with_a_notice_and_the_format_kept(tmp_path):
    memory_file, notices, waits = tmp_path / "formats.json", [], []
    boom = Reply(status=500, body='{"error": {"message": "boom"}}')
    with FakeLLMServer(in_turn(boom, boom, Reply(content=VALID_GRADE))) as server:
        client = ChatClient(server.base_url, "", "fake-model", retries=2, memory=ServerMemory(memory_file),
                            sleep=waits.append, notify=notices.append)
        assert client.complete_json(GRADE_REQUEST, SCHEMA, "grade")["score"] == 6
    assert server.formats() == ["json_schema"] * 3 and waits == [0.5, 1.0]
    assert notices == [f"The LLM server {server.base_url}: HTTP 500: boom; retrying in {s} s..."
                       for s in ("0.5", "1")]
    assert remembered(memory_file)["format"] == "json_schema"


def test_a_500_is_no_format_refusal_and_nothing_is_remembered_before_a_valid_reply(tmp_path):
    memory_file = tmp_path / "formats.json"
    with FakeLLMServer(lambda request: Reply(status=500, body='{"error": {"message": "boom"}}')) as server:
        client = ChatClient(server.base_url, "", "fake-model", retries=1, memory=ServerMemory(memory_file),
                            sleep=lambda s: None)
        with pytest.raises(LLMError, match="HTTP 500: boom after 2 tries"):
            client.complete_json(GRADE_REQUEST, SCHEMA, "grade")
    with FakeLLMServer(lambda request: Reply(content="no JSON here")) as server:
        client = ChatClient(server.base_url, "", "fake-model", memory=ServerMemory(memory_file))
        with pytest.raises(LLMError, match="not JSON"):
            client.complete_json(GRADE_REQUEST, SCHEMA, "grade")
    assert server.formats() == ["json_schema"] and not memory_file.exists()


def test_a_refused_format_moves_down_the_ladder_is_remembered_and_the_best_is_tried_again_later(tmp_path):
    def script(request: dict) -> Reply:  # how llama-cpp-python refuses json_schema: a 500 naming the field
        kind = (request.get("response_format") or {}).get("type")
        message = "('body', 'response_format', 'type'): Input should be 'text' or 'json_object'"
        return Reply(status=500, body=json.dumps({"error": {"message": message}})) if kind == "json_schema" \
            else Reply(content=VALID_GRADE)

    memory_file = tmp_path / "formats.json"
    with FakeLLMServer(script) as server:
        for _ in range(2):
            client = ChatClient(server.base_url, "", "fake-model", memory=ServerMemory(memory_file))
            assert client.complete_json(GRADE_REQUEST, SCHEMA, "grade")
        assert server.formats() == ["json_schema", "json_object", "json_object"]
        learnt = remembered(memory_file)
        assert learnt["format"] == "json_object"
        ChatClient(server.base_url, "", "fake-model", memory=ServerMemory(memory_file)).complete_json(
            GRADE_REQUEST, SCHEMA, "grade")
        assert remembered(memory_file) == learnt  # used again, not learnt again: its day runs on
        stale = {f"{server.base_url} fake-model": {**learnt, "format_since": time.time() - 2 * 24 * 3600}}
        memory_file.write_text(json.dumps(stale))
        ChatClient(server.base_url, "", "fake-model", memory=ServerMemory(memory_file)).complete_json(
            GRADE_REQUEST, SCHEMA, "grade")
    assert server.formats()[4:] == ["json_schema", "json_object"]
    assert remembered(memory_file)["format_since"] >= learnt["format_since"]  # its day starts again


def test_a_server_that_only_speaks_text_gets_json_extracted_from_prose(tmp_path):
    def script(request: dict) -> Reply:
        if request.get("response_format"):
            return Reply(status=400, body="{}")
        return Reply(content=f"Sure! Here is the grade:\n```json\n{VALID_GRADE}\n```")

    with FakeLLMServer(script) as server:
        client = ChatClient(server.base_url, "", "fake-model")
        reply = client.complete_json(GRADE_REQUEST, SCHEMA, "grade")
    assert reply["score"] == 6 and server.formats() == ["json_schema", "json_object", "text"]


def test_a_hung_server_costs_one_timeout_then_is_not_asked_until_the_cooldown_ends(bank, grader, tmp_path):
    hung = Reply(content=VALID_GRADE, delay=2)
    with FakeLLMServer(lambda request: hung) as server:
        settings = fake_settings(server, tmp_path, retries=2)
        graded = build_grader(settings, grader)
        notes = [graded.grade(bank.get("F004-37"), GOOD_ADAM).notes[0] for _ in range(3)]
        assert len(server.requests) == 1
        assert f"{server.base_url} sent no reply within 0.5 s" in notes[0]
        skipped = re.escape(server.base_url) + r" not asked: it failed \d+ s ago \(no reply in time\)"
        assert all(re.search(skipped, note) for note in notes[1:]), notes

        now = [0.0]
        client = ChatClient(server.base_url, "", "fake-model", timeout=0.3, retries=2, clock=lambda: now[0])
        with pytest.raises(LLMError, match="no reply within 0.3 s"):
            client.complete_text(GRADE_REQUEST)
        now[0] = BREAKER_COOLDOWN - 1
        with pytest.raises(LLMError, match="asked again in 1 s"):
            client.complete_text(GRADE_REQUEST)
        now[0] = BREAKER_COOLDOWN
        with pytest.raises(LLMError, match="no reply within 0.3 s"):
            client.complete_text(GRADE_REQUEST)
    assert len(server.requests) == 3


def test_hints_and_follow_ups_ask_a_failing_server_once_without_retries(bank, tmp_path):
    with FakeLLMServer(lambda request: Reply(status=503, body="{}")) as server:
        coach = Coach(ChatClient(server.base_url, "", "fake-model", retries=3, sleep=lambda s: None))
        question = bank.get("F004-37")
        hint = coach.hint(question)
        assert hint == offline_hint(question, question.key_points[0])
        assert len(server.requests) == 1
        assert coach.follow_up(question, GOOD_ADAM, grader_grade(question)) is None
    assert len(server.requests) == 1


def grader_grade(question):
    from interviewer.models import Grade, KeyPointResult

    points = tuple(KeyPointResult(k, "covered" if n == 0 else "missed", "q" if n == 0 else "")
                   for n, k in enumerate(question.key_points))
    return Grade(question.id, 3, "llm", points, "Feedback.", question.reference)


def test_a_429_waits_as_long_as_retry_after_asks_or_fails_at_once_when_that_is_too_long(tmp_path):
    waits, notices = [], []
    limited = Reply(status=429, body='{"error": {"message": "slow down"}}', headers={"Retry-After": "2"})
    with FakeLLMServer(in_turn(limited, Reply(content="fine"))) as server:
        client = ChatClient(server.base_url, "", "fake-model", sleep=waits.append, notify=notices.append)
        assert client.complete_text(GRADE_REQUEST) == "fine"
    assert waits == [2.0] and "HTTP 429: slow down; retrying in 2 s..." in notices[0]
    too_long = Reply(status=429, body="{}", headers={"Retry-After": "600"})
    with FakeLLMServer(lambda request: too_long) as server:
        client = ChatClient(server.base_url, "", "fake-model", sleep=waits.append)
        with pytest.raises(LLMError, match="HTTP 429 and asks to wait 600 s"):
            client.complete_text(GRADE_REQUEST)
    assert len(server.requests) == 1 and waits == [2.0]


def test_a_think_block_and_a_lead_in_are_stripped_from_grades_and_hints(bank, grader, tmp_path):
    thought = '<think>The answer says {"score": 10}? No: it covers one key point.</think>\n'
    with FakeLLMServer(lambda request: Reply(content=thought + VALID_GRADE)) as server:
        graded = build_grader(fake_settings(server, tmp_path), grader).grade(bank.get("F004-37"), GOOD_ADAM)
    assert graded.grader == "llm" and graded.feedback == "Good start." and not graded.notes
    question = bank.get("F004-37")
    replies = {
        "<think>Let me think.</think>\nHint: Sure, here is a hint:\nThink about what the moment estimates "
        "remember.": "Hint: Think about what the moment estimates remember.",
        "Hint: Sure, here is a question:": offline_hint(question, question.key_points[0]),
        "The answer is: " + question.key_points[0]: offline_hint(question, question.key_points[0]),
        question.key_points[0]: offline_hint(question, question.key_points[0]),
    }
    for reply, shown in replies.items():
        with FakeLLMServer(lambda request, reply=reply: Reply(content=reply)) as server:
            assert Coach(ChatClient(server.base_url, "", "fake-model")).hint(question) == shown, reply


def test_a_401_is_not_retried_and_its_note_names_the_server_and_its_message_without_the_key(
        bank, grader, tmp_path):
    refused = Reply(status=401, body='{"error": {"message": "Incorrect API key provided: sk-test-secret-123",'
                                     ' "code": "invalid_api_key"}}')
    with FakeLLMServer(lambda request: refused) as server:
        graded = build_grader(fake_settings(server, tmp_path), grader).grade(bank.get("F004-37"), GOOD_ADAM)
    assert len(server.requests) == 1
    assert graded.notes == (f"The LLM grader was unavailable ({server.base_url} answered HTTP 401: "
                            "invalid_api_key: Incorrect API key provided: ***); graded offline.",)


def test_a_context_overflow_is_not_taken_for_a_format_refusal(tmp_path):
    overflow = Reply(status=400, body=json.dumps({"error": {
        "message": "This model's maximum context length is 4096 tokens.",
        "code": "context_length_exceeded"}}))
    with FakeLLMServer(lambda request: overflow) as server:
        client = ChatClient(server.base_url, "", "fake-model")
        with pytest.raises(LLMError, match="HTTP 400: context_length_exceeded: This model's maximum context"):
            client.complete_json(GRADE_REQUEST, SCHEMA, "grade")
    assert server.formats() == ["json_schema"]


def test_a_cut_off_reply_says_so(tmp_path):
    with FakeLLMServer(lambda request: Reply(content='{"key_points": [', finish_reason="length")) as server:
        client = ChatClient(server.base_url, "", "fake-model")
        with pytest.raises(LLMError, match=r"cut the reply off at 50 tokens \(finish_reason 'length'\)"):
            client.complete_json(GRADE_REQUEST, SCHEMA, "grade", max_tokens=50)


def test_the_first_chat_model_is_chosen_and_a_server_with_none_gets_a_clear_message(tmp_path):
    listed = ("nomic-embed-text:latest", "llama3.2")
    with FakeLLMServer(lambda request: Reply(content="ok"), models=listed) as s:
        client = ChatClient(s.base_url)
        client.complete_text(GRADE_REQUEST)
    assert client.model == "llama3.2" and s.requests[-1]["model"] == "llama3.2"
    no_chat = r"lists no chat model \(nomic-embed-text:latest\); name one with --llm-model or INTERVIEWER_LLM"
    with (FakeLLMServer(lambda request: Reply(content="ok"), models=listed[:1]) as s,
          pytest.raises(LLMError, match=no_chat)):
        ChatClient(s.base_url).complete_text(GRADE_REQUEST)
    assert ChatClient("https://api.openai.com/v1", "sk-test").model == OPENAI_DEFAULT_MODEL


def test_a_model_that_refuses_max_tokens_and_temperature_is_asked_again_without_and_remembered(tmp_path):
    def script(request: dict) -> Reply:  # what OpenAI's reasoning models answer
        if "max_tokens" in request:
            return Reply(status=400, body=json.dumps({"error": {"message": "Unsupported parameter: "
                         "'max_tokens' is not supported with this model. "
                         "Use 'max_completion_tokens' instead."}}))
        if "temperature" in request:
            return Reply(status=400, body=json.dumps({"error": {"message": "Unsupported value: 'temperature' "
                         "does not support 0 with this model. Only the default (1) value is supported."}}))
        return Reply(content=VALID_GRADE)

    memory_file = tmp_path / "formats.json"
    with FakeLLMServer(script) as server:
        client = ChatClient(server.base_url, "", "thinker", memory=ServerMemory(memory_file))
        assert client.complete_json(GRADE_REQUEST, SCHEMA, "grade")["score"] == 6
        assert len(server.requests) == 3
        again = ChatClient(server.base_url, "", "thinker", memory=ServerMemory(memory_file))
        again.complete_json(GRADE_REQUEST, SCHEMA, "grade")
    assert len(server.requests) == 4
    assert server.requests[-1]["max_completion_tokens"] == 1000 and "temperature" not in server.requests[-1]
    reasoning = ServerQuirks.defaults("https://api.openai.com/v1", "o3-mini")
    assert reasoning.token_field == "max_completion_tokens" and not reasoning.temperature


def test_strict_json_schema_leaves_out_what_openai_strict_mode_rejects(bank):
    schema = grade_schema(bank.get("F004-37"))
    strict = response_format("json_schema", schema, "grade")["json_schema"]["schema"]
    text = json.dumps(strict)
    assert not any(f'"{word}"' in text for word in ("minimum", "maximum", "maxItems"))
    key_point = strict["properties"]["key_points"]["items"]["properties"]["key_point"]
    assert key_point["enum"] == [1, 2, 3, 4, 5, 6]
    assert response_format("json_object", schema, "grade")["schema"] == schema


def test_the_terminal_says_retrying_while_the_candidate_waits(index, user_folders, monkeypatch):
    boom = Reply(status=503, body='{"error": {"message": "loading model"}}')
    with FakeLLMServer(in_turn(boom, Reply(content=VALID_GRADE))) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        result = CliRunner().invoke(cli, ["grade", "-q", "F004-37", "-a", GOOD_ADAM, "--llm"])
    assert result.exit_code == 0, result.output
    assert (f"The LLM server {server.base_url}: HTTP 503: loading model; retrying in 0.5 s..."
            in result.output)
    assert "(llm grader · fake-model)" in result.output and "unavailable" not in result.output

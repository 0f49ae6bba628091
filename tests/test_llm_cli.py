"""The interactive loop with an LLM: /hint, a follow-up after a partial answer, the folded grade, the log.
The server is a scripted fake here, so the flow is the same on every run; test_llm_server runs it for real."""

from __future__ import annotations

import json

from click.testing import CliRunner

from interviewer.cli import cli

from .fake_llm_server import FakeLLMServer, Reply
from .saved_answers import saved_entries

FIRST = "Adam keeps an exponential moving average of the gradients, like momentum."
SECOND = "Early on both averages are biased towards zero, so Adam applies a bias correction."


def grade_json(key_point: int, evidence: str, score: float) -> str:
    return json.dumps({"key_points": [{"key_point": key_point, "status": "covered", "evidence": evidence}],
                       "mistakes": [], "score": score, "feedback": "Keep going."})


def scripted(request: dict) -> Reply:
    """Grades by which answer is in the prompt; writes a hint or a follow-up question otherwise."""
    system, user = (m["content"] for m in request["messages"])
    if request.get("response_format"):
        return Reply(content=grade_json(5, SECOND, 2) if SECOND in user else grade_json(3, FIRST, 2))
    if "follow-up question" in system:
        return Reply(content="What happens to the averages in the first steps of training?")
    return Reply(content="Think about what the optimizer remembers between steps.")


def test_ask_with_an_llm_gives_a_hint_asks_a_follow_up_and_folds_it_in(index, user_folders, monkeypatch):
    with FakeLLMServer(scripted) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        answers = f"/hint\n{FIRST}\n\n/hint\n{SECOND}\n\n"
        result = CliRunner().invoke(cli, ["ask", "-q", "F004-37"], input=answers, catch_exceptions=False)
    output = result.output
    assert result.exit_code == 0, output
    assert output.count("Hint: Think about what the optimizer remembers between steps.") == 2
    assert "(You have had this question's" in output
    assert output.index("Follow-up:") < output.index("Score:")
    assert "What happens to the averages in the first steps of training?" in output
    # each grade is capped at what its checklist supports (1 of 6 key points: 1.5); the follow-up
    # covers one more key point, which adds half of 10/6
    assert "Score: 2.5/10  (llm grader · fake-model)" in output
    assert "1 key point(s) improved; score 1.5 → 2.5" in output
    entries = saved_entries(user_folders / "xdg_data_home" / "interviewer")
    assert [e.answer for e in entries] == [FIRST, SECOND]
    follow_up = "What happens to the averages in the first steps of training?"
    assert [e.kind for e in entries] == ["answer", "follow-up"] and entries[1].parent_id == entries[0].id
    assert entries[0].follow_up == entries[1].follow_up == follow_up
    assert entries[0].hint and entries[1].hint and entries[0].score == 2.5 and entries[1].grade is not None


def test_ask_offline_gives_an_offline_hint_and_no_follow_up(index, user_folders):
    result = CliRunner().invoke(cli, ["--offline", "ask", "-q", "F004-37"], input=f"/hint\n{FIRST}\n\n")
    assert result.exit_code == 0
    assert "Hint: think about" in result.output and "Follow-up:" not in result.output
    assert "(offline grader)" in result.output

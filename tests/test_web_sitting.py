"""The web chat's per-session state without a browser: start, answer, hint, skip, follow-up, retake, next,
end, the candidate's own grade, the timer, the summary and the export, with the real offline grader."""

from __future__ import annotations

import json
import random
import threading

import pytest

from interviewer.coaching import weakest_point
from interviewer.config import Settings
from interviewer.errors import BackendError, InterviewerError
from interviewer.runtime import Runtime
from interviewer.session import UnknownTopicError
from interviewer.web import render
from interviewer.web.export import session_markdown, write_export
from interviewer.web.sitting import (
    NEEDS_AN_LLM,
    SittingError,
    answer,
    ask_follow_up,
    disagree,
    end,
    grader_choices,
    hint,
    next_question,
    open_sitting,
    retake,
    seconds_left,
    skip,
    start,
    time_up,
    weak_points,
)

from .test_cli import GOOD_ADAM

WEAK_ADAM = "Adam is an optimizer that adapts the learning rate."


def kinds(sitting) -> list[str]:
    return [said.kind for said in sitting.transcript]


def on(runtime, *ids: str, **options):
    """A sitting on these bank questions, graded offline unless told otherwise."""
    options.setdefault("grader_name", "offline")
    return open_sitting(runtime, [runtime.bank.get(i) for i in ids], **options)


def logged_answers(runtime) -> list[dict]:
    lines = (runtime.settings.data_dir / "answers.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


class Clock:
    """A clock the test moves by hand, so the timer's end comes without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_start_on_a_topic_asks_questions_of_that_topic(web_runtime):
    sitting = start(web_runtime, ["optimizers"], 3, "offline", rng=random.Random(7))
    assert len(sitting.interview.questions) == 3
    assert all("optimizers" in q.topics for q in sitting.interview.questions)
    first = sitting.transcript[0]
    assert (first.kind, first.question, first.number) == ("question", sitting.interview.questions[0], 1)
    assert sitting.phase == "asking" and sitting.deadline is None


def test_start_by_free_text_and_an_unknown_topic(web_runtime):
    sitting = start(web_runtime, ["adam"], 2, "offline", rng=random.Random(1))
    assert sitting.interview.questions
    with pytest.raises(UnknownTopicError, match="topics are: optimizers"):
        start(web_runtime, ["medieval tapestry weaving"], 2, "offline")


def test_the_llm_is_offered_only_when_one_is_configured(web_runtime):
    assert grader_choices(Settings()) == ["offline"]
    assert grader_choices(Settings(base_url="http://127.0.0.1:9/v1", mode="offline")) == ["llm", "offline"]
    with pytest.raises(SittingError, match="grader 'llm' is not available here"):
        start(web_runtime, ["optimizers"], 1, "llm")


def test_an_answer_is_saved_then_graded(web_runtime):
    sitting = on(web_runtime, "F004-37")
    answer(sitting, GOOD_ADAM)
    turn = sitting.last_turn
    assert turn.answer == GOOD_ADAM and turn.grade.score >= 5 and turn.grade.grader == "offline"
    assert kinds(sitting) == ["question", "answer", "grade"] and sitting.phase == "graded"
    saved = [e for e in logged_answers(web_runtime) if e.get("answer") == GOOD_ADAM]
    assert saved and saved[-1]["question_id"] == "F004-37"


def test_an_empty_answer_is_refused_and_nothing_is_graded(web_runtime):
    sitting = on(web_runtime, "F004-37")
    with pytest.raises(SittingError, match="type an answer first"):
        answer(sitting, "  \n ")
    assert not sitting.interview.turns and sitting.phase == "asking"


def test_the_candidates_own_grade_is_recorded_and_exported(web_runtime):
    sitting = on(web_runtime, "F004-37")
    with pytest.raises(SittingError, match="once an answer has been graded"):
        disagree(sitting, 8, "")
    answer(sitting, WEAK_ADAM)
    machine = sitting.last_turn.grade.score
    with pytest.raises(SittingError, match="from 0 to 10"):
        disagree(sitting, 11, "")
    disagree(sitting, 8, " I named the adaptive learning rate. ")
    mine = sitting.disagreements[0]
    assert mine.score == 8 and mine.reason == "I named the adaptive learning rate."
    assert f"beside the grader's {machine:g}/10" in sitting.transcript[-1].text
    end(sitting)
    markdown = session_markdown(sitting)
    assert WEAK_ADAM in markdown and f"**Score: {machine:g}/10**" in markdown
    assert f"**Your grade: 8/10**, beside the grader's {machine:g}/10. Why: I named the adaptive" in markdown
    assert f"{machine:g}/10 (yours: 8/10)" in render.summary(sitting)


def test_skip_moves_on_and_skipping_the_last_question_ends(web_runtime):
    sitting = on(web_runtime, "F004-37", "F004-36")
    skip(sitting)
    assert sitting.interview.turns[0].skipped and sitting.transcript[-1].number == 2
    with pytest.raises(SittingError, match="retake comes after a graded answer"):
        retake(sitting)
    skip(sitting)
    assert sitting.phase == "ended"
    assert "| skipped |" in render.summary(sitting) and "No answer was graded" in render.summary(sitting)


def test_retake_replaces_the_grade_and_the_export_keeps_the_first_attempt(web_runtime):
    sitting = on(web_runtime, "F004-37", "F004-36")
    answer(sitting, WEAK_ADAM)
    first = sitting.last_turn.grade.score
    disagree(sitting, 6, "")
    retake(sitting)
    assert sitting.phase == "asking" and sitting.interview.current().id == "F004-37"
    assert sitting.transcript[-1].kind == "question" and sitting.transcript[-1].number == 1
    answer(sitting, GOOD_ADAM)
    assert len(sitting.interview.turns) == 1 and sitting.last_turn.answer == GOOD_ADAM
    assert sitting.last_turn.grade.score > first and 0 not in sitting.disagreements
    next_question(sitting)
    assert sitting.transcript[-1].number == 2
    end(sitting)
    markdown = session_markdown(sitting)
    assert "### Attempt 1 (retaken)" in markdown and "### Attempt 2" in markdown
    assert markdown.index(WEAK_ADAM) < markdown.index(GOOD_ADAM)
    assert f"**Your grade: 6/10**, beside the grader's {first:g}/10" in markdown


def test_next_after_the_last_question_ends_and_end_comes_at_any_time(web_runtime):
    sitting = on(web_runtime, "F004-37")
    with pytest.raises(SittingError, match="answer or skip the question first"):
        next_question(sitting)
    answer(sitting, GOOD_ADAM)
    next_question(sitting)
    assert sitting.phase == "ended"
    early = on(web_runtime, "F004-37", "F004-36", "F004-35")
    end(early)
    assert early.phase == "ended" and render.summary(early).endswith("No question was answered.")


def test_hints_are_remembered_per_sitting(web_runtime):
    mine, theirs = on(web_runtime, "F004-37"), on(web_runtime, "F004-37")
    hint(mine)
    hint(mine)
    hint(theirs)
    first, again = (s.text for s in mine.transcript if s.kind == "hint")
    assert first.startswith("Hint: ") and again == first + " (You have had this question's hint.)"
    assert [s.text for s in theirs.transcript if s.kind == "hint"] == [first]


def test_a_follow_up_without_an_llm_says_how_to_configure_one(web_runtime):
    sitting = on(web_runtime, "F004-37")
    answer(sitting, WEAK_ADAM)
    ask_follow_up(sitting)
    assert sitting.transcript[-1].text == NEEDS_AN_LLM and "OPENAI_BASE_URL" in NEEDS_AN_LLM
    assert sitting.phase == "graded"


def test_when_time_is_up_the_typed_answer_is_graded_and_an_empty_box_skips(web_runtime):
    clock = Clock()
    sitting = on(web_runtime, "F004-37", "F004-36", seconds=60, clock=clock)
    assert seconds_left(sitting) == 60 and render.countdown(60) == "Time left for this question: **1:00**"
    clock.now += 59.5
    assert not time_up(sitting, WEAK_ADAM) and seconds_left(sitting) == 0.5
    assert render.countdown(seconds_left(sitting)) == "Time left for this question: **0:01**"
    clock.now += 1
    assert time_up(sitting, WEAK_ADAM)
    assert sitting.last_turn.answer == WEAK_ADAM and sitting.phase == "graded" and sitting.deadline is None
    next_question(sitting)
    assert seconds_left(sitting) == 60
    clock.now += 61
    assert time_up(sitting, "   ")
    assert sitting.interview.turns[1].skipped and sitting.phase == "ended"
    assert "Time is up, and the answer box was empty." in [s.text for s in sitting.transcript]


class FailingGrader:
    """An injected fault: a grader that always fails."""

    name = "offline"

    def grade(self, question, answer):
        raise BackendError("the grader is down (injected fault)")


def test_injected_grader_fault_leaves_the_question_open_and_the_answer_saved(web_runtime):
    sitting = on(web_runtime, "F004-37")
    sitting.grader = FailingGrader()
    text = "An answer typed before the grader failed."
    with pytest.raises(InterviewerError, match=r"down \(injected fault\) \(your answer was saved to "):
        answer(sitting, text)
    assert sitting.phase == "asking" and not sitting.interview.turns
    saved = [e for e in logged_answers(web_runtime) if e.get("answer") == text][0]
    assert {"id": saved["id"], "error": "the grader is down (injected fault)"} in logged_answers(web_runtime)


def test_summary_chart_data_and_weakest_points(web_runtime):
    sitting = on(web_runtime, "F004-37", "F004-36", "F004-35")
    answer(sitting, GOOD_ADAM)
    next_question(sitting)
    answer(sitting, "RMSProp divides the learning rate by a moving average of squared gradients.")
    next_question(sitting)
    skip(sitting)
    per_question, per_topic = render.question_scores(sitting), render.topic_scores(sitting)
    assert list(per_question["question"]) == ["Q1 F004-37", "Q2 F004-36", "Q3 F004-35"]
    assert list(per_question["score"]) == [t.grade.score for t in sitting.interview.turns[:2]] + [0.0]
    assert list(per_topic["topic"]) == ["optimizers"]
    weak = weak_points(sitting.interview)
    statuses = [k.status for _, k in weak]
    assert weak and statuses == sorted(statuses, key=["missed", "partial"].index)
    summary = render.summary(sitting)
    assert "Mean score:" in summary and "### Key points to review" in summary and weak[0][1].text in summary


def test_the_grade_card_has_the_checklist_evidence_and_the_reference_behind_a_reveal(web_runtime):
    sitting = on(web_runtime, "F004-37")
    answer(sitting, GOOD_ADAM)
    grade = sitting.last_turn.grade
    card = render.grade_card(grade)
    assert card.startswith(f"### Score: {grade.score:g}/10\noffline grader")
    for point in grade.key_points:
        assert f"{render.MARKS[point.status]} **{point.status}**: {point.text}" in card
        assert not point.evidence or f"“{render.literal(point.evidence)}”" in card
    assert f"<details><summary>{render.REVEAL}</summary>\n\n{grade.reference}\n\n</details>" in card
    messages = render.chat(sitting)
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant"]
    assert messages[1]["content"] == render.literal(GOOD_ADAM)


def test_the_export_is_written_as_a_markdown_file(web_runtime, tmp_path):
    sitting = on(web_runtime, "F004-37")
    answer(sitting, GOOD_ADAM)
    end(sitting)
    path = write_export(sitting, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert path.suffix == ".md" and text.startswith("# Mock interview, ")
    assert f"```text\n{GOOD_ADAM}\n```" in text  # the answer exactly as typed
    assert "Reference answer:" in text and "## Summary" in text


def test_one_runtime_grades_for_many_threads_as_for_one(web_runtime):
    questions = [web_runtime.bank.get(i) for i in ("F004-37", "F004-36", "F004-35")]
    grader = web_runtime.grader(mode="offline")
    alone = [grader.grade(q, GOOD_ADAM).score for q in questions]
    together: dict[int, float] = {}
    barrier = threading.Barrier(len(questions))

    def grade(position: int) -> None:
        barrier.wait()
        together[position] = grader.grade(questions[position], GOOD_ADAM).score

    threads = [threading.Thread(target=grade, args=(i,)) for i in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [together[i] for i in range(len(questions))] == alone


def test_a_follow_up_written_by_a_real_llm_is_asked_answered_and_folded_in(llama_server, index, tmp_path):
    settings = Settings(base_url=llama_server, timeout=120, cache_dir=tmp_path, data_dir=tmp_path)
    runtime = Runtime(settings, index=index)
    sitting = on(runtime, "F004-37", grader_name="llm")
    sitting.grader = runtime.grader(mode="offline")  # a partial grade to follow up, however the model grades
    answer(sitting, WEAK_ADAM)
    before = sitting.last_turn.grade
    ask_follow_up(sitting)
    assert sitting.phase == "follow-up" and sitting.transcript[-1].kind == "follow-up"
    assert sitting.follow_up.key_point == weakest_point(before.key_points)
    answer(sitting, "It keeps a moving average of the squared gradients too, and corrects both for bias.")
    turn = sitting.last_turn
    assert sitting.phase == "graded" and turn.follow_up is not None and turn.follow_up_answer
    assert any("Follow-up “" in note for note in turn.grade.notes)
    ask_follow_up(sitting)
    assert "You have answered this question's follow-up" in sitting.transcript[-1].text
    end(sitting)
    assert f"Follow-up: {turn.follow_up.question}" in session_markdown(sitting)

"""The interview engine driven without an interface: start, answer (saved, graded, recorded), follow-up,
hint, skip, retake, next, end, the candidate's own grade, the timer, the summary and the export, with the
real offline grader and a real LLM server where one writes."""

from __future__ import annotations

import random
import threading

import pytest

from interviewer.coaching import weakest_point
from interviewer.config import Settings
from interviewer.errors import BackendError, InterviewerError
from interviewer.runtime import Runtime
from interviewer.selection import UnknownTopicError
from interviewer.session import MoveError
from interviewer.web import render
from interviewer.web.export import session_markdown, write_export

from .saved_answers import saved_entries
from .test_cli import GOOD_ADAM

WEAK_ADAM = "Adam is an optimizer that adapts the learning rate."


def kinds(interview) -> list[str]:
    return [said.kind for said in interview.transcript]


def on(runtime, *ids: str, mode: str = "offline", **options):
    """An interview on these bank questions, graded offline unless told otherwise."""
    return runtime.interview([runtime.bank.get(i) for i in ids], mode, **options)


def start(runtime, topics: list[str], count: int, mode: str, rng: random.Random | None = None):
    """An interview on TOPICS, as the interfaces start one."""
    return runtime.interview(runtime.questions_on(topics, count, rng or random.Random()), mode)


def logged_answers(runtime):
    return saved_entries(runtime.settings.data_dir)


class Clock:
    """A clock the test moves by hand, so the timer's end comes without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_start_on_a_topic_asks_questions_of_that_topic(web_runtime):
    interview = start(web_runtime, ["optimizers"], 3, "offline", rng=random.Random(7))
    assert len(interview.questions) == 3
    assert all("optimizers" in q.topics for q in interview.questions)
    first = interview.transcript[0]
    assert (first.kind, first.question, first.number) == ("question", interview.questions[0], 1)
    assert interview.phase == "asking" and interview.deadline is None


def test_start_by_free_text_and_an_unknown_topic(web_runtime):
    interview = start(web_runtime, ["adam"], 2, "offline", rng=random.Random(1))
    assert interview.questions
    with pytest.raises(UnknownTopicError, match="topics are: optimizers"):
        start(web_runtime, ["medieval tapestry weaving"], 2, "offline")


def test_the_llm_grader_is_refused_when_none_is_configured(web_runtime):
    with pytest.raises(InterviewerError, match="grader 'llm' is not available here"):
        start(web_runtime, ["optimizers"], 1, "llm")


def test_an_answer_is_saved_then_graded(web_runtime):
    interview = on(web_runtime, "F004-37")
    interview.answer(GOOD_ADAM)
    turn = interview.last_turn
    assert turn.answer == GOOD_ADAM and turn.grade.score >= 5 and turn.grade.grader == "offline"
    assert kinds(interview) == ["question", "answer", "grade"] and interview.phase == "graded"
    saved = [e for e in logged_answers(web_runtime) if e.answer == GOOD_ADAM]
    assert saved and saved[-1].question_id == "F004-37" and saved[-1].score == turn.grade.score


def test_an_empty_answer_is_refused_and_nothing_is_graded(web_runtime):
    interview = on(web_runtime, "F004-37")
    for nothing in ("  \n ", "\x00\x07\x1b[D \t"):
        with pytest.raises(MoveError, match="the answer is empty .*: type an answer first, or skip"):
            interview.answer(nothing)
    assert not interview.turns and interview.phase == "asking"


def test_an_answer_is_cleaned_its_changes_noted_on_the_card_and_saved_whole(web_runtime):
    interview = on(web_runtime, "F004-37")
    typed = GOOD_ADAM.replace("Adam", "Adam\udcff", 1) + "\x07 Also" + " more" * 6000
    grade = interview.answer(typed)
    whole = GOOD_ADAM.replace("Adam", "Adam\ufffd", 1) + " Also" + " more" * 6000
    notes = ("Replaced 1 invalid byte (not UTF-8 text) with “\ufffd”.", "Dropped 1 control character.",
             f"Long answer: graded the first 5,000 words of {len(whole.split()):,}; the whole answer is kept "
             "in the history.")
    assert grade.notes[:3] == notes
    assert all(f"*Note: {note}*" in render.grade_card(grade) for note in notes)
    turn = interview.last_turn
    assert turn.answer == " ".join(whole.split(" ")[:5000]) and interview.transcript[1].text == turn.answer
    [saved] = [e for e in logged_answers(web_runtime) if e.answer == whole]
    assert saved.grade.notes[:3] == notes


def test_the_candidates_own_grade_is_recorded_and_exported(web_runtime):
    interview = on(web_runtime, "F004-37")
    with pytest.raises(MoveError, match="once an answer has been graded"):
        interview.disagree(8, "")
    interview.answer(WEAK_ADAM)
    machine = interview.last_turn.grade.score
    with pytest.raises(MoveError, match="from 0 to 10"):
        interview.disagree(11, "")
    interview.disagree(8, " I named the adaptive learning rate. ")
    mine = interview.turns[0].own_grade
    assert mine.score == 8 and mine.reason == "I named the adaptive learning rate."
    assert f"beside the grader's {machine:g}/10" in interview.transcript[-1].text
    interview.end()
    markdown = session_markdown(interview)
    assert WEAK_ADAM in markdown and f"**Score: {machine:g}/10**" in markdown
    assert f"**Your grade: 8/10**, beside the grader's {machine:g}/10. Why: I named the adaptive" in markdown
    assert f"{machine:g}/10 (yours: 8/10)" in render.summary(interview)


def test_skip_moves_on_and_skipping_the_last_question_ends(web_runtime):
    interview = on(web_runtime, "F004-37", "F004-36")
    interview.skip()
    assert interview.turns[0].skipped and interview.transcript[-1].number == 2
    with pytest.raises(MoveError, match="retake comes after a graded answer"):
        interview.retake()
    interview.skip()
    assert interview.phase == "ended"
    assert "| skipped |" in render.summary(interview) and "No answer was graded" in render.summary(interview)


def test_retake_replaces_the_grade_and_the_export_keeps_the_first_attempt(web_runtime):
    interview = on(web_runtime, "F004-37", "F004-36")
    interview.answer(WEAK_ADAM)
    first = interview.last_turn.grade.score
    interview.disagree(6, "")
    interview.retake()
    assert interview.phase == "asking" and interview.current().id == "F004-37"
    assert interview.transcript[-1].kind == "question" and interview.transcript[-1].number == 1
    interview.answer(GOOD_ADAM)
    assert len(interview.turns) == 1 and interview.last_turn.answer == GOOD_ADAM
    assert interview.last_turn.grade.score > first and interview.last_turn.own_grade is None
    assert interview.earlier[0][0].own_grade.score == 6
    interview.next()
    assert interview.transcript[-1].number == 2
    interview.end()
    markdown = session_markdown(interview)
    assert "### Attempt 1 (retaken)" in markdown and "### Attempt 2" in markdown
    assert markdown.index(WEAK_ADAM) < markdown.index(GOOD_ADAM)
    assert f"**Your grade: 6/10**, beside the grader's {first:g}/10" in markdown


def test_next_after_the_last_question_ends_and_end_comes_at_any_time(web_runtime):
    interview = on(web_runtime, "F004-37")
    with pytest.raises(MoveError, match="answer or skip the question first"):
        interview.next()
    interview.answer(GOOD_ADAM)
    interview.next()
    assert interview.phase == "ended"
    early = on(web_runtime, "F004-37", "F004-36", "F004-35")
    early.end()
    assert early.phase == "ended" and render.summary(early).endswith("No question was answered.")


def test_hints_are_remembered_per_interview(web_runtime):
    mine, theirs = on(web_runtime, "F004-37"), on(web_runtime, "F004-37")
    mine.hint()
    mine.hint()
    theirs.hint()
    first, again = (s.text for s in mine.transcript if s.kind == "hint")
    assert first.startswith("Hint: ") and again == first + " (You have had this question's hint.)"
    assert [s.text for s in theirs.transcript if s.kind == "hint"] == [first]


def test_without_an_llm_a_partial_answer_is_graded_at_once(web_runtime):
    interview = on(web_runtime, "F004-37")
    interview.answer(WEAK_ADAM)
    grade = interview.last_turn.grade
    assert 0 < grade.score < 10 and {"covered", "partial"} & {k.status for k in grade.key_points}
    assert kinds(interview) == ["question", "answer", "grade"] and interview.phase == "graded"
    assert interview.follow_up is None and interview.last_turn.follow_up is None


def test_when_time_is_up_the_typed_answer_is_graded_and_an_empty_box_skips(web_runtime):
    clock = Clock()
    interview = on(web_runtime, "F004-37", "F004-36", seconds=60, clock=clock)
    assert interview.seconds_left() == 60 and render.countdown(60) == "Time left for this question: **1:00**"
    clock.now += 59.5
    assert not interview.time_up(WEAK_ADAM) and interview.seconds_left() == 0.5
    assert render.countdown(interview.seconds_left()) == "Time left for this question: **0:01**"
    clock.now += 1
    assert interview.time_up(WEAK_ADAM)
    assert interview.last_turn.answer == WEAK_ADAM and interview.phase == "graded"
    assert interview.deadline is None
    interview.next()
    assert interview.seconds_left() == 60
    clock.now += 61
    assert interview.time_up("   ")
    assert interview.turns[1].skipped and interview.phase == "ended"
    assert "Time is up, and the answer box was empty." in [s.text for s in interview.transcript]


class FailingGrader:
    """An injected fault: a grader that always fails."""

    name = "offline"

    def grade(self, question, answer):
        raise BackendError("the grader is down (injected fault)")


def test_injected_grader_fault_leaves_the_question_open_and_the_answer_saved(web_runtime):
    interview = on(web_runtime, "F004-37")
    interview.grader = FailingGrader()
    text = "An answer typed before the grader failed."
    with pytest.raises(InterviewerError, match=r"down \(injected fault\) \(your answer was saved to "):
        interview.answer(text)
    assert interview.phase == "asking" and not interview.turns
    [saved] = [e for e in logged_answers(web_runtime) if e.answer == text]
    assert saved.error == "the grader is down (injected fault)" and saved.grade is None


def test_the_summary_has_each_score_beside_the_own_grade_the_means_and_what_to_review(web_runtime):
    interview = on(web_runtime, "F004-37", "F004-36", "F004-35")
    interview.answer(GOOD_ADAM)
    interview.disagree(9, "")
    interview.next()
    interview.answer("RMSProp divides the learning rate by a moving average of squared gradients.")
    interview.next()
    interview.skip()
    summary = interview.summary()
    assert [(row.number, row.question.id) for row in summary.turns] == [(1, "F004-37"), (2, "F004-36"),
                                                                        (3, "F004-35")]
    scores = [t.grade.score for t in interview.turns[:2]]
    assert [row.score for row in summary.turns] == [*scores, None]
    assert [row.own_score for row in summary.turns] == [9.0, None, None]
    assert summary.mean_score == pytest.approx(sum(scores) / 2)
    assert summary.topic_scores == {"optimizers": pytest.approx(sum(scores) / 2)}
    groups = [0 if k.status in ("missed", "wrong") else 1 for _, k in summary.weak_points]
    assert groups and groups == sorted(groups) and 2 not in groups
    text = render.summary(interview)
    assert "Mean score:" in text and "### Key points to review" in text
    assert summary.weak_points[0][1].text in text


def test_the_grade_card_has_the_checklist_evidence_and_the_reference_behind_a_reveal(web_runtime):
    interview = on(web_runtime, "F004-37")
    interview.answer(GOOD_ADAM)
    grade = interview.last_turn.grade
    card = render.grade_card(grade)
    assert card.startswith(f"### Score: {grade.score:g}/10\noffline grader")
    for point in grade.key_points:
        assert f"{render.MARKS[point.status]} **{point.status}**: {point.text}" in card
        assert not point.evidence or f"“{render.literal(point.evidence)}”" in card
    assert f"<details><summary>{render.REVEAL}</summary>\n\n{grade.reference}\n\n</details>" in card
    messages = render.chat(interview)
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant"]
    assert messages[1]["content"] == render.literal(GOOD_ADAM)


def test_the_export_is_written_as_a_markdown_file(web_runtime, tmp_path):
    interview = on(web_runtime, "F004-37")
    interview.answer(GOOD_ADAM)
    interview.end()
    path = write_export(interview, tmp_path)
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


@pytest.fixture
def llm_runtime(llama_server, index, tmp_path):
    settings = Settings(base_url=llama_server, timeout=120, cache_dir=tmp_path, data_dir=tmp_path)
    return Runtime(settings, index=index)


def partly_right(runtime):
    """An interview whose follow-ups the real LLM writes, graded offline for a partial grade however the
    model would grade, after a partly right answer."""
    interview = on(runtime, "F004-37", mode="llm")
    interview.grader = runtime.grader(mode="offline")
    interview.answer(WEAK_ADAM)
    return interview


def test_a_partly_right_answer_gets_a_follow_up_from_a_real_llm_before_its_grade(llm_runtime):
    interview = partly_right(llm_runtime)
    first = interview.last_turn.grade
    assert interview.phase == "follow-up" and kinds(interview) == ["question", "answer", "follow-up"]
    assert interview.follow_up.key_point == weakest_point(first.key_points)
    interview.answer("It keeps a moving average of the squared gradients too, and corrects both for bias.")
    turn = interview.last_turn
    assert interview.phase == "graded" and kinds(interview)[-2:] == ["answer", "grade"]
    assert turn.follow_up_answer and any("Follow-up “" in note for note in turn.grade.notes)
    interview.end()
    assert f"Follow-up: {turn.follow_up.question}" in session_markdown(interview)


def test_a_declined_follow_up_leaves_the_grade_as_it_was(llm_runtime):
    interview = partly_right(llm_runtime)
    first = interview.last_turn.grade
    interview.skip()
    assert interview.phase == "graded" and interview.transcript[-1].grade == first
    assert "Follow-up skipped." in [said.text for said in interview.transcript]
    interview.next()
    assert interview.phase == "ended" and "Declined." in session_markdown(interview)

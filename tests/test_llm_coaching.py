"""Hints give away at most one key point; follow-ups aim at a missed one and fold into the grade."""

from __future__ import annotations

import pytest

from interviewer.coaching import Coach, FollowUp, fold_follow_up, offline_hint, wants_follow_up, weakest_point
from interviewer.llm import LLMError
from interviewer.models import Grade, KeyPointResult, MistakeFound
from interviewer.text import content_stems

POINTS = ("First point about momentum.", "Second point about squared gradients.", "Third point about bias.",
          "Fourth point about epsilon.")


def make_grade(statuses: list[str], score: float, mistakes: tuple[MistakeFound, ...] = ()) -> Grade:
    results = tuple(KeyPointResult(text, status, "quote" if status != "missed" else "")
                    for text, status in zip(POINTS, statuses))
    return Grade("Q1", score, "llm", results, "Feedback.", "Reference.", mistakes, model="m")


class ScriptedChat:
    """A fake chat client: returns a fixed text (or fails) and records the messages it was sent."""

    def __init__(self, reply: str = "", fail: bool = False) -> None:
        self.reply, self.fail, self.sent = reply, fail, []

    def complete_text(self, messages: list[dict], max_tokens: int = 200, quick: bool = False) -> str:
        self.sent.append(messages)
        if self.fail:
            raise LLMError("timeout")
        return self.reply


FOLLOW_UP = FollowUp("What about the squared gradients?", POINTS[1])


def test_a_partial_answer_wants_a_follow_up_and_others_do_not():
    assert wants_follow_up(make_grade(["covered", "missed", "partial", "missed"], 4))
    assert not wants_follow_up(make_grade(["covered"] * 4, 10))
    assert not wants_follow_up(make_grade(["missed"] * 4, 0))


def test_the_follow_up_aims_at_the_first_missed_key_point_else_a_partial_one():
    assert weakest_point(make_grade(["partial", "covered", "missed", "missed"], 4).key_points) == POINTS[2]
    assert weakest_point(make_grade(["covered", "partial", "covered", "covered"], 8).key_points) == POINTS[1]
    assert weakest_point(make_grade(["covered"] * 4, 10).key_points) is None


def test_key_points_covered_in_the_follow_up_upgrade_and_count_half():
    first = make_grade(["covered", "missed", "partial", "missed"], 4)
    second = make_grade(["missed", "covered", "covered", "partial"], 6)
    folded = fold_follow_up(first, second, FOLLOW_UP)
    assert [k.status for k in folded.key_points] == ["covered", "covered", "covered", "partial"]
    # gains: missed->covered 1, partial->covered 0.5, missed->partial 0.5 = 2 of 4 points, at half weight
    assert folded.score == 4 + 10 * 0.5 * 2 / 4
    assert folded.key_points[0] == first.key_points[0]
    assert "3 key point(s) improved; score 4 → 6.5" in folded.notes[-1]
    assert folded.grader == "llm" and folded.model == "m" and folded.feedback == first.feedback


def test_a_worse_follow_up_changes_nothing_but_its_mistakes_cost_a_point():
    first = make_grade(["covered", "partial", "missed", "missed"], 4)
    wrong = MistakeFound("Adam has no second moment.", "there is no second moment")
    folded = fold_follow_up(first, make_grade(["missed"] * 4, 0, (wrong,)), FOLLOW_UP)
    assert folded.key_points == first.key_points and folded.score == 3 and folded.mistakes == (wrong,)


def test_the_fallback_notice_of_a_follow_up_grade_is_kept():
    second = Grade("Q1", 0, "offline", make_grade(["missed"] * 4, 0).key_points, "", "",
                   notes=("The LLM grader was unavailable (timeout); graded offline.",))
    folded = fold_follow_up(make_grade(["covered", "missed", "missed", "missed"], 2), second, FOLLOW_UP)
    assert folded.notes[0].startswith("The LLM grader was unavailable")


@pytest.mark.parametrize("qid", ["F004-37", "DL0014", "ML0044", "F004-15"])
def test_an_offline_hint_uses_words_of_one_key_point_only(bank, qid):
    question = bank.get(qid)
    point = question.key_points[0]
    hint = offline_hint(question, point)
    words = content_stems(hint.removeprefix("Hint: think about"))
    assert hint.startswith("Hint:") and 1 <= len(words) <= 4
    assert words <= content_stems(point)


def test_the_llm_hint_is_written_from_one_key_point_and_given_once(bank):
    question = bank.get("F004-37")
    chat = ScriptedChat("Think about what the optimizer remembers between steps.\nAnd more lines.")
    coach = Coach(chat)
    grade = make_grade(["covered", "missed", "missed", "missed"], 2)
    hint = coach.hint(question, grade)
    assert hint == "Hint: Think about what the optimizer remembers between steps."
    prompt = "\n".join(m["content"] for m in chat.sent[0])
    shown = [p for p in question.key_points if p in prompt]
    assert len(shown) <= 1
    assert coach.hint(question, grade).endswith("(You have had this question's hint.)")
    assert len(chat.sent) == 1


def test_the_hint_falls_back_to_offline_when_the_llm_fails(bank):
    question = bank.get("F004-37")
    hint = Coach(ScriptedChat(fail=True)).hint(question)
    assert hint == offline_hint(question, question.key_points[0])


def test_without_an_llm_there_are_hints_but_no_follow_ups(bank):
    coach = Coach()
    question = bank.get("F004-37")
    assert not coach.asks_follow_ups
    partial = make_grade(["covered", "missed", "missed", "missed"], 2)
    assert coach.follow_up(question, "Adam adapts.", partial) is None
    assert coach.hint(question).startswith("Hint:")


def test_the_follow_up_is_grounded_in_retrieved_reference_passages(bank, index):
    question = bank.get("F004-37")
    chat = ScriptedChat('Sure!\n"How does Adam correct the bias of its averages early in training?"')
    coach = Coach(chat, lambda: index)
    grade = Grade(question.id, 3, "llm", tuple(
        KeyPointResult(text, "covered" if n == 0 else "missed", "q" if n == 0 else "")
        for n, text in enumerate(question.key_points)), "", question.reference)
    follow_up = coach.follow_up(question, "Adam keeps moving averages.", grade)
    assert follow_up == FollowUp("How does Adam correct the bias of its averages early in training?",
                                 question.key_points[1])
    prompt = chat.sent[0][1]["content"]
    passages = prompt.split("Reference passages about it:\n", 1)[1].split("\n\nBEGIN ANSWER", 1)[0]
    assert 1 <= passages.count("\n- ") + 1 <= 3
    assert "Adam keeps moving averages." in prompt


def test_no_follow_up_when_the_llm_fails(bank, index):
    question = bank.get("F004-37")
    grade = make_grade(["covered", "missed", "missed", "missed"], 2)
    assert Coach(ScriptedChat(fail=True), lambda: index).follow_up(question, "Adam.", grade) is None

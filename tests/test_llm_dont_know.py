"""'I don't know' is graded 0 at once, with encouragement and the reference, and no grader call."""

from __future__ import annotations

import pytest

from interviewer.config import Settings
from interviewer.grading.choice import build_grader
from interviewer.grading.dont_know import DontKnowFilter, is_dont_know

DONT_KNOW = ["I don't know", "i dont know.", "No idea", "not sure", "IDK", "pass", "I have no clue",
             "I don't remember", "Sorry, I really don't know the answer.", "Honestly? No idea, sorry.",
             "Um... I'm not sure.", "I can't remember", "dunno", "I forgot", "", "  "]
REAL_ANSWERS = ["I'm not sure, but I think Adam combines momentum with RMSProp.",
                "Adam", "I don't know exactly, but it keeps moving averages of the gradients",
                "No, batch norm is not a regulariser in the usual sense.",
                "I know it: it uses bias correction."]


class RefusingGrader:
    """A fake grader that fails the test if it is ever called."""

    name = "refusing"

    def grade(self, question, answer):
        raise AssertionError("the wrapped grader was called")


@pytest.mark.parametrize("answer", DONT_KNOW)
def test_variants_of_i_dont_know_are_recognised(answer):
    assert is_dont_know(answer)


@pytest.mark.parametrize("answer", REAL_ANSWERS)
def test_answers_with_content_are_not(answer):
    assert not is_dont_know(answer)


def test_i_dont_know_scores_zero_without_calling_the_grader(bank):
    question = bank.get("F004-37")
    grade = DontKnowFilter(RefusingGrader()).grade(question, "I don't know, sorry")
    assert grade.score == 0 and grade.grader == "refusing"
    assert [k.text for k in grade.key_points] == list(question.key_points)
    assert all(k.status == "missed" for k in grade.key_points)
    assert grade.reference == question.reference and "No problem" in grade.feedback


@pytest.mark.parametrize("values", [{}, {"base_url": "http://127.0.0.1:9/v1", "retries": 0}])
def test_both_graders_answer_i_dont_know_first(values, bank, grader, tmp_path):
    settings = Settings(cache_dir=tmp_path, **values)
    grade = build_grader(settings, grader).grade(bank.get("F004-37"), "no idea")
    assert grade.score == 0 and not grade.notes  # no LLM call was tried, so no fallback notice

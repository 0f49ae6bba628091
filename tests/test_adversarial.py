"""Answers that game an embedding grader: restating the question, buzzwords, the opposite of a key
point, and misconceptions in the topic's own words (benchmarks/cheap_tricks.jsonl, misconceptions.jsonl),
against correct answers in a candidate's words (correct_answers.jsonl)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from interviewer.evaluation import metrics

ROOT = Path(__file__).resolve().parent.parent
CHEAP_TRICK_LIMIT = 2.0  # out of 10: what the product promises for these answers


def rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / "benchmarks" / name).read_text().splitlines() if line]


@pytest.mark.parametrize("kind", ["restate", "buzzwords", "opposite"])
def test_no_cheap_trick_scores_above_two_out_of_ten(grader, bank, kind):
    cases = [r for r in rows("cheap_tricks.jsonl") if r["kind"] == kind]
    assert len(cases) == len(bank.questions)
    too_high = []
    for case in cases:
        grade = grader.grade(bank.get(case["question_id"]), case["answer"])
        if grade.score > CHEAP_TRICK_LIMIT:
            too_high.append(f"{case['question_id']} {grade.score}: {case['answer'][:80]}")
    assert too_high == []


def test_opposite_of_a_key_point_is_reported_as_wrong(grader, bank):
    question = bank.get("ML0023")
    answer = "Gradient descent never repeats its updates until it converges to a minimum."
    grade = grader.grade(question, answer)
    assert grade.mistakes and grade.mistakes[0].evidence == answer
    assert grade.mistakes[0].claim.startswith("The opposite is true: Gradient descent repeats")
    assert grade.score <= CHEAP_TRICK_LIMIT


def test_each_clause_denying_a_key_point_is_reported_as_wrong(grader, bank):
    question = bank.get("DL0005")
    answer = ("Pretrained weights do not give a better initialization than random weights, and transfer "
              "learning does not reach good performance with less task-specific data.")
    grade = grader.grade(question, answer)
    denied = {m.claim for m in grade.mistakes}
    assert denied == {f"The opposite is true: {question.key_points[0]}",
                      f"The opposite is true: {question.key_points[1]}"}
    assert all(m.evidence in answer and m.evidence != answer for m in grade.mistakes)
    assert grade.score <= CHEAP_TRICK_LIMIT


def test_denying_the_key_points_in_other_words_earns_nothing_and_the_grade_says_why(grader, bank):
    question = bank.get("ML0023")
    answer = ("Gradient descent does not move against the gradient; it does not subtract the learning rate "
              "times the gradient from the parameters.")
    grade = grader.grade(question, answer)
    assert grade.score <= CHEAP_TRICK_LIMIT
    assert any(note.startswith("No credit for saying the opposite of the reference") for note in grade.notes)
    assert len(grade.notes) == 1
    right = ("Gradient descent is an iterative optimization algorithm: it computes the gradient of the loss "
             "and subtracts the gradient scaled by the learning rate, stepping opposite to the gradient.")
    assert grader.grade(question, right).score >= grade.score + 3


def test_no_reference_answer_of_the_bank_is_reported_as_wrong(grader, bank):
    """Reference answers reword their key points, sometimes with a negation ('may not fully utilize' for
    'underuse'); none of them may be taken for a contradiction or a known mistake."""
    accused = [q.id for q in bank.questions if grader.grade(q, q.reference).mistakes]
    assert accused == []


def test_misconceptions_score_well_below_the_reference(grader, bank):
    """A fluent wrong answer in the topic's words scores far below a correct one (dev half of the set)."""
    cases = [r for r in rows("misconceptions.jsonl") if r["split"] == "dev"]
    wrong = [grader.grade(bank.get(c["question_id"]), c["answer"]).score for c in cases]
    right = [grader.grade(bank.get(c["question_id"]), bank.get(c["question_id"]).reference).score
             for c in cases]
    assert statistics.fmean(wrong) <= statistics.fmean(right) - 2


def test_a_correct_answer_in_a_candidates_words_outranks_a_misconception(grader, bank):
    """Pairs of a correct answer (correct_answers.jsonl) and a misconception, both of the dev half: the
    correct one scores higher in at least nine pairs of ten (0.973 when this test was written)."""
    def scores(name: str) -> list[float]:
        return [grader.grade(bank.get(r["question_id"]), r["answer"]).score
                for r in rows(name) if r["split"] == "dev"]

    assert metrics.ranked_above(scores("correct_answers.jsonl"), scores("misconceptions.jsonl")) >= 0.9


def test_a_forged_grade_inside_the_answer_earns_only_what_the_answer_says_itself(grader, bank):
    """The injection rows that are forged JSON grades: the offline grader grades the answer's own
    statements, never the key points quoted inside the JSON or code block, and says what it left out."""
    forged = [r for r in rows("prompt_injection.jsonl") if '"key_points"' in r["answer"] and r["score"] <= 2]
    assert len(forged) >= 3
    for case in forged:
        question = bank.get(case["question_id"])
        grade = grader.grade(question, case["answer"])
        own_words = case["answer"].split("```")[0].split("{")[0].strip()  # what precedes the forged grade
        earned = grader.grade(question, own_words).score if own_words else 0.0
        assert grade.score == earned, (case["answer"][:80], grade.score, earned)
        assert any("was left out: only your own statements are graded" in note for note in grade.notes)
    for honest in rows("correct_answers.jsonl")[:10]:
        notes = grader.grade(bank.get(honest["question_id"]), honest["answer"]).notes
        assert not any("was left out" in note for note in notes), honest["answer"][:80]

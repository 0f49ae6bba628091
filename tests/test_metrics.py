"""The agreement metrics against values computed by hand."""

from __future__ import annotations

import math

import pytest

from interviewer.evaluation import metrics

X = [1, 2, 3, 4]
Y = [2, 4, 5, 4]


def test_pearson_matches_hand_computation():
    # sxy = 3.5, sxx = 5, syy = 4.75
    assert metrics.pearson(X, Y) == pytest.approx(3.5 / math.sqrt(5 * 4.75))


def test_pearson_of_a_constant_is_nan():
    assert math.isnan(metrics.pearson([1, 1, 1], [1, 2, 3]))


def test_ranks_share_ties():
    assert metrics.ranks([2, 4, 5, 4]) == [1.0, 2.5, 4.0, 2.5]


def test_spearman_is_pearson_of_ranks():
    # ranks of Y: 1, 2.5, 4, 2.5 -> sxy = 3, sxx = 5, syy = 4.5
    assert metrics.spearman(X, Y) == pytest.approx(3 / math.sqrt(22.5))


def test_ranked_above_counts_pairs_and_halves_ties():
    # pairs (3,1) (3,2) (3,3) (5,1) (5,2) (5,3): five wins and one tie out of six
    assert metrics.ranked_above([3, 5], [1, 2, 3]) == pytest.approx(5.5 / 6)
    assert metrics.ranked_above([0], [1]) == 0.0


def test_rmse():
    assert metrics.rmse([1, 2, 3], [1, 2, 5]) == pytest.approx(math.sqrt(4 / 3))


def test_quadratic_weighted_kappa_by_hand():
    # observed disagreement 0.25, expected 0.75
    assert metrics.quadratic_weighted_kappa([0, 1, 2], [0, 1, 1]) == pytest.approx(2 / 3)


def test_quadratic_weighted_kappa_perfect_and_reversed():
    assert metrics.quadratic_weighted_kappa([0, 1, 2, 3], [0, 1, 2, 3]) == pytest.approx(1.0)
    assert metrics.quadratic_weighted_kappa([3, 2, 1, 0], [0, 1, 2, 3]) < 0


PREDICTED = ["correct", "correct", "incorrect", "incorrect"]
ACTUAL = ["correct", "incorrect", "incorrect", "incorrect"]
LABELS = ("correct", "incorrect")


def test_accuracy():
    assert metrics.accuracy(PREDICTED, ACTUAL) == 0.75


def test_f1_per_label():
    scores = metrics.f1_by_label(PREDICTED, ACTUAL, LABELS)
    assert scores["correct"] == pytest.approx(2 / 3)  # tp 1, fp 1, fn 0
    assert scores["incorrect"] == pytest.approx(0.8)  # tp 2, fp 0, fn 1


def test_macro_and_weighted_f1():
    assert metrics.macro_f1(PREDICTED, ACTUAL, LABELS) == pytest.approx((2 / 3 + 0.8) / 2)
    assert metrics.weighted_f1(PREDICTED, ACTUAL, LABELS) == pytest.approx((2 / 3 * 1 + 0.8 * 3) / 4)


def test_a_label_never_predicted_scores_zero():
    assert metrics.macro_f1(["incorrect"] * 3, ["correct", "incorrect", "incorrect"], LABELS) == \
        pytest.approx((0 + 0.8) / 2)


def test_checklist_agreement_counts_statuses_by_hand():
    human = [["covered", "missed", "wrong"], ["partial", "covered"]]
    predicted = [["covered", "covered", "wrong"], ["missed", "covered"]]
    measured = metrics.checklist_agreement(predicted, human)
    assert measured["key_points"] == 5
    assert measured["status_agreement"] == pytest.approx(3 / 5)
    assert measured["covered_precision"] == pytest.approx(2 / 3)  # 3 said covered, 2 of them are
    assert measured["false_credit"] == pytest.approx(1 / 2)  # of missed + wrong (2), 1 said covered


def test_wrong_statements_caught_counts_answers_with_a_false_statement():
    assert metrics.wrong_statements_caught([1, 0, 2, 0], [2, 1, 0, 0]) == pytest.approx(1 / 2)
    assert math.isnan(metrics.wrong_statements_caught([1], [0]))

"""Agreement between predicted and human grades: correlations, error, kappa and label F1."""

from __future__ import annotations

import math
from collections.abc import Sequence


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson's r; NaN when either side is constant."""
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else math.nan


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho: Pearson's r of the ranks."""
    return pearson(ranks(x), ranks(y))


def ranked_above(better: Sequence[float], worse: Sequence[float]) -> float:
    """How often a score of BETTER exceeds one of WORSE, over all pairs, ties counting half (the area
    under the ROC curve)."""
    wins = sum(1.0 if b > w else 0.5 if b == w else 0.0 for b in better for w in worse)
    return wins / (len(better) * len(worse))


def rmse(predicted: Sequence[float], actual: Sequence[float]) -> float:
    return math.sqrt(sum((p - a) ** 2 for p, a in zip(predicted, actual)) / len(actual))


def quadratic_weighted_kappa(predicted: Sequence[int], actual: Sequence[int]) -> float:
    """Cohen's kappa with quadratic weights over the integer grades from the lowest to the highest seen."""
    low = min(min(predicted), min(actual))
    high = max(max(predicted), max(actual))
    size = high - low + 1
    if size == 1:
        return 1.0
    observed = [[0.0] * size for _ in range(size)]
    for p, a in zip(predicted, actual):
        observed[a - low][p - low] += 1
    n = len(actual)
    row_totals = [sum(row) for row in observed]
    col_totals = [sum(observed[r][c] for r in range(size)) for c in range(size)]
    disagreement = expected = 0.0
    for r in range(size):
        for c in range(size):
            weight = (r - c) ** 2 / (size - 1) ** 2
            disagreement += weight * observed[r][c]
            expected += weight * row_totals[r] * col_totals[c] / n
    return 1.0 - disagreement / expected if expected else 1.0


def accuracy(predicted: Sequence[str], actual: Sequence[str]) -> float:
    return sum(p == a for p, a in zip(predicted, actual)) / len(actual)


def f1_by_label(predicted: Sequence[str], actual: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """F1 of each label; a label never predicted and never present scores 0."""
    scores = {}
    for label in labels:
        tp = sum(p == label and a == label for p, a in zip(predicted, actual))
        fp = sum(p == label and a != label for p, a in zip(predicted, actual))
        fn = sum(p != label and a == label for p, a in zip(predicted, actual))
        scores[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return scores


def macro_f1(predicted: Sequence[str], actual: Sequence[str], labels: Sequence[str]) -> float:
    scores = f1_by_label(predicted, actual, labels)
    return sum(scores.values()) / len(labels)


def weighted_f1(predicted: Sequence[str], actual: Sequence[str], labels: Sequence[str]) -> float:
    """F1 of each label weighted by how often the label is the true one."""
    scores = f1_by_label(predicted, actual, labels)
    return sum(scores[label] * sum(a == label for a in actual) for label in labels) / len(actual)


def checklist_agreement(predicted: Sequence[Sequence[str]],
                        human: Sequence[Sequence[str]]) -> dict[str, float]:
    """Per key point, the grader's status (covered / partial / missed / wrong) against the human's, over
    answers whose checklists list the same key points in the same order.

    status_agreement: share of key points with the same status; covered_precision: share of the grader's
    'covered' that the human marks covered; false_credit: share of the key points the human marks missed
    or wrong that the grader marks covered.
    """
    pairs = [(p, h) for ps, hs in zip(predicted, human) for p, h in zip(ps, hs)]
    said_covered = [h for p, h in pairs if p == "covered"]
    not_said = [p for p, h in pairs if h in ("missed", "wrong")]
    return {
        "key_points": float(len(pairs)),
        "status_agreement": sum(p == h for p, h in pairs) / len(pairs) if pairs else math.nan,
        "covered_precision": (sum(h == "covered" for h in said_covered) / len(said_covered)
                              if said_covered else math.nan),
        "false_credit": sum(p == "covered" for p in not_said) / len(not_said) if not_said else math.nan,
    }


def wrong_statements_caught(reported: Sequence[int], human: Sequence[int]) -> float:
    """Of the answers with a false statement (HUMAN counts them), the share whose grade reports one."""
    flagged = [r for r, h in zip(reported, human) if h > 0]
    return sum(r > 0 for r in flagged) / len(flagged) if flagged else math.nan

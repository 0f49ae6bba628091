"""What each key-point status earns and how a score out of 10 is rounded: one place for every grader, the
follow-up folding, the evaluation and the summary."""

from __future__ import annotations

from collections.abc import Iterable

from interviewer.models import Status

# The share of a key point's credit each status earns ("wrong": stated falsely, as human checklists mark).
STATUS_CREDIT: dict[Status, float] = {"covered": 1.0, "partial": 0.5, "missed": 0.0, "wrong": 0.0}
SCORE_STEP = 0.5  # scores are shown to the half point: finer steps claim a precision no grader has


def checklist_score(statuses: Iterable[Status]) -> float:
    """10 times the mean credit of the key points' statuses (0 for no key points)."""
    credits = [STATUS_CREDIT[status] for status in statuses]
    return 10.0 * sum(credits) / max(1, len(credits))


def rounded_score(raw: float) -> float:
    """RAW clamped to 0-10 and rounded to the nearest SCORE_STEP."""
    return round(min(10.0, max(0.0, raw)) / SCORE_STEP) * SCORE_STEP

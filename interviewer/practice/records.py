"""One past answer as the practice features read it: the history's rows, reduced to what scheduling and
progress need. The history (interviewer/history) produces these; schedule.py and progress.py consume them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PracticeRecord:
    """A question asked once: answered and graded, or skipped."""

    question_id: str
    time: datetime  # when the answer was given (or the question skipped), timezone-aware
    score: float | None  # the grader's score; None when skipped or not graded
    max_score: float
    key_points: tuple[tuple[str, str], ...] = ()  # (key point text, status: covered/partial/missed/wrong)
    mistakes: int = 0  # wrong statements the grade reported
    hinted: bool = False  # a hint was asked for before answering
    followed_up: bool = False  # the answer needed a follow-up
    skipped: bool = False
    seconds: float | None = None  # time from the question shown to the answer given
    own_score: float | None = None  # the candidate's own grade, when they gave one
    topics: tuple[str, ...] = ()

"""Practice that compounds: what the history says a candidate should answer next, and how they progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.practice.records import PracticeRecord

if TYPE_CHECKING:
    from interviewer.runtime import Runtime


def practice_records(runtime: Runtime, user: str = "") -> list[PracticeRecord]:
    """USER's past answers (the terminal's user: ""), oldest first, from the history: what `ask`, `review`,
    `stats` and the web chat's review and Progress tab read."""
    from interviewer.history import LOCAL_USER

    return runtime.history.practice_records(user or LOCAL_USER)

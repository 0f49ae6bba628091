"""Practice that compounds: what the history says a candidate should answer next, and how they progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.practice.records import PracticeRecord

if TYPE_CHECKING:
    from interviewer.runtime import Runtime


def practice_records(runtime: Runtime, user: str = "") -> list[PracticeRecord]:
    """USER's past answers (the terminal's user: ""), oldest first: what `ask`, `review`, `stats` and the
    web chat's review and Progress tab read.

    The wiring point to the history, and the only one: until it lands there is no history, so nothing has
    been answered yet. TODO(history): return History.practice_records(user) from the history opened for
    runtime.settings."""
    return []

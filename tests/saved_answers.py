"""What the history holds, read the way a test checks it: the entries of a data folder's default history."""

from __future__ import annotations

from pathlib import Path

from interviewer.history import LOCAL_USER, Entry, History, database_url


def saved_entries(data_dir: Path, user: str = LOCAL_USER) -> list[Entry]:
    """USER's entries in DATA_DIR's history.sqlite3, oldest first; none when there is no history yet."""
    if not (Path(data_dir) / "history.sqlite3").exists():
        return []
    history = History.open(database_url("", data_dir))
    try:
        return history.entries(user, newest_first=False)
    finally:
        history.close()


def saved_answers(data_dir: Path, user: str = LOCAL_USER) -> list[str]:
    """The answers (follow-ups' too) saved in DATA_DIR's history, oldest first."""
    return [e.answer for e in saved_entries(data_dir, user) if e.kind != "skip"]

"""The history of answers and grades: SQLite by default, or PostgreSQL; see database.py."""

from __future__ import annotations

from interviewer.history.database import LOCAL_USER, Entry, History, HistoryError, database_url

__all__ = ["LOCAL_USER", "Entry", "History", "HistoryError", "database_url", "open_history"]


def open_history(db: str, data_dir, user: str = LOCAL_USER) -> History:
    """The history the `db` setting names (empty: history.sqlite3 in DATA_DIR), with DATA_DIR's old
    answers.jsonl imported as USER's the first time."""
    from interviewer.history.answer_log import import_answer_log

    history = History.open(database_url(db, data_dir))
    import_answer_log(history, data_dir, user)
    return history

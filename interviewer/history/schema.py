"""The history's one table, as SQLAlchemy Core sees it; migrations/ creates and changes it in the database."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, Column, DateTime, Float, Index, MetaData, String, Table, Text
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC time, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the history stores timezone-aware times only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


metadata = MetaData()

# One row per thing a candidate did with a question: an answer ('answer'), an answer to a follow-up
# ('follow-up', its parent the answer followed up) or a skip ('skip').
entries = Table(
    "entries", metadata,
    Column("id", String(32), primary_key=True),
    Column("user", String(200), nullable=False),
    Column("session_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("topics", Text, nullable=False, default="[]"),  # the question's topics then, as a JSON list
    Column("parent_id", String(32)),
    Column("answer", Text, nullable=False, default=""),
    Column("answered_at", UTCDateTime, nullable=False),
    Column("seconds", Float),  # from the question (or follow-up) shown to the answer given
    Column("hint", Text),  # the hint asked for before answering, if one was
    Column("follow_up", Text),  # on an answer: the follow-up it was asked; on a follow-up: its question
    Column("graded_at", UTCDateTime),
    Column("score", Float),
    Column("max_score", Float),
    Column("grader", String(32)),
    Column("model", String(200)),
    Column("grade", Text),  # Grade.to_dict() as JSON; on an answer followed up, the grade with it folded in
    Column("error", Text),  # why grading failed, when it did
    Column("own_score", Float),
    Column("own_reason", Text),
    Column("imported", Boolean, nullable=False, default=False),
    Index("ix_entries_user_time", "user", "answered_at"),
    Index("ix_entries_user_question", "user", "question_id"),
)

"""The history of every answer: saved when given, its grade when known, in SQLite (the default, a file in
the data folder) or PostgreSQL. Each write is one transaction, so a process killed at any moment loses
nothing already saved; every query is one user's."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from interviewer.errors import ConfigError, InterviewerError
from interviewer.models import Grade
from interviewer.practice.records import PracticeRecord

DEFAULT_FILE = "history.sqlite3"
LOCAL_USER = "local"  # whose rows the terminal writes and reads, and the web chat's without a login
MAX_SCORE = 10.0
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 7_310_115  # PostgreSQL advisory lock held while one process migrates
# The newest migration's revision (migrations/versions/): a history already there opens without importing
# alembic, which takes half a second of every command's start.
HEAD_REVISION = "0001"


class HistoryError(InterviewerError):
    """The history's database cannot be opened, read or written; the message names it."""


class UnknownEntryError(HistoryError):
    """No entry of the user's history has the id asked for."""

    exit_code = 2


@dataclass(frozen=True)
class Entry:
    """One row of the history: an answer, a follow-up's answer or a skip, with its grade when known."""

    id: str
    user: str
    session_id: str
    kind: str  # 'answer', 'follow-up' or 'skip'
    question_id: str
    topics: tuple[str, ...]
    parent_id: str | None
    answer: str
    answered_at: datetime
    seconds: float | None
    hint: str | None
    follow_up: str | None
    graded_at: datetime | None
    score: float | None
    max_score: float | None
    grader: str | None
    model: str | None
    grade_data: dict | None
    error: str | None
    own_score: float | None
    own_reason: str | None
    imported: bool

    @property
    def grade(self) -> Grade | None:
        """The grade, when the answer was graded."""
        return Grade.from_dict(self.grade_data) if self.grade_data is not None else None

    def to_dict(self) -> dict:
        """The entry as JSON-ready data, times in ISO 8601 UTC."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "grade_data"}
        data["topics"] = list(self.topics)
        data["answered_at"] = self.answered_at.isoformat()
        data["graded_at"] = self.graded_at.isoformat() if self.graded_at else None
        data["grade"] = self.grade_data
        return data


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def storable(text: str | None) -> str | None:
    """TEXT as both databases take it: a lone surrogate as its escape, a NUL as '\ufffd' (PostgreSQL
    refuses NUL in text)."""
    if text is None:
        return None
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\ufffd")


def database_url(db: str, data_dir: Path) -> str:
    """The SQLAlchemy URL for the `db` setting: empty, the data folder's history.sqlite3; a path, that
    SQLite file; a postgresql:// URL, PostgreSQL through psycopg 3."""
    if not db:
        return f"sqlite:///{Path(data_dir).expanduser().resolve() / DEFAULT_FILE}"
    for prefix in ("postgresql://", "postgres://"):
        if db.startswith(prefix):
            return "postgresql+psycopg://" + db.removeprefix(prefix)
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


class History:
    """The history in one database; open it with History.open."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        url = engine.url  # where it is, for messages: a SQLite file's path, or the URL without its password
        self.where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(True)

    @classmethod
    def open(cls, url: str) -> History:
        """The history at URL, its schema migrated to the newest."""
        history = cls(create_engine(url))
        with history.failing_as("open"):
            if not is_current(history.engine):
                history._migrate()
        return history

    def _migrate(self) -> None:
        from alembic.util import CommandError

        try:
            migrate(self.engine)
        except CommandError as exc:  # its schema is newer than this version knows
            raise HistoryError(f"cannot open the history at {self.where}: {exc}; a newer interviewer "
                               "wrote it: upgrade interviewer, or give another --db") from exc

    def close(self) -> None:
        self.engine.dispose()

    # writes: one transaction each

    def save_answer(self, user: str, session_id: str, question_id: str, topics: tuple[str, ...], answer: str,
                    kind: str = "answer", parent_id: str | None = None, follow_up: str | None = None,
                    seconds: float | None = None, hint: str | None = None) -> str:
        """Save an answer before it is graded; its entry id."""
        entry_id = new_id()
        self._insert({"id": entry_id, "user": user, "session_id": session_id, "kind": kind,
                      "question_id": question_id, "topics": json.dumps(list(topics)), "parent_id": parent_id,
                      "answer": storable(answer), "answered_at": now(), "seconds": seconds,
                      "hint": storable(hint), "follow_up": storable(follow_up), "imported": False})
        return entry_id

    def save_skip(self, user: str, session_id: str, question_id: str, topics: tuple[str, ...],
                  seconds: float | None = None, hint: str | None = None) -> str:
        """Record a skipped question; its entry id."""
        return self.save_answer(user, session_id, question_id, topics, "", "skip", seconds=seconds, hint=hint)

    def save_grade(self, entry_id: str, grade: Grade) -> None:
        """Record the grade of a saved answer (a later one replaces it: a follow-up folded in)."""
        self._update(entry_id, graded_values(grade))

    def save_error(self, entry_id: str, error: str) -> None:
        """Record why a saved answer could not be graded."""
        self._update(entry_id, {"error": storable(error)})

    def save_follow_up(self, entry_id: str, question: str) -> None:
        """Record the follow-up question an answer was asked."""
        self._update(entry_id, {"follow_up": storable(question)})

    def save_own_grade(self, entry_id: str, score: float, reason: str) -> None:
        """Record the candidate's own grade of an answer."""
        self._update(entry_id, {"own_score": score, "own_reason": storable(reason)})

    def delete(self, user: str) -> int:
        """Delete every entry of USER; how many."""
        from sqlalchemy import delete

        from interviewer.history.schema import entries

        with self.failing_as("write to"), self.engine.begin() as connection:
            return connection.execute(delete(entries).where(entries.c.user == user)).rowcount

    def import_rows(self, rows: list[dict]) -> int:
        """Insert ROWS (whole entries) in one transaction, leaving out ids already present; how many."""
        from sqlalchemy import insert, select

        from interviewer.history.schema import entries

        with self.failing_as("write to"), self.engine.begin() as connection:
            ids = [row["id"] for row in rows]
            present = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                present |= set(connection.scalars(select(entries.c.id).where(entries.c.id.in_(chunk))))
            fresh = [row for row in rows if row["id"] not in present]
            if fresh:
                connection.execute(insert(entries), fresh)
            return len(fresh)

    # reads: one user's rows

    def entries(self, user: str, question_id: str | None = None, newest_first: bool = True) -> list[Entry]:
        """USER's entries (of QUESTION_ID only, when given), newest first unless told otherwise."""
        from interviewer.history.schema import entries

        order = (entries.c.answered_at.desc(), entries.c.id.desc()) if newest_first else (
            entries.c.answered_at, entries.c.id)
        where = [entries.c.user == user] + ([entries.c.question_id == question_id] if question_id else [])
        return self._select(*where, order=order)

    def entry(self, user: str, entry_id: str) -> Entry:
        """USER's entry ENTRY_ID, or the one whose id starts with it."""
        from interviewer.history.schema import entries

        found = self._select(entries.c.user == user, entries.c.id.startswith(entry_id, autoescape=True),
                             order=(entries.c.id,)) if entry_id else []
        exact = [e for e in found if e.id == entry_id]
        if exact or len(found) == 1:
            return (exact or found)[0]
        if not found:
            raise UnknownEntryError(f"no entry {entry_id!r} in {user}'s history: `interviewer history` lists "
                                    "them")
        raise UnknownEntryError(f"{len(found)} entries start with {entry_id!r}: give more of the id")

    def ungraded(self, user: str | None = None) -> list[Entry]:
        """Answers saved and neither graded nor failed (their process ended first), of USER or everyone."""
        from interviewer.history.schema import entries

        where = [entries.c.kind != "skip", entries.c.grade.is_(None), entries.c.error.is_(None)]
        if user is not None:
            where.append(entries.c.user == user)
        return self._select(*where, order=(entries.c.answered_at, entries.c.id))

    def practice_records(self, user: str) -> list[PracticeRecord]:
        """USER's answers and skips in time order, as the practice features read them."""
        rows = self.entries(user, newest_first=False)
        return [practice_record(e) for e in rows if e.kind in ("answer", "skip")]

    # the plumbing

    @contextmanager
    def failing_as(self, action: str) -> Iterator[None]:
        """Turn a database error into a HistoryError that names the database and what failed."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            yield
        except SQLAlchemyError as exc:
            detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
            raise HistoryError(f"cannot {action} the history at {self.where}: {detail}") from exc

    def _insert(self, values: dict) -> None:
        from sqlalchemy import insert

        from interviewer.history.schema import entries

        with self.failing_as("write to"), self.engine.begin() as connection:
            connection.execute(insert(entries).values(**values))

    def _update(self, entry_id: str, values: dict) -> None:
        from sqlalchemy import update

        from interviewer.history.schema import entries

        with self.failing_as("write to"), self.engine.begin() as connection:
            connection.execute(update(entries).where(entries.c.id == entry_id).values(**values))

    def _select(self, *where: Any, order: tuple) -> list[Entry]:
        from sqlalchemy import select

        from interviewer.history.schema import entries

        with self.failing_as("read"), self.engine.connect() as connection:
            rows = connection.execute(select(entries).where(*where).order_by(*order)).mappings().all()
        return [entry_from_row(row) for row in rows]


def graded_values(grade: Grade) -> dict:
    """The columns a grade sets."""
    return {"graded_at": now(), "score": grade.score, "max_score": MAX_SCORE, "grader": grade.grader,
            "model": grade.model, "grade": json.dumps(grade.to_dict(), ensure_ascii=False), "error": None}


def entry_from_row(row: Any) -> Entry:
    values = dict(row)
    values["topics"] = tuple(json.loads(values.pop("topics") or "[]"))
    grade = values.pop("grade")
    values["grade_data"] = json.loads(grade) if grade is not None else None
    values["imported"] = bool(values["imported"])
    return Entry(**values)


def practice_record(entry: Entry) -> PracticeRecord:
    """ENTRY as a practice record: its score, checklist, mistakes, hint, follow-up, timing, own grade."""
    grade = entry.grade_data or {}
    return PracticeRecord(
        question_id=entry.question_id, time=entry.answered_at, score=entry.score,
        max_score=entry.max_score or MAX_SCORE,
        key_points=tuple((k["text"], k["status"]) for k in grade.get("key_points", [])),
        mistakes=len(grade.get("mistakes", [])), hinted=entry.hint is not None,
        followed_up=entry.follow_up is not None, skipped=entry.kind == "skip", seconds=entry.seconds,
        own_score=entry.own_score, topics=entry.topics)


def create_engine(url: str) -> Any:
    """An engine for URL; SQLite in WAL mode with full fsync, its folder made."""
    from sqlalchemy import create_engine as sqlalchemy_engine
    from sqlalchemy import event
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"setting 'db': {url!r} is neither a file path nor a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sqlalchemy_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", sqlite_settings)
        return engine
    if parsed.get_backend_name() == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise ConfigError("a postgresql:// history needs psycopg 3: pip install 'psycopg[binary]'"
                              ) from None
        return sqlalchemy_engine(parsed, pool_pre_ping=True)
    raise ConfigError(f"the history must be SQLite or PostgreSQL, not {parsed.get_backend_name()}")


def sqlite_settings(connection: Any, record: object) -> None:
    """WAL, so readers never block the writer; synchronous=FULL, so a committed answer survives power loss."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def is_current(engine: Any) -> bool:
    """True when the schema is already at HEAD_REVISION."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() \
                == [HEAD_REVISION]
    except DBAPIError:  # no table yet: a new history
        return False


def migrate(engine: Any, attempts: int = 3) -> None:
    """Bring the schema to the newest migration; another process migrating at once is waited for."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    for attempt in range(attempts):
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return
        except DBAPIError:  # SQLite: two processes created the table at once; the second finds it there
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)

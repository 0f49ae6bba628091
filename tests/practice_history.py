"""Past answers written into the real history (History.import_rows, the import's own write), so the
practice features read them through the same path as a candidate's: dated days back, with the
checklist, mistakes, hint, follow-up, timing and own grade each record says."""

from __future__ import annotations

import json
from pathlib import Path

from interviewer.history import LOCAL_USER, open_history
from interviewer.models import Grade, KeyPointResult, MistakeFound
from interviewer.practice.records import PracticeRecord


def entry_row(number: int, record: PracticeRecord, user: str) -> dict:
    """RECORD as a whole history row."""
    grade = None
    if record.score is not None and not record.skipped:
        grade = Grade(record.question_id, record.score, "offline",
                      tuple(KeyPointResult(text, status) for text, status in record.key_points), "", "",
                      mistakes=tuple(MistakeFound(f"mistake {n}", f"wrong {n}")
                                     for n in range(record.mistakes)))
    return {"id": f"past{number:08d}", "user": user, "session_id": "past", "kind": "skip" if record.skipped
            else "answer", "question_id": record.question_id, "topics": json.dumps(list(record.topics)),
            "parent_id": None, "answer": "" if record.skipped else "an answer", "answered_at": record.time,
            "seconds": record.seconds, "hint": "a hint" if record.hinted else None,
            "follow_up": "a follow-up" if record.followed_up else None,
            "graded_at": record.time if grade else None, "score": None if grade is None else record.score,
            "max_score": record.max_score if grade else None, "grader": "offline" if grade else None,
            "model": None, "grade": json.dumps(grade.to_dict()) if grade else None, "error": None,
            "own_score": record.own_score, "own_reason": None, "imported": False}


def save_records(data_dir: Path, records: list[PracticeRecord], user: str = LOCAL_USER) -> None:
    """Write RECORDS as USER's into the history of DATA_DIR (the default SQLite file)."""
    history = open_history("", data_dir)
    try:
        history.import_rows([entry_row(n, r, user) for n, r in enumerate(records)])
    finally:
        history.close()

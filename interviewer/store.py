"""A record of every answer given, saved before it is graded, so nothing a candidate typed is ever lost."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from interviewer.models import Grade


class AnswerLog:
    """A JSON Lines file: one line per answer when it is given, one per grade (or error) when it is known."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "answers.jsonl"

    def save_answer(self, question_id: str, answer: str, follow_up: str = "") -> str:
        """Append an answer before it is graded; returns the entry id its grade will carry."""
        entry_id = uuid.uuid4().hex[:12]
        entry = {"id": entry_id, "time": time.strftime("%Y-%m-%dT%H:%M:%S"), "question_id": question_id,
                 "answer": answer}
        if follow_up:
            entry["follow_up"] = follow_up
        self._append(entry)
        return entry_id

    def save_grade(self, entry_id: str, grade: Grade | None = None, error: str = "") -> None:
        """Append the grade of a saved answer, or the error that stopped grading it."""
        entry: dict = {"id": entry_id}
        if grade is not None:
            entry["grade"] = grade.to_dict()
        if error:
            entry["error"] = error
        self._append(entry)

    def _append(self, entry: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # a character UTF-8 cannot hold (a lone surrogate) is written as its JSON escape, never an error
        with self.path.open("a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

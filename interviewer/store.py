"""A record of every answer given, saved before it is graded, so nothing a candidate typed is ever lost."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from interviewer.errors import InterviewerError
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

    def save_and_grade(self, question_id: str, answer: str, grade: Callable[[], Grade], follow_up: str = "",
                       warn: Callable[[str], None] = lambda message: None) -> Grade:
        """GRADE() the answer after saving it, then save the grade; an InterviewerError from grading is
        saved too and re-raised saying where the answer is. An answer that cannot be saved is WARNed about
        and graded all the same."""
        try:
            entry = self.save_answer(question_id, answer, follow_up)
        except OSError as exc:
            entry = None
            warn(f"Warning: could not save the answer to {self.path}: {exc}")
        try:
            result = grade()
        except InterviewerError as exc:
            if entry is None:
                raise
            self.save_grade(entry, error=str(exc))
            saved = InterviewerError(f"{exc} (your answer was saved to {self.path})")
            saved.exit_code = exc.exit_code
            raise saved from exc
        if entry is not None:
            self.save_grade(entry, result)
        return result

    def _append(self, entry: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

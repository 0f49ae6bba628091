"""A record of every answer given, so nothing a candidate typed is ever lost."""

from __future__ import annotations

import json
import time
from pathlib import Path

from interviewer.models import Grade


class AnswerLog:
    """Appends answers, and their grades when there are any, to a JSON Lines file."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "answers.jsonl"

    def record(self, question_id: str, answer: str, grade: Grade | None = None, error: str = "") -> None:
        """Append one answer with its grade or the error that stopped grading."""
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "question_id": question_id, "answer": answer}
        if grade is not None:
            entry["grade"] = grade.to_dict()
        if error:
            entry["error"] = error
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

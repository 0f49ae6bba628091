"""Graders: each turns a question and a free-text answer into a Grade."""

from __future__ import annotations

from typing import Protocol

from interviewer.models import Grade, Question


class Grader(Protocol):
    """Grades one answer to one question."""

    name: str

    def grade(self, question: Question, answer: str) -> Grade:
        """The grade of ANSWER against QUESTION's key points."""
        ...

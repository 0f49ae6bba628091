"""Which grader grades: the LLM with the offline grader behind it, or the offline grader alone."""

from __future__ import annotations

from dataclasses import replace

from interviewer.config import Settings
from interviewer.grading import Grader
from interviewer.grading.dont_know import DontKnowFilter
from interviewer.grading.llm import LLMGrader
from interviewer.llm import ChatClient, LLMError, chat_client_for
from interviewer.models import Grade, Question


class FallbackGrader:
    """The LLM grader, with the offline grader taking over any answer the LLM fails on, and saying so."""

    def __init__(self, primary: Grader, fallback: Grader) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name

    def grade(self, question: Question, answer: str) -> Grade:
        """The primary grader's grade, or the fallback's with a note telling the candidate why."""
        try:
            return self.primary.grade(question, answer)
        except LLMError as exc:
            grade = self.fallback.grade(question, answer)
            note = f"The LLM grader was unavailable ({exc.reason}); graded offline."
            return replace(grade, notes=(*grade.notes, note))


def build_grader(settings: Settings, offline_grader: Grader, chat_client: ChatClient | None = None) -> Grader:
    """The grader the settings select, answering 'I don't know' itself before any grader runs.

    With an LLM configured (or mode 'llm') that is the LLM grader backed by OFFLINE_GRADER;
    otherwise OFFLINE_GRADER alone. CHAT_CLIENT replaces the one the settings describe.
    """
    if not settings.uses_llm:
        return DontKnowFilter(offline_grader)
    client = chat_client or chat_client_for(settings)
    return DontKnowFilter(FallbackGrader(LLMGrader(client, settings.strictness), offline_grader))

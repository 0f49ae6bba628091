"""Which grader grades: the LLM with the offline grader behind it, or the offline grader alone."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from interviewer.config import Settings
from interviewer.grading import Grader
from interviewer.grading.dont_know import DontKnowFilter
from interviewer.grading.llm import LLMGrader
from interviewer.llm import ChatClient, LLMError, chat_client_for
from interviewer.models import Grade, Question

if TYPE_CHECKING:
    from interviewer.grading.offline import OfflineGrader

# The most an LLM's score may exceed the offline grade of the same answer, in points out of 10. Honest
# answers (the interview dev set without its injections, human score doubled, and
# benchmarks/correct_answers.jsonl; 257 answers) exceed their offline grade by 2.0 at the median, 4.1 at
# the 95th percentile and 6.0 at most: with 5, a grade as fair as the human's is capped for 5 of them
# (2%), by at most a point, while a grade the answer's content does not earn (an obeyed injection, a
# forged grade) is held to 5 above what the offline grader finds. benchmarks/fit_llm_checks.py measures it.
MAX_ABOVE_OFFLINE = 5.0


class FallbackGrader:
    """The LLM grader, with the offline grader taking over any answer the LLM fails on, and saying so, and
    holding an LLM grade far above its own to within MAX_ABOVE_OFFLINE of it."""

    def __init__(self, primary: Grader, fallback: Grader) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name

    def grade(self, question: Question, answer: str) -> Grade:
        """The primary grader's grade capped near the fallback's, or the fallback's with a note saying why."""
        try:
            grade = self.primary.grade(question, answer)
        except LLMError as exc:
            grade = self.fallback.grade(question, answer)
            note = f"The LLM grader was unavailable ({exc.reason}); graded offline."
            return replace(grade, notes=(*grade.notes, note))
        return capped_near(grade, self.fallback.grade(question, answer))


def capped_near(grade: Grade, offline: Grade) -> Grade:
    """GRADE, or its score lowered to OFFLINE's plus MAX_ABOVE_OFFLINE with a note when it is above that."""
    ceiling = offline.score + MAX_ABOVE_OFFLINE
    if grade.score <= ceiling:
        return grade
    note = (f"The LLM's grade {grade.score:g}/10 was far above the offline grade {offline.score:g}/10 "
            f"and was capped at {ceiling:g}.")
    return replace(grade, score=ceiling, notes=(*grade.notes, note))


def grader_kind(settings: Settings) -> str:
    """The one decision of which grader grades: 'llm' for mode 'llm', or for 'auto' when a base URL or
    API key is configured; else 'offline'."""
    configured = bool(settings.base_url or settings.api_key)
    return "llm" if settings.mode == "llm" or (settings.mode == "auto" and configured) else "offline"


def grader_kinds(settings: Settings) -> list[str]:
    """The graders a candidate may choose: 'llm' when one is configured or forced, 'offline' always."""
    configured = grader_kind(settings.with_overrides(mode="auto")) == "llm" or settings.mode == "llm"
    return ["llm", "offline"] if configured else ["offline"]


def build_grader(settings: Settings, offline_grader: OfflineGrader,
                 chat_client: ChatClient | None = None) -> Grader:
    """The grader the settings select, answering 'I don't know' itself before any grader runs.

    With an LLM configured (or mode 'llm') that is the LLM grader backed by OFFLINE_GRADER, whose
    embedder checks that the LLM's evidence says each key point; otherwise OFFLINE_GRADER alone.
    CHAT_CLIENT replaces the one the settings describe.
    """
    if grader_kind(settings) == "offline":
        return DontKnowFilter(offline_grader)
    client = chat_client or chat_client_for(settings)
    llm_grader = LLMGrader(client, settings.strictness, embedder=offline_grader.embedder)
    return DontKnowFilter(FallbackGrader(llm_grader, offline_grader))

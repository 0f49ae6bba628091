"""The vectors a grader compares an answer with: the bank's cached ones, or freshly embedded ones."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from interviewer.embeddings import Embedder, TokenVectors
from interviewer.errors import CorpusError
from interviewer.index import BankIndex, embed_grading_texts
from interviewer.models import Question

KINDS = ("question", "key_point", "mistake", "reference")
CACHE_LIMIT = 4096


@dataclass(frozen=True)
class QuestionVectors:
    """Unit vectors of one question's text, key points, known mistakes and reference sentences."""

    question: np.ndarray
    key_points: np.ndarray
    mistakes: np.ndarray
    reference: np.ndarray


@dataclass(frozen=True)
class QuestionTokens:
    """Word-piece vectors of each key point, the question's pieces, and a vector of all key points."""

    key_points: list[TokenVectors]
    question_pieces: set[str]
    rubric: np.ndarray
    rubric_tokens: TokenVectors


class VectorSource:
    """Vectors of any question: from the index when it is the bank's own, else embedded once and kept."""

    def __init__(self, index: BankIndex | None = None, embedder: Embedder | None = None) -> None:
        if index is None and embedder is None:
            raise ValueError("a VectorSource needs an index or an embedder")
        self.index = index
        self.embedder = embedder or index.embedder
        self._embedded: dict[str, QuestionVectors] = {}
        self._tokens: dict[str, QuestionTokens] = {}

    def for_question(self, question: Question) -> QuestionVectors:
        if self._in_bank(question):
            return QuestionVectors(*(self.index.texts_for(question.id, kind) for kind in KINDS))
        key = content_key(question)
        if key not in self._embedded:
            if len(self._embedded) >= CACHE_LIMIT:
                self._embedded.clear()
            self._embedded[key] = self._embed(question)
        return self._embedded[key]

    def tokens_for(self, question: Question) -> QuestionTokens:
        key = content_key(question)
        if key not in self._tokens:
            if len(self._tokens) >= CACHE_LIMIT:
                self._tokens.clear()
            *key_points, asked, whole = self.embedder.embed_tokens(
                [*question.key_points, question.question, rubric_text(question)])
            self._tokens[key] = QuestionTokens(key_points, set(asked.pieces), whole.sentence, whole)
        return self._tokens[key]

    def related(self, question: Question) -> list[QuestionVectors]:
        """Vectors of the bank questions listed as the same question in another source."""
        if self.index is None:
            return []
        return [self.for_question(self.index.bank.get(other)) for other in question.related]

    def _in_bank(self, question: Question) -> bool:
        if self.index is None:
            return False
        try:
            return self.index.bank.get(question.id) == question
        except CorpusError:
            return False

    def _embed(self, question: Question) -> QuestionVectors:
        vectors = embed_grading_texts(self.embedder, question)
        return QuestionVectors(*(vectors[kind] for kind in KINDS))


def content_key(question: Question) -> str:
    text = "\x00".join([question.question, question.reference, *question.key_points, "\x01",
                        *question.mistakes])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def rubric_text(question: Question) -> str:
    """What a complete answer says: the key points in order."""
    return " ".join(question.key_points)

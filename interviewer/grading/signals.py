"""Answer-level evidence the offline grader scores with: token alignment, lexical overlap, length, echo.

Every signal is oriented so that a larger value means a better answer; the score model weighs them.
"""

from __future__ import annotations

import math

import numpy as np

from interviewer.embeddings import TokenVectors
from interviewer.text import STOPWORDS, asked_stems, content_stems, negated, novelty, words

SIGNAL_NAMES = (
    "token_recall",  # how much of each key point's wording the answer's tokens match, in meaning
    "rubric_token_recall",  # the same over all key points read together
    "token_precision",  # how much of the answer's wording matches some key point
    "residual_similarity",  # whole answer vs. key points, with the question's own direction removed
    "lexical_recall",  # share of the key points' own words (not the question's) the answer uses
    "lexical_precision",  # share of the answer's new words that the key points use
    "shortness",  # 0 for an answer as long as the key points, negative the shorter it is
    "negation_agreement",  # -1 when exactly one of answer and key points is negated
    "statement_credit",  # mean credit of the key points from aligning whole statements
    "novelty",  # share of the answer's words that do not merely echo the question
)
QUESTION_PIECE_WEIGHT = 0.3
FUNCTION_PIECE_WEIGHT = 0.1


def piece_weights(pieces: tuple[str, ...], question_pieces: set[str]) -> np.ndarray:
    """1 for a piece that carries meaning, less for one the question has, little for a function word."""
    def weight(piece: str) -> float:
        if piece in STOPWORDS:
            return FUNCTION_PIECE_WEIGHT
        return QUESTION_PIECE_WEIGHT if piece in question_pieces else 1.0

    return np.array([weight(p) for p in pieces])


def token_recall(target: TokenVectors, answer: TokenVectors, question_pieces: set[str]) -> float:
    """BERTScore-style recall: each target piece's best cosine among the answer's pieces, weighted."""
    if not len(target.pieces) or not len(answer.pieces):
        return 0.0
    best = (target.vectors @ answer.vectors.T).max(axis=1)
    weights = piece_weights(target.pieces, question_pieces)
    return float((best * weights).sum() / weights.sum())


def token_precision(answer: TokenVectors, targets: list[TokenVectors], question_pieces: set[str]) -> float:
    """Each answer piece's best cosine among all key points' pieces, weighted."""
    pool = [t.vectors for t in targets if len(t.pieces)]
    if not len(answer.pieces) or not pool:
        return 0.0
    best = (answer.vectors @ np.vstack(pool).T).max(axis=1)
    weights = piece_weights(answer.pieces, question_pieces)
    return float((best * weights).sum() / weights.sum())


def lexical_overlap(answer: str, rubric: str, question: str) -> tuple[float, float]:
    """(recall, precision) of content stems, leaving out the question's own."""
    asked = asked_stems(question, rubric)
    expected = content_stems(rubric) - asked
    said = content_stems(answer) - asked
    recall = len(expected & said) / len(expected) if expected else 0.0
    precision = len(expected & said) / len(said) if said else 0.0
    return recall, precision


def shortness(answer: str, rubric: str) -> float:
    return min(0.0, math.log1p(len(words(answer))) - math.log1p(len(words(rubric))))


def answer_signals(answer: str, rubric: str, question: str, key_point_recall: list[float],
                   rubric_recall: float, precision: float, residual_similarity: float,
                   statement_credit: float) -> dict[str, float]:
    """All signals by name, from the alignments the grader computed and the texts themselves."""
    lexical_recall, lexical_precision = lexical_overlap(answer, rubric, question)
    return {
        "token_recall": float(np.mean(key_point_recall)) if key_point_recall else 0.0,
        "rubric_token_recall": rubric_recall,
        "token_precision": precision,
        "residual_similarity": residual_similarity,
        "lexical_recall": lexical_recall,
        "lexical_precision": lexical_precision,
        "shortness": shortness(answer, rubric),
        "negation_agreement": -float(negated(answer) != negated(rubric)),
        "statement_credit": statement_credit,
        "novelty": novelty(answer, asked_stems(question, rubric)),
    }

"""The offline grader: aligns answer statements to key points and known mistakes with embeddings."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from interviewer.grading.text import content_stems, negated, novelty, split_units, words
from interviewer.index import BankIndex
from interviewer.models import Grade, KeyPointResult, MistakeFound, Question

GRADER_NAME = "offline"
STRICTNESS_LEVELS = ("lenient", "standard", "strict")
# How far each level moves the credit and status thresholds, and how much a mistake costs.
STRICTNESS_SHIFT = {"lenient": -0.05, "standard": 0.0, "strict": 0.05}
STRICTNESS_PENALTY = {"lenient": 1.0, "standard": 2.0, "strict": 3.0}


@dataclass(frozen=True)
class Thresholds:
    """Similarities (after the lexical adjustments) that decide credit and status."""

    no_credit: float = 0.30  # at or below: the key point earns nothing
    full_credit: float = 0.58  # at or above: the key point earns full credit
    covered: float = 0.52
    partial: float = 0.40
    mistake: float = 0.72  # a statement this close to a known mistake, and closer than to any key point
    mistake_without_its_words: float = 0.85  # the same, when it shares none of the mistake's own words
    mistake_margin: float = 0.08
    residual_weight: float = 0.5  # share of the similarity measured with the question's direction removed
    reuse_factor: float = 0.7  # similarity kept for key points other than the one a statement fits best
    alias: float = 0.62  # a reference sentence or related key point this close to ours rewords it
    negation_factor: float = 0.6  # similarity kept when one side is negated and the other not
    short_unit_words: int = 6  # statements shorter than this earn proportionally less
    mistake_penalty: float = 2.0  # points off per mistake found

    def at_strictness(self, level: str) -> Thresholds:
        """These thresholds made easier ('lenient') or harder ('strict') to satisfy."""
        if level not in STRICTNESS_SHIFT:
            raise ValueError(f"strictness must be one of {', '.join(STRICTNESS_LEVELS)}, not {level!r}")
        shift = STRICTNESS_SHIFT[level]
        return replace(self, no_credit=self.no_credit + shift, full_credit=self.full_credit + shift,
                       covered=self.covered + shift, partial=self.partial + shift,
                       mistake_penalty=STRICTNESS_PENALTY[level])


@dataclass(frozen=True)
class Alignment:
    """Adjusted similarities of answer statements (rows) to targets (columns)."""

    units: list[str]
    scores: np.ndarray


class OfflineGrader:
    """Grades with the embedding model and the bank's cached vectors; no network, no LLM."""

    name = GRADER_NAME

    def __init__(self, index: BankIndex, thresholds: Thresholds | None = None,
                 strictness: str = "standard") -> None:
        self.index = index
        self.strictness = strictness
        self.thresholds = (thresholds or Thresholds()).at_strictness(strictness)

    def grade(self, question: Question, answer: str) -> Grade:
        """Score, key-point checklist, mistakes and feedback for one answer."""
        units = split_units(answer)
        if not units:
            return self._empty_grade(question)
        unit_vectors = self.index.embedder.embed(units)
        key_points = self._key_point_alignment(question, units, unit_vectors)
        mistakes = self._mistakes(question, units, unit_vectors, key_points)
        wrong_units = {m.evidence for m in mistakes}
        results = [self._judge(text, key_points, col, wrong_units)
                   for col, text in enumerate(question.key_points)]
        credit = [self._credit(r.similarity) for r in results]
        raw = 10.0 * float(np.mean(credit)) - self.thresholds.mistake_penalty * len(mistakes)
        score = round(min(10.0, max(0.0, raw)) * 2) / 2
        return Grade(
            question_id=question.id,
            score=score,
            grader=self.name,
            key_points=tuple(results),
            feedback=feedback(results, mistakes),
            reference=question.reference,
            mistakes=tuple(mistakes),
        )

    def _similarity(self, question: Question, units: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Cosine similarity blended with the similarity of what each side says beyond the question.

        Key points and answers share the question's subject, which alone makes their plain cosine
        high; removing the question's direction leaves what a statement adds to it.
        """
        w = self.thresholds.residual_weight
        q = self.index.texts_for(question.id, "question")[0]
        return (1 - w) * (units @ targets.T) + w * (residual(units, q) @ residual(targets, q).T)

    def _adjust(self, raw: np.ndarray, units: list[str], targets: list[str], question: str) -> np.ndarray:
        """Discount echoes of the question, very short statements and negation mismatches."""
        t = self.thresholds
        question_stems = content_stems(question)
        echo = np.array([min(1.0, 0.4 + 1.5 * novelty(u, question_stems)) for u in units])
        brevity = np.array([min(1.0, len(words(u)) / t.short_unit_words) for u in units])
        mismatch = np.not_equal.outer([negated(u) for u in units], [negated(x) for x in targets])
        factors = np.where(mismatch, t.negation_factor, 1.0)
        return raw * (echo * brevity)[:, None] * factors

    def _key_point_alignment(self, question: Question, units: list[str], vectors: np.ndarray) -> Alignment:
        """Each key point scored by its best statement, its related rewordings counted too."""
        own = self.index.texts_for(question.id, "key_point")
        raw = self._similarity(question, vectors, own)
        aliases = self._aliases(question, own)
        for col, alias_vectors in aliases.items():
            via_alias = self._similarity(question, vectors, alias_vectors).max(axis=1)
            raw[:, col] = np.maximum(raw[:, col], via_alias)
        adjusted = self._adjust(raw, units, list(question.key_points), question.question)
        return Alignment(units, one_point_per_statement(adjusted, self.thresholds.reuse_factor))

    def _aliases(self, question: Question, own: np.ndarray) -> dict[int, np.ndarray]:
        """Rewordings of our key points, by column: reference sentences and related key points."""
        candidates = [self.index.texts_for(question.id, "reference")]
        for other in question.related:
            other_id = self.index.bank.get(other).id
            candidates += [self.index.texts_for(other_id, "key_point"),
                           self.index.texts_for(other_id, "reference")]
        pool = np.vstack([c for c in candidates if len(c)]) if any(len(c) for c in candidates) else None
        if pool is None:
            return {}
        aliases: dict[int, list[np.ndarray]] = {}
        for col, row in zip(*np.nonzero(own @ pool.T >= self.thresholds.alias)):
            aliases.setdefault(int(col), []).append(pool[row])
        return {col: np.vstack(vs) for col, vs in aliases.items()}

    def _mistakes(
        self, question: Question, units: list[str], vectors: np.ndarray, key_points: Alignment
    ) -> list[MistakeFound]:
        """Statements closer to a known mistake than to any key point or sentence of the reference."""
        mistake_vectors = self.index.texts_for(question.id, "mistake")
        if not len(mistake_vectors):
            return []
        t = self.thresholds
        raw = self._similarity(question, vectors, mistake_vectors)
        scores = self._adjust(raw, units, list(question.mistakes), question.question)
        best_correct = key_points.scores.max(axis=1)
        reference = self.index.texts_for(question.id, "reference")
        if len(reference):
            to_reference = self._similarity(question, vectors, reference).max(axis=1)
            best_correct = np.maximum(best_correct, to_reference)
        correct_stems = content_stems(" ".join([question.question, question.reference, *question.key_points]))
        found: dict[str, MistakeFound] = {}
        for row, unit in enumerate(units):
            col = int(np.argmax(scores[row]))
            score = float(scores[row, col])
            claim = question.mistakes[col]
            own_words = bool((content_stems(claim) - correct_stems) & content_stems(unit))
            bar = t.mistake if own_words else t.mistake_without_its_words
            if score >= bar and score >= best_correct[row] + t.mistake_margin:
                found.setdefault(claim, MistakeFound(claim, unit, round(score, 3)))
        return list(found.values())

    def _judge(self, text: str, alignment: Alignment, col: int, wrong_units: set[str]) -> KeyPointResult:
        """Status and evidence of one key point, ignoring statements reported as mistakes."""
        t = self.thresholds
        scores = alignment.scores[:, col].copy()
        for row, unit in enumerate(alignment.units):
            if unit in wrong_units:
                scores[row] = 0.0
        row = int(np.argmax(scores))
        best = float(scores[row])
        status = "covered" if best >= t.covered else "partial" if best >= t.partial else "missed"
        evidence = alignment.units[row] if status != "missed" else ""
        return KeyPointResult(text, status, evidence, round(best, 3))

    def _credit(self, similarity: float) -> float:
        """Credit from 0 to 1, linear between the no-credit and full-credit similarities."""
        t = self.thresholds
        return float(np.clip((similarity - t.no_credit) / (t.full_credit - t.no_credit), 0.0, 1.0))

    def _empty_grade(self, question: Question) -> Grade:
        results = tuple(KeyPointResult(text, "missed") for text in question.key_points)
        return Grade(question.id, 0.0, self.name, results,
                     "No answer to grade. Here is what a good answer covers.", question.reference)


def one_point_per_statement(scores: np.ndarray, reuse_factor: float) -> np.ndarray:
    """Discount each statement's fit to every key point but its best, so one sentence is not many points."""
    discounted = scores * reuse_factor
    best = np.argmax(scores, axis=1)
    rows = np.arange(len(scores))
    discounted[rows, best] = scores[rows, best]
    return discounted


def residual(vectors: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Unit vectors of what remains after removing DIRECTION (a unit vector) from each row."""
    rest = vectors - np.outer(vectors @ direction, direction)
    return rest / np.maximum(np.linalg.norm(rest, axis=1, keepdims=True), 1e-9)


def feedback(results: list[KeyPointResult], mistakes: list[MistakeFound]) -> str:
    """Short feedback naming what was covered, what was missed, and what was wrong."""
    covered = [r for r in results if r.status == "covered"]
    partial = [r for r in results if r.status == "partial"]
    missed = [r for r in results if r.status == "missed"]
    lines = [f"You covered {len(covered)} of {len(results)} key points"
             + (f" and touched on {len(partial)} more." if partial else ".")]
    if missed:
        lines.append("Missed: " + " ".join(r.text for r in missed))
    if partial:
        lines.append("Say more about: " + " ".join(r.text for r in partial))
    for mistake in mistakes:
        lines.append(f"Careful: \"{mistake.evidence}\" is wrong; it is a common misconception.")
    if not missed and not partial and not mistakes:
        lines.append("A complete answer.")
    return "\n".join(lines)

"""The offline grader: aligns the answer with key points and known mistakes, and scores with a fitted model.

Statements of the answer are aligned with key points and known mistakes by sentence embeddings (the
checklist, the evidence, the mistakes); word pieces are aligned BERTScore-style for each key point's
recall; with lexical and length signals these feed the score model (score_model.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from interviewer.config import STRICTNESS_LEVELS
from interviewer.embeddings import Embedder, TokenVectors
from interviewer.grading.evidence import CUT, answer_content
from interviewer.grading.score_model import ScoreModel, load_score_model
from interviewer.grading.signals import answer_signals, token_precision, token_recall
from interviewer.grading.vectors import QuestionTokens, QuestionVectors, VectorSource, rubric_text
from interviewer.index import BankIndex, embed_with_progress
from interviewer.models import Grade, KeyPointResult, MistakeFound, Question
from interviewer.scoring import rounded_score
from interviewer.text import (
    Substrings,
    asked_stems,
    content_stems,
    denies,
    negated,
    novelty,
    opposed,
    same_polarity,
    says_nothing_new,
    shared_share,
    split_units,
    words,
)

GRADER_NAME = "offline"
# An answer of more statements than this (about 5,000 characters; a second or more to embed on two cores)
# is embedded PROGRESS_CHUNK at a time behind a progress bar (benchmarks/long_answers.py).
PROGRESS_AFTER = 64
PROGRESS_CHUNK = 64
# How far each level moves the similarity thresholds, the score model's raw value, and what a mistake costs.
STRICTNESS_SHIFT = {"lenient": -0.05, "standard": 0.0, "strict": 0.05}
STRICTNESS_RAW_SHIFT = {"lenient": 0.05, "standard": 0.0, "strict": -0.05}
STRICTNESS_PENALTY = {"lenient": 1.0, "standard": 2.0, "strict": 3.0}
RESTATEMENT_CEILING = 2.0  # the most an answer that only restates the question can score
NOT_GRADED_NOTE = ("Text addressed to the grader (instructions, JSON or code blocks) was left out: only your "
                   "own statements are graded.")


@dataclass(frozen=True)
class Thresholds:
    """Similarities (after the lexical adjustments) and coverages that decide credit, status and mistakes."""

    no_credit: float = 0.30  # at or below: the key point earns nothing
    full_credit: float = 0.58  # at or above: the key point earns full credit
    mistake: float = 0.72  # a statement this close to a known mistake, and closer than to any key point
    mistake_without_its_words: float = 0.85  # the same, when it shares none of the mistake's own words
    mistake_margin: float = 0.08
    contradiction: float = 0.6  # a statement this close to a key point, of opposite polarity, ...
    contradiction_words: float = 0.85  # ... made of its words (see text.shared_share), ...
    contradiction_gain: float = 0.0  # ... that fits it at least this much better made to agree, denies it
    denial_beside: float = 0.45  # a clause beside a denial, this close to a key point of opposite polarity
    denial: float = 0.5  # a statement this close to the key point or reference sentence it denies ...
    denial_words: float = 0.7  # ... and made this much of its words (shared_share) earns nothing, ...
    denial_unit_words: int = 5  # ... when it has at least this many words (not a heading)
    echo_lexical: float = 0.05  # an answer using less than this share of the key points' own words ...
    echo_margin: float = -0.05  # ... and at least about as close to the question as to the key points
    # (cosine to the question less cosine to the key points read together) only restates the question;
    echo_margin_wordless: float = -0.2  # so does one this close that adds no word (text.says_nothing_new)
    residual_weight: float = 0.5  # share of the similarity measured with the question's direction removed
    reuse_factor: float = 0.7  # similarity kept for key points other than the one a statement fits best
    alias: float = 0.62  # a reference sentence or related key point this close to ours rewords it
    negation_factor: float = 0.6  # similarity kept when one side is negated and the other not
    short_unit_words: int = 6  # statements shorter than this earn proportionally less
    mistake_penalty: float = 2.0  # points off per mistake found
    recall_none: float = 0.45  # token recall of a key point at or below which it is not in the answer
    recall_full: float = 0.75  # token recall at or above which its wording is all there
    covered_coverage: float = 0.6  # mean of statement credit and recall credit for 'covered'
    partial_coverage: float = 0.3  # ... and for 'partial'

    def at_strictness(self, level: str) -> Thresholds:
        """These thresholds made easier ('lenient') or harder ('strict') to satisfy."""
        if level not in STRICTNESS_SHIFT:
            raise ValueError(f"strictness must be one of {', '.join(STRICTNESS_LEVELS)}, not {level!r}")
        shift = STRICTNESS_SHIFT[level]
        return replace(self, no_credit=self.no_credit + shift, full_credit=self.full_credit + shift,
                       covered_coverage=self.covered_coverage + 2 * shift,
                       partial_coverage=self.partial_coverage + 2 * shift,
                       mistake_penalty=STRICTNESS_PENALTY[level])


@dataclass(frozen=True)
class Alignment:
    """Similarities of answer statements (rows) to targets (columns): as measured, and adjusted."""

    units: list[str]
    scores: np.ndarray
    raw: np.ndarray
    mismatch: np.ndarray  # True where exactly one of statement and target is negated


@dataclass(frozen=True)
class Assessment:
    """Everything the grader found in one answer, before it is turned into a score."""

    results: list[KeyPointResult]
    mistakes: list[MistakeFound]
    signals: dict[str, float]
    has_statements: bool
    denials: list[str]  # statements that say the opposite of the reference and so earn nothing
    echo: float  # the answer's cosine to the question less its cosine to the key points read together
    adds_no_word: bool  # the answer uses only the question's words and words about the question


class OfflineGrader:
    """Grades with the embedding model and the bank's cached vectors; no network, no LLM."""

    name = GRADER_NAME

    def __init__(self, index: BankIndex | None = None, thresholds: Thresholds | None = None,
                 strictness: str = "standard", embedder: Embedder | None = None) -> None:
        self.vectors = VectorSource(index, embedder)
        self.embedder = self.vectors.embedder
        self.strictness = strictness
        self.thresholds = (thresholds or Thresholds()).at_strictness(strictness)
        self.shift = STRICTNESS_RAW_SHIFT[strictness]
        self.model: ScoreModel = load_score_model()
        single_threaded_blas()

    def grade(self, question: Question, answer: str) -> Grade:
        """Score, key-point checklist, mistakes and feedback for one answer: its own statements, not the
        instructions, JSON or code addressed to the grader inside it (evidence.answer_content)."""
        content = answer_content(answer)
        found = self.assess(question, content.replace(CUT, "\n"))
        notes = [NOT_GRADED_NOTE] if CUT in content else []
        if found is None:
            return replace(self._empty_grade(question), notes=tuple(notes))
        t = self.thresholds
        model_score = self.model.score(found.signals, self.shift) if found.has_statements else 0.0
        ceiling = 10.0
        results = found.results
        if found.denials:
            notes.append("No credit for saying the opposite of the reference: "
                         + " ".join(f"“{unit}”" for unit in found.denials))
        if not found.has_statements and not found.mistakes and not found.denials:
            notes.append("A list of terms is not an answer: say what each one does and why.")
        elif restates_the_question(found, t):
            ceiling = RESTATEMENT_CEILING
            results = [KeyPointResult(r.text, "missed") for r in results]  # the question's words cover none
            if not found.denials:  # what is left of a denial looks like a restatement, but is not one
                notes.append("Your answer mostly restates the question: say what the key points are.")
        raw = min(model_score, ceiling) - t.mistake_penalty * len(found.mistakes)
        return Grade(
            question_id=question.id,
            score=rounded_score(raw),
            grader=self.name,
            key_points=tuple(results),
            feedback=feedback(results, found.mistakes),
            reference=question.reference,
            mistakes=tuple(found.mistakes),
            notes=tuple(notes),
        )

    def prepare(self, questions: Iterable[Question]) -> None:
        """Embed now what grading an answer to each of QUESTIONS embeds once (its key points, mistakes and
        reference sentences, and its key points word piece by word piece), so that no first answer to one
        of them waits for it."""
        for question in questions:
            self.vectors.for_question(question)
            self.vectors.tokens_for(question)

    @property
    def pass_marks(self) -> dict[str, float]:
        """Per benchmark, the score that best separated correct answers in its training split."""
        return self.model.pass_marks

    def assess(self, question: Question, answer: str) -> Assessment | None:
        """The checklist, mistakes and score signals of an answer; None for an empty one."""
        units = split_units(answer)
        if not units:
            return None
        unit_vectors = embedded_once(self.embedder, units)
        targets = self.vectors.for_question(question)
        alignment = self._key_point_alignment(question, targets, units, unit_vectors)
        mistakes = self._mistakes(question, targets, units, unit_vectors, alignment)
        mistakes += self._contradictions(question, targets, units, unit_vectors,
                                         {m.evidence for m in mistakes})
        wrong_units = {m.evidence for m in mistakes}
        denials = self._denials(question, targets, units, unit_vectors, wrong_units)
        said = without(split_units(answer, word_lists=False), wrong_units | denials)
        tokens = self.vectors.tokens_for(question)
        said_pieces = self.embedder.embed_tokens([said])[0] if said else None
        recall, rubric_recall, precision = self._token_alignment(tokens, said_pieces)
        best = self._best_per_key_point(alignment, wrong_units | denials)
        results = [self._judge(text, alignment, col, best[col], recall[col])
                   for col, text in enumerate(question.key_points)]
        q = targets.question[0]
        answer_vector = said_pieces.sentence if said_pieces else self.embedder.embed([answer])[0]
        signals = answer_signals(
            said, rubric_text(question), question.question, recall, rubric_recall, precision,
            residual_similarity=beyond_question(answer_vector, tokens.rubric, q),
            statement_credit=float(np.mean([self._credit(similarity) for similarity, _ in best])),
        )
        shown = [u for u in dict.fromkeys(units)  # each once, though a long answer may repeat it
                 if u in denials and not any(u in other for other in denials - {u})]
        echo = float(answer_vector @ q - answer_vector @ tokens.rubric)
        adds_no_word = says_nothing_new(answer, asked_stems(question.question, rubric_text(question)))
        return Assessment(results, mistakes, signals, bool(said), shown, echo, adds_no_word)

    def _denials(self, question: Question, targets: QuestionVectors, units: list[str], vectors: np.ndarray,
                 taken: set[str]) -> set[str]:
        """Statements that deny (text.denies) the key point or reference sentence of their words that they
        fit best: they earn nothing, though unlike contradictions they are not reported as wrong. A
        sentence cut into clauses is judged by its clauses, and denies when they deny most of it."""
        t = self.thresholds
        texts = [*question.key_points, *question.reference_sentences]
        similarity = self._target_similarity(targets, vectors)
        clauses = Substrings(u for u in set(units) if len(words(u)) >= 4)
        fitting: dict[str, list[int]] = {}  # per statement, the targets made of its words
        denied: set[str] = set()
        for row, unit in enumerate(units):
            if unit in taken or len(words(unit)) < t.denial_unit_words or clauses.within(unit) - {unit}:
                continue
            if unit not in fitting:
                fitting[unit] = [k for k, text in enumerate(texts)
                                 if shared_share(unit, text) >= t.denial_words]
            if fitting[unit]:
                k = max(fitting[unit], key=lambda k: similarity[row, k])
                if similarity[row, k] >= t.denial and denies(unit, texts[k]):
                    denied.add(unit)
        denials = Substrings(denied)
        mostly = {u for u in set(units)
                  if denied and len(words(without([u], denied, denials))) < len(words(u)) / 2}
        return denied | (mostly - taken)

    def _made_to_agree(self, q: np.ndarray, pairs: list[tuple[str, str]]) -> list[float]:
        """The similarity of each (statement, claim) pair once their polarities are made to agree."""
        if not pairs:
            return []
        agreed = embedded_once(self.embedder, [text for pair in pairs for text in same_polarity(*pair)])
        return [float(self._similarity(q, agreed[2 * k : 2 * k + 1], agreed[2 * k + 1 : 2 * k + 2])[0, 0])
                for k in range(len(pairs))]

    def _target_similarity(self, targets: QuestionVectors, vectors: np.ndarray) -> np.ndarray:
        """Similarity of each statement (row) to each key point, then each reference sentence (columns)."""
        q = targets.question[0]
        similarity = self._similarity(q, vectors, targets.key_points)
        if len(targets.reference):
            similarity = np.hstack([similarity, self._similarity(q, vectors, targets.reference)])
        return similarity

    def _token_alignment(self, tokens: QuestionTokens, answer: TokenVectors | None
                         ) -> tuple[list[float], float, float]:
        """Token recall of each key point and of all of them within ANSWER, the word pieces of what the
        answer said (its statements less those reported as mistakes; None: nothing), and its precision."""
        if answer is None:
            return [0.0] * len(tokens.key_points), 0.0, 0.0
        recall = [token_recall(kp, answer, tokens.question_pieces) for kp in tokens.key_points]
        whole = token_recall(tokens.rubric_tokens, answer, tokens.question_pieces)
        return recall, whole, token_precision(answer, tokens.key_points, tokens.question_pieces)

    def _best_per_key_point(self, alignment: Alignment, wrong_units: set[str]) -> list[tuple[float, int]]:
        """Per key point: the best adjusted similarity of a statement not reported as wrong, and its row."""
        scores = alignment.scores.copy()
        for row, unit in enumerate(alignment.units):
            if unit in wrong_units:
                scores[row] = 0.0
        rows = np.argmax(scores, axis=0)
        return [(float(scores[row, col]), int(row)) for col, row in enumerate(rows)]

    def _similarity(self, q: np.ndarray, units: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Cosine similarity blended with the similarity of what each side says beyond the question.

        Key points and answers share the question's subject, which alone makes their plain cosine
        high; removing the question's direction leaves what a statement adds to it.
        """
        w = self.thresholds.residual_weight
        return (1 - w) * (units @ targets.T) + w * (residual(units, q) @ residual(targets, q).T)

    def _adjust(self, raw: np.ndarray, units: list[str], targets: list[str], question: str) -> np.ndarray:
        """Discount echoes of the question, very short statements and negation mismatches."""
        t = self.thresholds
        question_stems = content_stems(question)
        echo = np.array([min(1.0, 0.4 + 1.5 * novelty(u, question_stems)) for u in units])
        brevity = np.array([min(1.0, len(words(u)) / t.short_unit_words) for u in units])
        factors = np.where(negation_mismatch(units, targets), t.negation_factor, 1.0)
        return raw * (echo * brevity)[:, None] * factors

    def _key_point_alignment(self, question: Question, targets: QuestionVectors, units: list[str],
                             vectors: np.ndarray) -> Alignment:
        """Each key point scored by its best statement, its related rewordings counted too."""
        q = targets.question[0]
        raw = self._similarity(q, vectors, targets.key_points)
        aliases = self._aliases(question, targets)
        for col, alias_vectors in aliases.items():
            via_alias = self._similarity(q, vectors, alias_vectors).max(axis=1)
            raw[:, col] = np.maximum(raw[:, col], via_alias)
        adjusted = self._adjust(raw, units, list(question.key_points), question.question)
        return Alignment(units, one_point_per_statement(adjusted, self.thresholds.reuse_factor), raw,
                         negation_mismatch(units, list(question.key_points)))

    def _aliases(self, question: Question, targets: QuestionVectors) -> dict[int, np.ndarray]:
        """Rewordings of our key points, by column: reference sentences and related key points."""
        own = targets.key_points
        candidates = [targets.reference]
        for other in self.vectors.related(question):
            candidates += [other.key_points, other.reference]
        pool = np.vstack([c for c in candidates if len(c)]) if any(len(c) for c in candidates) else None
        if pool is None:
            return {}
        aliases: dict[int, list[np.ndarray]] = {}
        for col, row in zip(*np.nonzero(own @ pool.T >= self.thresholds.alias)):
            aliases.setdefault(int(col), []).append(pool[row])
        return {col: np.vstack(vs) for col, vs in aliases.items()}

    def _mistakes(self, question: Question, targets: QuestionVectors, units: list[str], vectors: np.ndarray,
                  key_points: Alignment) -> list[MistakeFound]:
        """Statements closer to a known mistake than to any key point or sentence of the reference."""
        if not len(targets.mistakes):
            return []
        t = self.thresholds
        q = targets.question[0]
        raw = self._similarity(q, vectors, targets.mistakes)
        scores = self._adjust(raw, units, list(question.mistakes), question.question)
        best_correct = key_points.scores.max(axis=1)
        if len(targets.reference):
            to_reference = self._similarity(q, vectors, targets.reference).max(axis=1)
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

    def _contradictions(self, question: Question, targets: QuestionVectors, units: list[str],
                        vectors: np.ndarray, taken: set[str]) -> list[MistakeFound]:
        """Statements that say a key point in its own words but with the opposite polarity: no key point
        or reference sentence of their own polarity fits them better, and made to agree in polarity
        they fit the key point clearly better than as said."""
        t = self.thresholds
        q = targets.question[0]
        points = list(question.key_points)
        texts = [*points, *question.reference_sentences]
        similarity = self._target_similarity(targets, vectors)
        candidates: list[tuple[int, int]] = []
        for row, unit in enumerate(units):
            if unit in taken or len(words(unit)) < t.short_unit_words:
                continue
            flipped = [opposed(unit, text) for text in texts]
            agreeing = max((similarity[row, k] for k in range(len(texts)) if not flipped[k]), default=0.0)
            candidates += [(row, col) for col, point in enumerate(points)
                           if flipped[col] and similarity[row, col] >= t.contradiction
                           and similarity[row, col] > agreeing
                           and shared_share(unit, point) >= t.contradiction_words]
        if not candidates:
            return []
        fits_agreed = self._made_to_agree(q, [(units[row], points[col]) for row, col in candidates])
        best: dict[int, tuple[float, str]] = {}
        for (row, col), made_to_agree in zip(candidates, fits_agreed):
            score = float(similarity[row, col])
            if made_to_agree >= score + t.contradiction_gain and score > best.get(col, (0.0, ""))[0]:
                best[col] = (score, units[row])
        best.update(self._denials_beside(best, units, points, similarity))
        return [MistakeFound(f"The opposite is true: {points[col]}", unit, round(score, 3))
                for col, (score, unit) in sorted(best.items())]

    def _denials_beside(self, denials: dict[int, tuple[float, str]], units: list[str], points: list[str],
                        similarity: np.ndarray) -> dict[int, tuple[float, str]]:
        """Clauses joined in one sentence to a denial that deny another key point in fewer of its words
        ('X does not A, and Y does not B'): their best key point, of opposite polarity, loosely matched."""
        t = self.thresholds
        denied = {unit for _, unit in denials.values()}
        in_denial = Substrings(denied)
        holding = {s: in_denial.within(s) for s in set(units)}  # the denials each statement holds
        holding = {s: held for s, held in holding.items() if held}
        found: dict[int, tuple[float, str]] = {}
        for row, unit in enumerate(units):
            if unit in denied or not any(unit != sentence and unit in sentence and held - {unit}
                                         for sentence, held in holding.items()):
                continue
            col = int(np.argmax(similarity[row, : len(points)]))
            score = float(similarity[row, col])
            if (col not in denials and col not in found and score >= t.denial_beside
                    and opposed(unit, points[col])
                    and shared_share(unit, points[col]) >= t.contradiction_words / 2):
                found[col] = (score, unit)
        return found

    def _judge(self, text: str, alignment: Alignment, col: int, best: tuple[float, int],
               recall: float) -> KeyPointResult:
        """Status and evidence of one key point from its best statement and its token recall."""
        t = self.thresholds
        similarity, row = best
        recall_credit = float(np.clip((recall - t.recall_none) / (t.recall_full - t.recall_none), 0.0, 1.0))
        coverage = (self._credit(similarity) + recall_credit) / 2
        if coverage >= t.covered_coverage:
            status = "covered"
        else:
            status = "partial" if coverage >= t.partial_coverage else "missed"
        evidence = alignment.units[row] if status != "missed" else ""
        return KeyPointResult(text, status, evidence, round(coverage, 3))

    def _credit(self, similarity: float) -> float:
        """Credit from 0 to 1, linear between the no-credit and full-credit similarities."""
        t = self.thresholds
        return float(np.clip((similarity - t.no_credit) / (t.full_credit - t.no_credit), 0.0, 1.0))

    def _empty_grade(self, question: Question) -> Grade:
        results = tuple(KeyPointResult(text, "missed") for text in question.key_points)
        return Grade(question.id, 0.0, self.name, results,
                     "No answer to grade. Here is what a good answer covers.", question.reference)


def without(statements: list[str], wrong: set[str], wrong_parts: Substrings | None = None) -> str:
    """The statements read together, less the parts reported as wrong (WRONG_PARTS: WRONG indexed, to
    pass when it is called again with the same parts)."""
    wrong_parts = wrong_parts or Substrings(wrong)
    longest_first = sorted(wrong, key=len, reverse=True)
    kept = []
    for statement in statements:
        if wrong_parts.within(statement):  # a statement that holds no wrong part is kept as it is
            for part in longest_first:
                statement = statement.replace(part, " ")
        if words(statement):
            kept.append(" ".join(statement.split()))
    return " ".join(kept)


def embedded_once(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """The vectors of TEXTS, one row each, embedding each distinct text once (a long answer repeats
    itself); a long answer's statements are embedded behind a progress bar, which the web chat shows."""
    distinct = list(dict.fromkeys(texts))
    vectors = embed_with_progress(embedder, distinct, "Grading", quiet=len(distinct) <= PROGRESS_AFTER,
                                  batch=PROGRESS_CHUNK)
    if len(distinct) == len(texts):
        return vectors
    rows = {text: row for row, text in enumerate(distinct)}
    return vectors[[rows[text] for text in texts]]


def restates_the_question(found: Assessment, t: Thresholds) -> bool:
    """Hardly any of the key points' own words, and no closer to the key points than to the question, or
    only a little closer when it adds no word of its own ('a computational graph is a graph that is
    computational')."""
    margin = t.echo_margin_wordless if found.adds_no_word else t.echo_margin
    return found.signals["lexical_recall"] < t.echo_lexical and found.echo >= margin


def beyond_question(answer: np.ndarray, rubric: np.ndarray, question: np.ndarray) -> float:
    """Cosine of answer and key points once the question's direction is removed from both."""
    return float(residual(answer[None, :], question)[0] @ residual(rubric[None, :], question)[0])


def single_threaded_blas() -> None:
    """Keep numpy's BLAS on one thread: the grader's matrices are tiny, and on a busy machine BLAS
    threads spinning for work make each product a hundred times slower (measured: 19 ms against 0.2 ms)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def negation_mismatch(units: list[str], targets: list[str]) -> np.ndarray:
    """True where exactly one of a statement (row) and a target (column) is negated."""
    return np.not_equal.outer([negated(u) for u in units], [negated(x) for x in targets])


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

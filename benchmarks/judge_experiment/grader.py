"""An experiment for issue 11, not shipped: the offline grader as a pipeline: split the answer, judge
the pairs, findings, score, feedback.

1. Statements: the answer's own sentences and list items (evidence.answer_content leaves out what is
   addressed to the grader), and each two neighbours read together.
2. Pairs: for every key point and known mistake, the CANDIDATES statements closest to it by sentence
   embedding; each pair is judged once by the pair judge (model.py).
3. Findings: a key point is wrong when a statement contradicts it more surely than any states it, else
   covered or partial by how surely a statement entails it; a known mistake is made when a statement
   entails it. The statement that decided is the evidence.
4. Score: the checklist's credit (scoring.checklist_score) less WRONG_COST per wrong statement.
5. Feedback: what was right, the one or two things to add, what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from model import CONTRADICTED, ENTAILED, PairJudge

from interviewer.embeddings import Embedder
from interviewer.grading.evidence import CUT, answer_content
from interviewer.grading.vectors import VectorSource
from interviewer.index import BankIndex
from interviewer.models import Grade, KeyPointResult, MistakeFound, Question
from interviewer.scoring import checklist_score, rounded_score
from interviewer.text import split_units

GRADER_NAME = "offline"
NOT_GRADED_NOTE = (
    "Text addressed to the grader (instructions, JSON or code blocks) was left out: only your "
    "own statements are graded."
)


@dataclass(frozen=True)
class Settings:
    """Every number of the pipeline. Chosen on the interview dev set (tune.py)."""

    candidates: int = 4  # statements judged per key point or mistake: the closest by embedding
    covered: float = 0.5  # P(entailed) at or above which a key point is covered
    partial: float = 0.25  # ... partial
    contradicted: float = 0.5  # P(contradicted) at or above which (and above P(entailed)) it is wrong
    mistake: float = 0.6  # P(entailed) at or above which a statement makes a known mistake
    wrong_cost: float = 2.0  # points off per wrong statement
    shift: float = 0.0  # strictness: added to the covered and partial thresholds

    def at_strictness(self, level: str) -> Settings:
        shift = {"lenient": -0.1, "standard": 0.0, "strict": 0.1}[level]
        return replace(
            self,
            covered=self.covered + shift,
            partial=self.partial + shift,
            wrong_cost=self.wrong_cost + 10 * shift,
        )


@dataclass(frozen=True)
class Judged:
    """The judge's verdicts on one answer: for each claim (key points, then mistakes), the best
    statement for each outcome and its probability."""

    statements: list[str]
    entailed: np.ndarray  # (claims,) highest P(entailed)
    entailed_by: list[int]  # statement index
    contradicted: np.ndarray
    contradicted_by: list[int]


class JudgedGrader:
    """Grades with the pair judge; no network, no LLM."""

    name = GRADER_NAME

    def __init__(
        self,
        judge: PairJudge,
        index: BankIndex | None = None,
        embedder: Embedder | None = None,
        settings: Settings | None = None,
        strictness: str = "standard",
    ) -> None:
        self.judge = judge
        self.vectors = VectorSource(index, embedder)
        self.embedder = self.vectors.embedder
        self.settings = (settings or Settings()).at_strictness(strictness)

    def grade(self, question: Question, answer: str) -> Grade:
        content = answer_content(answer)
        notes = (NOT_GRADED_NOTE,) if CUT in content else ()
        statements = list(dict.fromkeys(split_units(content.replace(CUT, "\n"), word_lists=False)))
        if not statements:
            results = tuple(KeyPointResult(k, "missed") for k in question.key_points)
            return Grade(
                question.id,
                0.0,
                self.name,
                results,
                feedback(results, []),
                question.reference,
                notes=notes + ("A list of terms is not an answer: say what each one does and why.",),
            )
        judged = self.judged(question, statements)
        results, mistakes = findings(question, judged, self.settings)
        wrong = {m.evidence for m in mistakes}
        score = checklist_score(r.status for r in results) - self.settings.wrong_cost * len(wrong)
        return Grade(
            question.id,
            rounded_score(score),
            self.name,
            tuple(results),
            feedback(results, mistakes),
            question.reference,
            mistakes=tuple(mistakes),
            notes=notes,
        )

    def judged(self, question: Question, statements: list[str]) -> Judged:
        """Judge each claim against its closest statements (and neighbouring pairs of statements)."""
        premises = statements + [f"{a} {b}" for a, b in zip(statements, statements[1:])]
        claims = [*question.key_points, *question.mistakes]
        targets = self.vectors.for_question(question)
        claim_vectors = (
            np.vstack([targets.key_points, targets.mistakes]) if question.mistakes else targets.key_points
        )
        premise_vectors = self.embedder.embed(premises)
        closest = np.argsort(-(claim_vectors @ premise_vectors.T), axis=1)[:, : self.settings.candidates]
        pairs = sorted({(int(p), c) for c in range(len(claims)) for p in closest[c]})
        probabilities = self.judge.probabilities([(premises[p], claims[c]) for p, c in pairs])
        entailed = np.zeros(len(claims))
        contradicted = np.zeros(len(claims))
        entailed_by = [0] * len(claims)
        contradicted_by = [0] * len(claims)
        for (p, c), row in zip(pairs, probabilities):
            if row[ENTAILED] > entailed[c]:
                entailed[c], entailed_by[c] = row[ENTAILED], p
            if row[CONTRADICTED] > contradicted[c] and row[CONTRADICTED] > row[ENTAILED]:
                contradicted[c], contradicted_by[c] = row[CONTRADICTED], p
        return Judged(premises, entailed, entailed_by, contradicted, contradicted_by)


def findings(
    question: Question, judged: Judged, s: Settings
) -> tuple[list[KeyPointResult], list[MistakeFound]]:
    """Each key point's status and evidence, and the wrong statements found."""
    results: list[KeyPointResult] = []
    mistakes: list[MistakeFound] = []
    for c, point in enumerate(question.key_points):
        entailed, contradicted = judged.entailed[c], judged.contradicted[c]
        if contradicted >= s.contradicted and contradicted > entailed:
            evidence = judged.statements[judged.contradicted_by[c]]
            results.append(KeyPointResult(point, "wrong", evidence, float(contradicted)))
            mistakes.append(MistakeFound(point, evidence, float(contradicted)))
        elif entailed >= s.partial:
            status = "covered" if entailed >= s.covered else "partial"
            results.append(
                KeyPointResult(point, status, judged.statements[judged.entailed_by[c]], float(entailed))
            )
        else:
            results.append(KeyPointResult(point, "missed"))
    for m, mistake in enumerate(question.mistakes, start=len(question.key_points)):
        if judged.entailed[m] >= s.mistake:
            mistakes.append(
                MistakeFound(mistake, judged.statements[judged.entailed_by[m]], float(judged.entailed[m]))
            )
    return results, mistakes


def feedback(results, mistakes: list[MistakeFound]) -> str:
    """Right, to add (one or two), wrong and why: read in ten seconds."""
    covered = [r for r in results if r.status == "covered"]
    to_add = [r for r in results if r.status in ("missed", "partial")]
    lines = [f"Right: {len(covered)} of {len(results)} key points."]
    if to_add:
        lines.append("Add: " + " ".join(r.text for r in to_add[:2]))
    for mistake in mistakes[:2]:
        lines.append(
            f"Wrong: “{mistake.evidence}” — in fact the opposite holds: {mistake.claim}"
            if mistake.claim in {r.text for r in results}
            else f"Wrong: “{mistake.evidence}” — a common misconception."
        )
    if not to_add and not mistakes:
        lines.append("A complete answer.")
    return "\n".join(lines)

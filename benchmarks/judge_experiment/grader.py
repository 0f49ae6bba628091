"""The offline grader as a pipeline over the pair judge (model.py): split the answer, judge the pairs,
findings, score, feedback. An experiment for issue 11, third round, not shipped.

1. Split: the answer's own statements (evidence.answer_content leaves out what is addressed to the
   grader), read together as passages of at most PASSAGE_WORDS words: an interview answer is one passage.
2. Judge (judge.py, each pair once): every passage against every key point and known mistake, and the
   question itself against every key point, which says what the question alone already gives away.
3. Findings: a key point is wrong when a passage contradicts it (more surely than it entails it),
   covered or partial by how surely a passage entails it beyond what the question does, else missed;
   a known mistake is made when a passage entails it. Each finding's evidence is the statement of its
   passage that the judge finds says it best; a statement that contradicts a key point is never the
   evidence that covers one.
4. Score: the checklist's credit (scoring.checklist_score) less WRONG_COST per wrong key point or mistake.
5. Feedback: what was right, the one or two things to add, what was wrong and why.

Every number is in Settings, chosen on the interview dev set (train.py cv --sweep).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from model import CONTRADICTED, ENTAILED, PairJudge

from interviewer.grading.evidence import CUT, answer_content
from interviewer.grading.offline import GRADER_NAME, NOT_GRADED_NOTE
from interviewer.models import Grade, KeyPointResult, MistakeFound, Question
from interviewer.scoring import checklist_score, rounded_score
from interviewer.text import split_units, words

MOST_TO_ADD = 2  # key points named under "Add"; the checklist shows the rest
MOST_WRONG = 2  # wrong statements explained
PASSAGE_WORDS = 180  # an answer longer than this is judged in passages of consecutive statements
QUESTION_CACHE = 4096  # questions whose own judgements are kept
WORD_LIST_NOTE = "A list of terms is not an answer: say what each one does and why."
RESTATES_NOTE = "Your answer mostly restates the question: say what the key points are."


@dataclass(frozen=True)
class Settings:
    """Every number of the pipeline. The defaults were a first guess; `train.py cv --sweep` measures the
    grid on dev answers judged by a model that had not seen their question (benchmarks/README.md, "A
    learned pair judge, third round", gives the best settings of each variant)."""

    covered: float = 0.75  # P(entailed) at or above which a key point is covered
    partial: float = 0.15  # ... partial
    beyond_question: float = 0.2  # P(entailed) must exceed the question's own by this to count at all
    contradicted: float = 0.3  # P(contradicted) at or above which (and above P(entailed)) it is wrong
    mistake: float = 0.95  # P(entailed) at or above which a known mistake is made
    wrong_cost: float = 3.0  # points off (of 10) per wrong key point or mistake made

    def at_strictness(self, level: str) -> Settings:
        """'lenient' covers on less certainty and costs less per mistake; 'strict' the reverse."""
        shift = {"lenient": -0.1, "standard": 0.0, "strict": 0.1}[level]
        return replace(self, covered=self.covered + shift, partial=max(0.05, self.partial + shift),
                       wrong_cost=self.wrong_cost + 10 * shift)


@dataclass(frozen=True)
class Judged:
    """The judge's verdicts on one answer: per claim (key points, then mistakes), the most sure passage
    for entailment and for contradiction, with their probabilities. A key point's entailment counts only
    where it exceeds the question's own by BEYOND_QUESTION (else 0); the raw one is kept in `said`."""

    passages: list[list[str]]  # each passage's statements
    entailed: np.ndarray  # (claims,)
    entailed_in: list[int]  # passage index
    contradicted: np.ndarray  # P(contradicted) where above that passage's entailment, else 0
    contradicted_in: list[int]
    said: np.ndarray  # (claims,) raw P(entailed), not measured against the question


class JudgedGrader:
    """Grades with the pair judge; no network, no LLM."""

    name = GRADER_NAME

    def __init__(self, settings: Settings | None = None, strictness: str = "standard",
                 judge: PairJudge | None = None) -> None:
        self.judge = judge or PairJudge()
        self.strictness = strictness
        self.settings = (settings or Settings()).at_strictness(strictness)
        self._questions: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def grade(self, question: Question, answer: str) -> Grade:
        """Score, key-point checklist, mistakes and feedback for one answer: its own statements, not the
        instructions, JSON or code addressed to the grader inside it (evidence.answer_content)."""
        content = answer_content(answer)
        notes = [NOT_GRADED_NOTE] if CUT in content else []
        # sentences, not clauses: the passage read by the judge must be the answer as written
        statements = list(dict.fromkeys(split_units(content.replace(CUT, "\n"), word_lists=False,
                                                    clauses=False)))
        if not statements:
            if words(content.replace(CUT, " ")):
                notes.append(WORD_LIST_NOTE)
            results = tuple(KeyPointResult(point, "missed") for point in question.key_points)
            return Grade(question.id, 0.0, self.name, results, feedback(results, []), question.reference,
                         notes=tuple(notes))
        judged = self.judged(question, passages(statements))
        results, mistakes = self.findings(question, judged)
        if restates_the_question(judged, results, self.settings):
            notes.append(RESTATES_NOTE)
        raw = checklist_score(r.status for r in results) - self.settings.wrong_cost * len(mistakes)
        return Grade(
            question_id=question.id,
            score=rounded_score(raw),
            grader=self.name,
            key_points=tuple(results),
            feedback=feedback(results, mistakes),
            reference=question.reference,
            mistakes=tuple(mistakes),
            notes=tuple(notes),
        )

    def judged(self, question: Question, passages_: list[list[str]]) -> Judged:
        """Every passage against every claim, each pair judged once."""
        claims = [*question.key_points, *question.mistakes]
        texts = [" ".join(p) for p in passages_]
        pairs = [(text, claim) for claim in claims for text in texts]
        probabilities = self.judge.probabilities(pairs).reshape(len(claims), len(texts), -1)
        said = probabilities[:, :, ENTAILED]
        floor = np.zeros(len(claims))  # what the question itself gives away, for key points
        floor[: len(question.key_points)] = self.question_entailed(question) + self.settings.beyond_question
        entailed = np.where(said >= floor[:, None], said, 0.0)
        contradiction = np.where(probabilities[:, :, CONTRADICTED] > entailed,
                                 probabilities[:, :, CONTRADICTED], 0.0)
        return Judged(
            passages=passages_,
            entailed=entailed.max(axis=1),
            entailed_in=[int(i) for i in entailed.argmax(axis=1)],
            contradicted=contradiction.max(axis=1),
            contradicted_in=[int(i) for i in contradiction.argmax(axis=1)],
            said=said.max(axis=1),
        )

    def question_entailed(self, question: Question) -> np.ndarray:
        """How surely the question's own text entails each key point (kept per question)."""
        key = (question.question, *question.key_points)
        if key not in self._questions:
            if len(self._questions) >= QUESTION_CACHE:
                self._questions.popitem(last=False)
            rows = self.judge.probabilities([(question.question, point) for point in question.key_points])
            self._questions[key] = rows[:, ENTAILED]
        return self._questions[key]

    def findings(self, question: Question, judged: Judged) -> tuple[list[KeyPointResult], list[MistakeFound]]:
        """Each key point's status and evidence, and the wrong statements found."""
        s = self.settings
        points = len(question.key_points)
        statuses: list[str] = []
        for c in range(points):
            if judged.contradicted[c] >= s.contradicted:
                statuses.append("wrong")
            elif judged.entailed[c] >= s.covered:
                statuses.append("covered")
            else:
                statuses.append("partial" if judged.entailed[c] >= s.partial else "missed")
        made = [m for m in range(len(question.mistakes)) if judged.entailed[points + m] >= s.mistake]
        evidence = self.evidence(question, judged, statuses, made)
        results = [KeyPointResult(point, status, *evidence.get(c, ("", 0.0)))
                   for c, (point, status) in enumerate(zip(question.key_points, statuses))]
        mistakes = [MistakeFound(question.key_points[c], *evidence[c])
                    for c, status in enumerate(statuses) if status == "wrong"]
        mistakes += [MistakeFound(question.mistakes[m], *evidence[points + m]) for m in made]
        return results, mistakes

    def evidence(self, question: Question, judged: Judged, statuses: list[str],
                 made: list[int]) -> dict[int, tuple[str, float]]:
        """For each finding (claim index): the statement of its deciding passage that the judge finds
        says it best, and how surely. Wrong statements are found first and never cover a key point."""
        claims = [*question.key_points, *question.mistakes]
        points = len(question.key_points)
        wanted = [(c, CONTRADICTED, judged.contradicted_in[c]) for c, status in enumerate(statuses)
                  if status == "wrong"]
        wanted += [(points + m, ENTAILED, judged.entailed_in[points + m]) for m in made]
        wanted += [(c, ENTAILED, judged.entailed_in[c]) for c, status in enumerate(statuses)
                   if status in ("covered", "partial")]
        pairs = sorted({(statement, claims[c]) for c, _, p in wanted for statement in judged.passages[p]})
        rows = dict(zip(pairs, self.judge.probabilities(pairs))) if pairs else {}
        found: dict[int, tuple[str, float]] = {}
        wrong_statements: set[str] = set()
        for c, outcome, p in wanted:
            options = [s for s in judged.passages[p] if outcome == CONTRADICTED or s not in wrong_statements]
            best = max(options or judged.passages[p], key=lambda s: rows[(s, claims[c])][outcome])
            found[c] = (best, float(rows[(best, claims[c])][outcome]))
            if outcome == CONTRADICTED or c >= points:
                wrong_statements.add(best)
        return found


def passages(statements: list[str]) -> list[list[str]]:
    """Consecutive statements grouped into passages of at most PASSAGE_WORDS words (a longer statement
    stands alone)."""
    out: list[list[str]] = [[]]
    length = 0
    for statement in statements:
        size = len(statement.split())
        if out[-1] and length + size > PASSAGE_WORDS:
            out.append([])
            length = 0
        out[-1].append(statement)
        length += size
    return out


def restates_the_question(judged: Judged, results: list[KeyPointResult], s: Settings) -> bool:
    """True when nothing earned credit and, for most key points, the answer entails no more than the
    question itself does: it says what was asked, not the answer."""
    if any(r.status != "missed" for r in results):
        return False
    echoed = [said >= s.partial and credited == 0.0
              for said, credited in zip(judged.said, judged.entailed[: len(results)])]
    return sum(echoed) * 2 >= len(results) > 0


def feedback(results: Sequence[KeyPointResult], mistakes: Sequence[MistakeFound]) -> str:
    """'Right: ...', 'Add: ...' (the first one or two key points missed or partly said), and 'Wrong: ...'
    for each false statement with what holds instead; 'A complete answer.' when nothing is missing."""
    covered = [r for r in results if r.status == "covered"]
    partial = [r for r in results if r.status == "partial"]
    to_add = [r for r in results if r.status == "missed"] + partial
    right = f"Right: {len(covered)} of {len(results)} key points"
    lines = [right + (f", and {len(partial)} more partly." if partial else ".")]
    if to_add:
        more = len(to_add) - MOST_TO_ADD
        lines.append("Add: " + " ".join(r.text for r in to_add[:MOST_TO_ADD])
                     + (f" (and {more} more in the checklist)" if more > 0 else ""))
    points = {r.text for r in results}
    for mistake in list(mistakes)[:MOST_WRONG]:
        if mistake.claim in points:
            lines.append(f"Wrong: “{mistake.evidence}” In fact: {mistake.claim}")
        else:
            lines.append(f"Wrong: “{mistake.evidence}” is a common misconception.")
    if not to_add and not mistakes:
        lines.append("A complete answer.")
    return "\n".join(lines)

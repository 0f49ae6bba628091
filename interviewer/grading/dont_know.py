"""'I don't know' and its variants: a score of 0 at once, an encouraging line and the reference."""

from __future__ import annotations

import re

from interviewer.grading import Grader
from interviewer.models import Grade, KeyPointResult, Question

MAX_WORDS = 12
ENCOURAGEMENT = (
    "No problem: saying you don't know beats guessing in an interview. Here is what a good answer "
    "covers; read it through and come back to this question later."
)
FILLERS = re.compile(
    r"\b(?:sorry|honestly|really|actually|unfortunately|well|so|oh|ah|uh+|um+|hmm+|er+|tbh|"
    r"to be honest|i'm afraid|i am afraid|i think|i guess|at all|to be fair|totally|absolutely)\b"
)
IT = r"(?: (?:the answer|this(?: one)?|that|it|about (?:this|that|it)|anything about (?:this|that|it)))?"
DONT = r"(?:do not|don't|dont|do nt|can't|cant|cannot|can not)"
VARIANTS = [
    rf"(?:i )?{DONT} know{IT}",
    rf"(?:i )?{DONT} remember{IT}",
    rf"(?:i )?(?:have )?(?:forgotten|forgot|forget){IT}",
    rf"(?:i )?(?:have |got )?(?:no|not an?) (?:idea|clue){IT}",
    rf"(?:i'm |im |i am )?not (?:sure|certain){IT}",
    rf"(?:i )?{DONT} (?:answer|say){IT}",
    r"(?:i )?(?:pass|will pass|'ll pass)|i'll pass|idk|dunno|i dunno|no answer|beats me|nothing|next",
]
DONT_KNOW = re.compile("|".join(f"(?:{v})" for v in VARIANTS))


def is_dont_know(answer: str) -> bool:
    """True when the whole answer, in a few words, says the candidate does not know (or is empty)."""
    text = answer.lower().replace("’", "'")
    if len(text.split()) > MAX_WORDS:
        return False
    clauses = [" ".join(FILLERS.sub(" ", c).split()) for c in re.split(r"[.,;:!?\n()-]+", text)]
    clauses = [c for c in clauses if c]
    return all(DONT_KNOW.fullmatch(c) for c in clauses)


def dont_know_grade(question: Question, grader_name: str) -> Grade:
    """Score 0, every key point missed, an encouraging line and the reference answer."""
    missed = tuple(KeyPointResult(text, "missed") for text in question.key_points)
    return Grade(question.id, 0.0, grader_name, missed, ENCOURAGEMENT, question.reference)


class DontKnowFilter:
    """Answers 'I don't know' itself, without calling the grader it wraps; passes the rest on."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader
        self.name = grader.name

    def grade(self, question: Question, answer: str) -> Grade:
        """A zero grade for 'I don't know', else the wrapped grader's grade."""
        if is_dont_know(answer):
            return dont_know_grade(question, self.name)
        return self.grader.grade(question, answer)

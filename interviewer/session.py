"""The interview engine, with no I/O: ask, answer (saved, graded, recorded), follow up, hint, skip, retake,
next, end, the candidate's own grade, the timer and the summary. The terminal and the web chat both drive
it and show what it says; neither holds an interview rule of its own."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from interviewer.answer_text import CleanAnswer, clean_answer
from interviewer.coaching import Coach, FollowUp, fold_follow_up, follow_up_question, wants_follow_up
from interviewer.errors import InterviewerError
from interviewer.grading import Grader
from interviewer.history import LOCAL_USER, History, HistoryError
from interviewer.history.database import new_id
from interviewer.models import Grade, KeyPointResult, Question


class MoveError(InterviewerError):
    """An operation asked for when the interview cannot do it (an empty answer, a retake before any
    answer); the message says what to do instead."""


class EmptyAnswerError(MoveError):
    """An answer with nothing to grade once cleaned: only spaces or control characters."""

    exit_code = 2


@dataclass(frozen=True)
class Said:
    """One thing said in the interview: a question, an answer, a grade, a hint, a follow-up, a notice or an
    error. The transcript is what every interface shows."""

    kind: str
    text: str = ""
    grade: Grade | None = None
    question: Question | None = None
    number: int = 0


@dataclass(frozen=True)
class OwnGrade:
    """The candidate's own grade of an answer, kept beside the grader's."""

    score: float
    reason: str = ""


@dataclass
class Turn:
    """One question of an interview and what became of it; its answers are the parts graded (the history
    keeps the whole of a long one, in ENTRY)."""

    question: Question
    answer: str = ""
    grade: Grade | None = None
    skipped: bool = False
    follow_up: FollowUp | None = None  # asked before the grade is shown, answered or declined
    follow_up_answer: str = ""
    own_grade: OwnGrade | None = None
    entry: str | None = None  # the history's entry of the answer (or skip), when it could be saved


@dataclass(frozen=True)
class TurnSummary:
    """One question's line in the summary: its number, the grader's score (None when skipped) and the
    candidate's own grade, if given."""

    number: int
    question: Question
    score: float | None
    own_score: float | None


@dataclass(frozen=True)
class Summary:
    """What an interview comes to: each question's score, the mean, the means per topic and the key points
    to review (missed first, then partial)."""

    turns: tuple[TurnSummary, ...]
    mean_score: float | None
    topic_scores: dict[str, float]
    weak_points: tuple[tuple[Question, KeyPointResult], ...]


@dataclass
class Interview:
    """One sitting: its questions, the turns taken, what was said, and where it stands (its phase).

    Every answer is cleaned first (answer_text.clean_answer: invalid bytes replaced, control characters
    dropped, a long one graded on what fits, each change a note on its grade). It is saved to HISTORY,
    whole, as USER's, before GRADER grades it, and its grade is recorded after, so nothing a candidate typed
    is lost; so are skips, hints, follow-ups, the candidate's own grades and the time each answer took. A
    partly right answer (something earned, something left), when the COACH has an LLM to write one, gets
    one follow-up question on its weakest key point before its grade is shown, so the grade does not give
    the follow-up away; the follow-up's answer is folded into the grade.
    Interfaces that serve several requests at once hold LOCK while they act.
    """

    questions: list[Question]
    grader: Grader
    coach: Coach
    history: History
    seconds_per_question: float = 0
    clock: Callable[[], float] = time.monotonic
    user: str = LOCAL_USER
    session_id: str = field(default_factory=new_id)
    turns: list[Turn] = field(default_factory=list)
    transcript: list[Said] = field(default_factory=list)
    earlier: dict[int, list[Turn]] = field(default_factory=dict)  # retaken answers, by position
    # 'asking', 'follow-up' (a follow-up awaits its answer), 'graded' (a grade is shown) or 'ended'
    phase: str = field(default="asking", init=False)
    deadline: float | None = None
    shown_at: float = field(default=0.0, init=False)  # when the question (or follow-up) waiting was asked
    hint_given: str | None = field(default=None, init=False)  # the hint given for it, if any
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M"))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.questions:
            raise MoveError("an interview needs at least one question")
        if self.seconds_per_question < 0 or not math.isfinite(self.seconds_per_question):
            raise MoveError("the time per question must be 0 (no timer) or a number of seconds")
        self._ask()

    # where it stands

    @property
    def position(self) -> int:
        """Index of the current question."""
        return len(self.turns)

    @property
    def finished(self) -> bool:
        """True when every question has been answered or skipped."""
        return self.position >= len(self.questions)

    def current(self) -> Question:
        """The question being asked."""
        return self.questions[self.position]

    @property
    def last_turn(self) -> Turn | None:
        """The turn taken last, if any."""
        return self.turns[-1] if self.turns else None

    @property
    def follow_up(self) -> FollowUp | None:
        """The follow-up question waiting for its answer, if one is."""
        return self.last_turn.follow_up if self.phase == "follow-up" else None

    # the operations

    def answer(self, text: str) -> Grade:
        """Grade TEXT as the answer to the question (or follow-up) waiting for one; it is saved first."""
        if self.phase not in ("asking", "follow-up"):
            raise MoveError("no question is waiting for an answer: go to the next question, retake or end")
        answer = clean_answer(text)
        if answer.empty:
            raise EmptyAnswerError("the answer is empty (nothing but spaces or control characters): type "
                                   "an answer first, or skip")
        if self.phase == "follow-up":
            return self._answer_follow_up(answer)
        question = self.current()
        grade, notices, entry = self._graded(question, answer)
        turn = Turn(question, answer.graded, grade, entry=entry)
        self.turns.append(turn)
        self._say_answer(answer.graded, notices)
        if not self._ask_follow_up(turn):
            self._show_grade(grade)
        return grade

    def hint(self) -> str:
        """A hint about one key point of the question waiting for an answer (the same one if asked again)."""
        if self.phase == "asking":
            text = self.coach.hint(self.current())
        elif self.phase == "follow-up":
            turn = self.last_turn
            text = self.coach.hint(turn.question, turn.grade)
        else:
            raise MoveError("hints are for a question waiting for an answer")
        self.hint_given = text
        self._say("hint", text)
        return text

    def skip(self) -> None:
        """Skip the question and ask the next one (or end); during a follow-up, decline it."""
        if self.phase == "follow-up":
            self._say("notice", "Follow-up skipped.")
            self._show_grade(self.last_turn.grade)
            return
        if self.phase != "asking":
            raise MoveError("there is no question to skip: go to the next question, retake or end")
        question = self.current()
        entry = self._keep(self.history.save_skip, self.user, self.session_id, question.id, question.topics,
                           self._seconds(), self.hint_given)
        self.turns.append(Turn(question, skipped=True, entry=entry))
        self._say("notice", "Skipped.")
        self._move_on()

    def retake(self) -> None:
        """Ask the question just graded again; its new grade replaces this one, which stays in EARLIER."""
        if self.phase != "graded":
            raise MoveError("a retake comes after a graded answer")
        position = len(self.turns) - 1
        self.earlier.setdefault(position, []).append(self.turns.pop())
        self._say("notice", "Retake: answer again. The new grade replaces this one; the export keeps both.")
        self._ask()

    def next(self) -> None:
        """Move on after a grade: the next question, or the end when none is left."""
        if self.phase != "graded":
            raise MoveError("answer or skip the question first")
        self._move_on()

    def end(self) -> None:
        """End the interview at any time; questions not reached are left out of the summary."""
        self.phase, self.deadline = "ended", None

    def disagree(self, score: float | None, reason: str = "") -> None:
        """Record the candidate's own grade (0 to 10) of the answer just graded, beside the grader's."""
        turn = self.last_turn
        if self.phase != "graded" or turn is None or turn.grade is None:
            raise MoveError("you can give your own grade once an answer has been graded")
        if score is None or not 0 <= score <= 10:
            raise MoveError("your grade must be a number from 0 to 10")
        turn.own_grade = OwnGrade(float(score), reason.strip())
        if turn.entry is not None:
            self._keep(self.history.save_own_grade, turn.entry, turn.own_grade.score, turn.own_grade.reason)
        self._say("notice", f"Recorded your grade, {score:g}/10, beside the grader's "
                            f"{turn.grade.score:g}/10; the export shows both.")

    def seconds_left(self) -> float | None:
        """Seconds until the time is up, or None when no countdown runs."""
        return None if self.deadline is None else max(0.0, self.deadline - self.clock())

    def time_up(self, text: str) -> bool:
        """At the end of the countdown, grade the answer typed so far, or skip when there is none; True
        when the time was up."""
        if self.seconds_left() != 0.0:
            return False
        self.deadline = None
        if not clean_answer(text).empty:
            self._say("notice", "Time is up: your answer so far is graded.")
            self.answer(text)
        else:
            self._say("notice", "Time is up, and the answer box was empty.")
            self.skip()
        return True

    def report_error(self, message: str) -> None:
        """Say MESSAGE as an error (one an interface caught while driving the interview)."""
        self._say("error", message)

    def summary(self) -> Summary:
        """Each question's score beside the candidate's own grade, the mean, per topic, and what to review."""
        graded = [t for t in self.turns if t.grade is not None]
        scores = [t.grade.score for t in graded]
        rows = tuple(TurnSummary(number, t.question, t.grade.score if t.grade else None,
                                 t.own_grade.score if t.own_grade else None)
                     for number, t in enumerate(self.turns, start=1))
        return Summary(rows, sum(scores) / len(scores) if scores else None, topic_scores(graded),
                       weak_points(graded))

    # the steps behind them

    def _ask(self) -> None:
        self.phase = "asking"
        self._say("question", question=self.current(), number=self.position + 1)
        self._start_timer()
        self.shown_at, self.hint_given = self.clock(), None

    def _move_on(self) -> None:
        if self.finished:
            self.end()
        else:
            self._ask()

    def _answer_follow_up(self, answer: CleanAnswer) -> Grade:
        turn = self.last_turn
        follow_up = turn.follow_up
        grade, notices, _ = self._graded(follow_up_question(turn.question, follow_up), answer,
                                         follow_up.question, turn.entry)
        turn.follow_up_answer = answer.graded
        turn.grade = fold_follow_up(turn.grade, grade, follow_up)
        if turn.entry is not None:
            notices += self._warnings(self.history.save_grade, turn.entry, turn.grade)
        self._say_answer(answer.graded, notices)
        self._show_grade(turn.grade)
        return turn.grade

    def _ask_follow_up(self, turn: Turn) -> bool:
        """Ask a follow-up on TURN's weakest key point when its answer was partly right and an LLM writes
        follow-ups; True when one was asked (the LLM may fail to write one: then none is)."""
        if not (self.coach.asks_follow_ups and wants_follow_up(turn.grade)):
            return False
        follow_up = self.coach.follow_up(turn.question, turn.answer, turn.grade)
        if follow_up is None:
            return False
        turn.follow_up, self.phase = follow_up, "follow-up"
        if turn.entry is not None:
            self._keep(self.history.save_follow_up, turn.entry, follow_up.question)
        self._say("follow-up", follow_up.question)
        self._start_timer()
        self.shown_at, self.hint_given = self.clock(), None
        return True

    def _graded(self, question: Question, answer: CleanAnswer, follow_up: str = "", parent: str | None = None
                ) -> tuple[Grade, list[str], str | None]:
        """The grade of ANSWER, with its cleaning notes, any notice about saving it, and its history entry:
        the whole answer is saved first (with the hint given and the seconds it took), then its graded
        part graded, then its grade (or the error that stopped grading) is saved; an answer that cannot be
        saved is graded all the same, with a notice."""
        notices: list[str] = []
        try:
            entry = self.history.save_answer(
                self.user, self.session_id, question.id, question.topics, answer.text,
                "follow-up" if follow_up else "answer", parent, follow_up or None, self._seconds(),
                self.hint_given)
        except HistoryError as exc:
            entry = None
            notices.append(f"Warning: could not save the answer: {exc}")
        try:
            grade = grade_answer(self.grader, question, answer)
        except InterviewerError as exc:
            if entry is None:
                raise
            self._warnings(self.history.save_error, entry, str(exc))
            saved = InterviewerError(f"{exc} (your answer was saved to the history at {self.history.where})")
            saved.exit_code = exc.exit_code
            raise saved from exc
        if entry is not None:
            notices += self._warnings(self.history.save_grade, entry, grade)
        return grade, notices, entry

    def _seconds(self) -> float:
        """Seconds since the question (or follow-up) waiting was asked."""
        return max(0.0, self.clock() - self.shown_at)

    def _warnings(self, write: Callable[..., object], *args: object) -> list[str]:
        """Do WRITE to the history; a notice for each failure (none or one): the interview goes on."""
        try:
            write(*args)
        except HistoryError as exc:
            return [f"Warning: {exc}"]
        return []

    def _keep(self, write: Callable[..., str | None], *args: object) -> str | None:
        """Do WRITE to the history and return what it returns; a failure is said as a notice (None)."""
        try:
            return write(*args)
        except HistoryError as exc:
            self._say("notice", f"Warning: {exc}")
            return None

    def _say_answer(self, text: str, notices: list[str]) -> None:
        self._say("answer", text)
        for notice in notices:
            self._say("notice", notice)

    def _show_grade(self, grade: Grade) -> None:
        """Say the grade; the timer stops until the next question."""
        self._say("grade", grade=grade)
        self.phase, self.deadline = "graded", None

    def _start_timer(self) -> None:
        seconds = self.seconds_per_question
        self.deadline = self.clock() + seconds if seconds else None

    def _say(self, kind: str, text: str = "", **details: object) -> None:
        self.transcript.append(Said(kind, text, **details))


def grade_answer(grader: Grader, question: Question, answer: CleanAnswer) -> Grade:
    """ANSWER's graded part graded, its cleaning notes before the grader's: how every answer is graded, in
    an interview or when one saved but not graded is picked up later."""
    grade = grader.grade(question, answer.graded)
    return replace(grade, notes=(*answer.notes, *grade.notes))


def weak_points(turns: list[Turn]) -> tuple[tuple[Question, KeyPointResult], ...]:
    """The key points missed (or stated wrongly), then those covered in part, across graded TURNS."""
    points = [(t.question, k) for t in turns if t.grade is not None for k in t.grade.key_points]
    return (tuple((q, k) for q, k in points if k.status in ("missed", "wrong"))
            + tuple((q, k) for q, k in points if k.status == "partial"))


def topic_scores(turns: list[Turn]) -> dict[str, float]:
    """The mean score of graded TURNS on each topic, in the order topics first came up."""
    scores: dict[str, list[float]] = {}
    for turn in turns:
        if turn.grade is not None:
            for topic in turn.question.topics:
                scores.setdefault(topic, []).append(turn.grade.score)
    return {topic: sum(values) / len(values) for topic, values in scores.items()}

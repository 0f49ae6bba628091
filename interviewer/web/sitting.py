"""One candidate's sitting in the web chat, without Gradio: the interview, what was said, and the work of
each button (start, answer, hint, skip, follow-up, retake, next, end, disagree, the timer)."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from interviewer.coaching import Coach, FollowUp, follow_up_question, weakest_point
from interviewer.config import Settings
from interviewer.errors import InterviewerError
from interviewer.grading import Grader
from interviewer.models import Grade, KeyPointResult, Question
from interviewer.runtime import Runtime
from interviewer.session import Interview, Turn, pick, select_questions
from interviewer.store import AnswerLog

NEEDS_AN_LLM = (
    "Follow-up questions need an LLM, and this interview is graded offline. Start a new interview with "
    "the LLM grader, or configure one and restart `interviewer web`: set OPENAI_BASE_URL to an "
    "OpenAI-compatible server (Ollama, vLLM, llama.cpp) or OPENAI_API_KEY for OpenAI."
)


class SittingError(InterviewerError):
    """A button pressed when it cannot act, e.g. an empty answer; the message says what to do instead."""


@dataclass(frozen=True)
class Said:
    """One message of the chat: a question, an answer, a grade, a hint, a follow-up, a notice or an error."""

    kind: str
    text: str = ""
    grade: Grade | None = None
    question: Question | None = None
    number: int = 0


@dataclass(frozen=True)
class Disagreement:
    """The candidate's own grade of an answer, kept beside the grader's."""

    score: float
    reason: str = ""


@dataclass(frozen=True)
class Attempt:
    """An answer that was retaken, with the candidate's grade of it, kept for the export."""

    turn: Turn
    disagreement: Disagreement | None = None


@dataclass
class Sitting:
    """What one browser session holds: its interview, grader, coach (hints are remembered per coach),
    transcript, the candidate's own grades, earlier attempts and the timer's deadline. The interface
    holds LOCK while it acts, so two requests of one session never interleave."""

    interview: Interview
    grader: Grader
    coach: Coach
    log: AnswerLog
    grader_name: str
    seconds_per_question: float = 0
    clock: Callable[[], float] = time.monotonic
    transcript: list[Said] = field(default_factory=list)
    disagreements: dict[int, Disagreement] = field(default_factory=dict)
    earlier: dict[int, list[Attempt]] = field(default_factory=dict)
    follow_up: FollowUp | None = None
    reviewing: bool = False
    ended: bool = False
    deadline: float | None = None
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M"))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def phase(self) -> str:
        """'asking', 'follow-up' (a follow-up awaits its answer), 'graded' (a grade is shown) or 'ended'."""
        if self.ended:
            return "ended"
        if self.follow_up is not None:
            return "follow-up"
        return "graded" if self.reviewing else "asking"

    @property
    def last_turn(self) -> Turn | None:
        """The turn taken last, if any."""
        return self.interview.turns[-1] if self.interview.turns else None

    def say(self, kind: str, text: str = "", **details: object) -> None:
        """Add a message to the transcript."""
        self.transcript.append(Said(kind, text, **details))


def grader_choices(settings: Settings) -> list[str]:
    """The graders a candidate may choose: 'llm' when one is configured, 'offline' always."""
    configured = settings.uses_llm or bool(settings.base_url or settings.api_key)
    return ["llm", "offline"] if configured else ["offline"]


def default_grader(settings: Settings) -> str:
    """The grader the settings select."""
    return "llm" if settings.uses_llm else "offline"


def start(runtime: Runtime, topics: list[str], count: int, grader_name: str, seconds: float = 0,
          rng: random.Random | None = None) -> Sitting:
    """A new sitting on TOPICS (tags or free text; none: all) with COUNT questions, its first one asked."""
    pool = select_questions(runtime.bank, topics, runtime.index)
    return open_sitting(runtime, pick(pool, max(1, count), rng or random.Random()), grader_name, seconds)


def open_sitting(runtime: Runtime, questions: list[Question], grader_name: str, seconds: float = 0,
                 clock: Callable[[], float] = time.monotonic) -> Sitting:
    """A sitting on QUESTIONS graded by GRADER_NAME, with SECONDS per question (0: no timer), the first
    question asked."""
    if grader_name not in grader_choices(runtime.settings):
        raise SittingError(f"grader {grader_name!r} is not available here; choose one of "
                           f"{', '.join(grader_choices(runtime.settings))}")
    if seconds < 0 or not math.isfinite(seconds):
        raise SittingError("the time per question must be 0 (no timer) or a number of seconds")
    sitting = Sitting(Interview(questions), runtime.grader(mode=grader_name), runtime.coach(grader_name),
                      AnswerLog(runtime.settings.data_dir), grader_name, seconds, clock)
    ask(sitting)
    return sitting


def ask(sitting: Sitting) -> None:
    """Ask the current question and start its timer."""
    interview = sitting.interview
    sitting.say("question", question=interview.current(), number=interview.position + 1)
    start_timer(sitting)


def answer(sitting: Sitting, text: str) -> None:
    """Grade TEXT as the answer to the question (or follow-up) waiting for one; it is saved first."""
    if sitting.phase not in ("asking", "follow-up"):
        raise SittingError("no question is waiting for an answer: press Next, Retake or End")
    if not text.strip():
        raise SittingError("type an answer first, or press Skip")
    if sitting.phase == "follow-up":
        answer_follow_up(sitting, text)
        return
    question = sitting.interview.current()
    grade, warnings = graded(sitting, question, text)
    sitting.interview.answer(text, grade)
    shown_graded(sitting, text, warnings, grade)


def answer_follow_up(sitting: Sitting, text: str) -> None:
    """Fold the graded answer to the follow-up into its question's grade."""
    turn, follow_up = sitting.last_turn, sitting.follow_up
    grade, warnings = graded(sitting, follow_up_question(turn.question, follow_up), text, follow_up.question)
    sitting.interview.add_follow_up(turn, follow_up, text, grade)
    sitting.follow_up = None
    shown_graded(sitting, text, warnings, turn.grade)


def graded(sitting: Sitting, question: Question, text: str, follow_up: str = "") -> tuple[Grade, list[str]]:
    """The grade of TEXT, saved to the answer log first, and any warning about saving it."""
    warnings: list[str] = []
    grade = sitting.log.save_and_grade(question.id, text, lambda: sitting.grader.grade(question, text),
                                       follow_up, warnings.append)
    return grade, warnings


def shown_graded(sitting: Sitting, text: str, warnings: list[str], grade: Grade) -> None:
    """Show an answer and its grade; the timer stops until the next question."""
    sitting.say("answer", text)
    for warning in warnings:
        sitting.say("notice", warning)
    sitting.say("grade", grade=grade)
    sitting.reviewing, sitting.deadline = True, None


def hint(sitting: Sitting) -> None:
    """A hint about one key point of the question waiting for an answer (the same one if asked again)."""
    if sitting.phase == "asking":
        sitting.say("hint", sitting.coach.hint(sitting.interview.current()))
    elif sitting.phase == "follow-up":
        turn = sitting.last_turn
        sitting.say("hint", sitting.coach.hint(turn.question, turn.grade))
    else:
        raise SittingError("hints are for a question waiting for an answer")


def skip(sitting: Sitting) -> None:
    """Skip the question and ask the next one (or end); during a follow-up, decline it."""
    if sitting.phase == "follow-up":
        sitting.follow_up, sitting.deadline = None, None
        sitting.say("notice", "Follow-up skipped; the grade above stands.")
        return
    if sitting.phase != "asking":
        raise SittingError("there is no question to skip: press Next, Retake or End")
    sitting.interview.skip()
    sitting.say("notice", "Skipped.")
    move_on(sitting)


def ask_follow_up(sitting: Sitting) -> None:
    """Ask one follow-up question aimed at the weakest key point of the answer just graded (LLM only)."""
    turn = sitting.last_turn
    if sitting.phase != "graded" or turn is None or turn.grade is None:
        raise SittingError("a follow-up comes after a graded answer")
    if not sitting.coach.asks_follow_ups:
        sitting.say("notice", NEEDS_AN_LLM)
    elif turn.follow_up is not None:
        sitting.say("notice", "You have answered this question's follow-up; press Next or Retake.")
    elif weakest_point(turn.grade.key_points) is None:
        sitting.say("notice", "Every key point was covered: there is nothing to follow up.")
    else:
        follow_up = sitting.coach.follow_up(turn.question, turn.answer, turn.grade)
        if follow_up is None:
            sitting.say("notice", "The LLM could not write a follow-up question just now; press Follow-up "
                                  "to try again, or Next.")
            return
        sitting.follow_up = follow_up
        sitting.say("follow-up", follow_up.question)
        start_timer(sitting)


def retake(sitting: Sitting) -> None:
    """Ask the question just graded again; its new grade replaces this one, which the export keeps."""
    if sitting.phase != "graded":
        raise SittingError("retake comes after a graded answer")
    position = len(sitting.interview.turns) - 1
    turn = sitting.interview.retake()
    sitting.earlier.setdefault(position, []).append(Attempt(turn, sitting.disagreements.pop(position, None)))
    sitting.reviewing = False
    sitting.say("notice", "Retake: answer again. The new grade replaces this one; the export keeps both.")
    ask(sitting)


def next_question(sitting: Sitting) -> None:
    """Move on after a grade: the next question, or the end when none is left."""
    if sitting.phase != "graded":
        raise SittingError("answer or skip the question first")
    sitting.reviewing = False
    move_on(sitting)


def move_on(sitting: Sitting) -> None:
    """Ask the next question, or end the sitting when every question has been taken."""
    if sitting.interview.finished:
        end(sitting)
    else:
        ask(sitting)


def end(sitting: Sitting) -> None:
    """End the sitting at any time; questions not reached are left out of the summary."""
    sitting.ended, sitting.reviewing, sitting.follow_up, sitting.deadline = True, False, None, None


def disagree(sitting: Sitting, score: float | None, reason: str = "") -> None:
    """Record the candidate's own grade (0 to 10) of the answer just graded, beside the grader's."""
    turn = sitting.last_turn
    if sitting.phase != "graded" or turn is None or turn.grade is None:
        raise SittingError("you can give your own grade once an answer has been graded")
    if score is None or not 0 <= score <= 10:
        raise SittingError("your grade must be a number from 0 to 10")
    sitting.disagreements[len(sitting.interview.turns) - 1] = Disagreement(float(score), reason.strip())
    sitting.say("notice", f"Recorded your grade, {score:g}/10, beside the grader's {turn.grade.score:g}/10; "
                          "the export shows both.")


def start_timer(sitting: Sitting) -> None:
    """Start the countdown for the question just asked, when the sitting has a timer."""
    seconds = sitting.seconds_per_question
    sitting.deadline = sitting.clock() + seconds if seconds else None


def seconds_left(sitting: Sitting) -> float | None:
    """Seconds until the time is up, or None when no countdown runs."""
    return None if sitting.deadline is None else max(0.0, sitting.deadline - sitting.clock())


def time_up(sitting: Sitting, text: str) -> bool:
    """At the end of the countdown, grade the answer typed so far, or skip when the box is empty;
    True when the time was up."""
    if seconds_left(sitting) != 0.0:
        return False
    sitting.deadline = None
    if text.strip():
        sitting.say("notice", "Time is up: your answer so far is graded.")
        answer(sitting, text)
    else:
        sitting.say("notice", "Time is up, and the answer box was empty.")
        skip(sitting)
    return True


def report_error(sitting: Sitting, message: str) -> None:
    """Show an error in the chat."""
    sitting.say("error", message)


def weak_points(interview: Interview) -> list[tuple[Question, KeyPointResult]]:
    """The key points missed, then those covered in part, across the graded answers."""
    points = [(t.question, k) for t in interview.turns if t.grade is not None for k in t.grade.key_points]
    return ([(q, k) for q, k in points if k.status == "missed"]
            + [(q, k) for q, k in points if k.status == "partial"])


def scores_by_topic(interview: Interview) -> dict[str, float]:
    """The mean score of the graded answers on each topic, in the order topics first came up."""
    scores: dict[str, list[float]] = {}
    for turn in interview.turns:
        if turn.grade is not None:
            for topic in turn.question.topics:
                scores.setdefault(topic, []).append(turn.grade.score)
    return {topic: sum(values) / len(values) for topic, values in scores.items()}

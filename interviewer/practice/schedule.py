"""Spaced repetition over the bank: each past answer becomes an FSRS rating, each question a card whose
state comes from replaying its answers through fsrs.Scheduler in time order; from the cards, what is due,
the order `ask` and `review` ask questions in, and the key points a candidate keeps missing.

FSRS (Free Spaced Repetition Scheduler) predicts how likely an answer is to be recalled after a time; it
schedules a question again when that probability falls to the desired retention."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from interviewer.practice.records import PracticeRecord

if TYPE_CHECKING:
    from fsrs import Card, Rating, Scheduler

MISSED = ("missed", "wrong")


@dataclass(frozen=True)
class RatingRules:
    """Every number that turns an answer into an FSRS rating, and where it came from.

    Scores are on the 0-10 scale the graders report (score / max_score * 10)."""

    # Below this an answer is failed (Again): 5/10, the evaluation's DEFAULT_PASS_MARK
    # (interviewer/evaluation/runner.py), where a grade counts as 'correct' against human grades.
    pass_mark: float = 5.0
    # More than this share of key points missed or stated wrongly is a failed answer (Again) whatever the
    # score: "most key points missed" taken literally, more than half.
    missed_share: float = 0.5
    # At or above this, with no wrong statement, the answer is complete: 9/10 is the checklist score
    # (interviewer/scoring.py) of every key point covered but at most one of five or more partial.
    complete: float = 9.0
    # A complete answer given within this many seconds is Easy: two minutes, the length of a spoken answer
    # an interviewer expects to a short conceptual question.
    quick_seconds: float = 120.0


RULES = RatingRules()

@dataclass(frozen=True)
class ScheduleSettings:
    """The scheduler's numbers, and where they came from."""

    # FSRS's own default retention, its authors' balance between reviews per day and recall.
    default_retention: float = 0.90
    # With an interview date: this far away (days) or more, review less and learn more new questions...
    far_days: int = 60
    far_retention: float = 0.85
    # ...rising linearly to this in the last week, when recalling what is known matters most.
    near_days: int = 7
    near_retention: float = 0.95
    # A mock interview is not a flashcard drill: FSRS's minute-long learning steps would ask a question
    # again within the sitting (Retake does that); without steps every interval is at least a day.
    learning_steps: tuple[timedelta, ...] = ()
    relearning_steps: tuple[timedelta, ...] = ()


SCHEDULE = ScheduleSettings()


def score_out_of_ten(record: PracticeRecord) -> float | None:
    """The record's score on the 0-10 scale; None when it was skipped or not graded."""
    if record.skipped or record.score is None or record.max_score <= 0:
        return None
    return record.score / record.max_score * 10


def missed_share(record: PracticeRecord) -> float:
    """The share of the record's key points missed or stated wrongly (0 when it lists none)."""
    if not record.key_points:
        return 0.0
    return sum(status in MISSED for _, status in record.key_points) / len(record.key_points)


def quick(record: PracticeRecord, rules: RatingRules) -> bool:
    return record.seconds is not None and record.seconds < rules.quick_seconds


@dataclass(frozen=True)
class RatingRow:
    """One row of the mapping from an answer to its FSRS rating: when it applies, the rating, and why."""

    when: str
    rating: str
    why: str
    applies: Callable[[PracticeRecord, float | None, RatingRules], bool]  # (record, score out of 10, rules)


# The mapping, first match wins (so a row assumes every row above it did not apply); README's table.
RATING_TABLE = (
    RatingRow("skipped, or not graded", "Again", "nothing was recalled", lambda r, s, k: s is None),
    RatingRow("a wrong statement (mistakes > 0)", "Again", "a confident error must be relearnt",
              lambda r, s, k: r.mistakes > 0),
    RatingRow(f"more than {RULES.missed_share:.0%} of the key points missed or wrong", "Again",
              "most of the answer was not there",
              lambda r, s, k: missed_share(r) > k.missed_share),
    RatingRow(f"score below {RULES.pass_mark:g}/10 (the pass mark)", "Again", "failed",
              lambda r, s, k: s < k.pass_mark),
    RatingRow("passed with a hint or a follow-up", "Hard", "recalled, with help",
              lambda r, s, k: r.hinted or r.followed_up),
    RatingRow(f"score >= {RULES.complete:g}/10 in under {RULES.quick_seconds:g} seconds", "Easy",
              "complete and fluent",
              lambda r, s, k: s >= k.complete and quick(r, k)),
    RatingRow("any other pass", "Good", "recalled", lambda r, s, k: True),
)


def rating_name(record: PracticeRecord, rules: RatingRules = RULES) -> str:
    """The FSRS rating's name for one answer, by the first row of RATING_TABLE that applies."""
    score = score_out_of_ten(record)
    return next(row.rating for row in RATING_TABLE if row.applies(record, score, rules))


def rating_for(record: PracticeRecord, rules: RatingRules = RULES) -> Rating:
    """The fsrs.Rating for one answer."""
    from fsrs import Rating

    return Rating[rating_name(record, rules)]


def retention(now: datetime, until: date | None, settings: ScheduleSettings = SCHEDULE) -> float:
    """The desired retention on NOW's day for an interview on UNTIL.

    No date, or a date past: the default (0.90). Otherwise, with d the days left,
    far_retention (0.85) for d >= far_days (60), near_retention (0.95) for d <= near_days (7), and between
    them linear: 0.95 - (d - 7) / (60 - 7) * (0.95 - 0.85)."""
    if until is None:
        return settings.default_retention
    days = (until - now.date()).days
    if days < 0:
        return settings.default_retention
    if days <= settings.near_days:
        return settings.near_retention
    if days >= settings.far_days:
        return settings.far_retention
    share = (days - settings.near_days) / (settings.far_days - settings.near_days)
    return settings.near_retention - share * (settings.near_retention - settings.far_retention)


def scheduler(desired_retention: float = SCHEDULE.default_retention,
              settings: ScheduleSettings = SCHEDULE) -> Scheduler:
    """An fsrs.Scheduler with the default FSRS parameters, no fuzz (the same history gives the same
    schedule) and no learning steps."""
    from fsrs import Scheduler

    return Scheduler(desired_retention=desired_retention, learning_steps=settings.learning_steps,
                     relearning_steps=settings.relearning_steps, enable_fuzzing=False)


def card_id(question_id: str) -> int:
    """A stable card id for a question (fsrs's default, the creation time, would differ per replay)."""
    return zlib.crc32(question_id.encode("utf-8"))


def utc(moment: datetime) -> datetime:
    """MOMENT in UTC, as fsrs requires; a naive one is a mistake the history must not make."""
    if moment.tzinfo is None:
        raise ValueError(f"practice record time {moment.isoformat()} has no timezone")
    return moment.astimezone(timezone.utc)


@dataclass(frozen=True)
class QuestionCard:
    """One question's FSRS card after its answers, with the last answer's rating."""

    question_id: str
    card: Card
    reviews: int
    last_rating: str

    @property
    def due(self) -> datetime:
        return self.card.due

    def to_dict(self) -> dict:
        """The card as JSON-ready data: fsrs's own card dict, and what this module adds."""
        return {"question_id": self.question_id, "card": self.card.to_dict(), "reviews": self.reviews,
                "last_rating": self.last_rating}

    @classmethod
    def from_dict(cls, data: Mapping) -> QuestionCard:
        from fsrs import Card

        return cls(data["question_id"], Card.from_dict(data["card"]), data["reviews"], data["last_rating"])


def in_time_order(records: Iterable[PracticeRecord]) -> list[PracticeRecord]:
    """The records sorted by time (stable: ties keep the history's order)."""
    return sorted(records, key=lambda r: utc(r.time))


def question_cards(records: Iterable[PracticeRecord], desired_retention: float = SCHEDULE.default_retention,
                   rules: RatingRules = RULES) -> dict[str, QuestionCard]:
    """Each answered (or skipped) question's card, its records replayed through fsrs in time order."""
    from fsrs import Card

    planner = scheduler(desired_retention)
    cards: dict[str, QuestionCard] = {}
    for record in in_time_order(records):
        when = utc(record.time)
        before = cards.get(record.question_id)
        card = before.card if before else Card(card_id=card_id(record.question_id), due=when)
        card, _ = planner.review_card(card, rating_for(record, rules), when)
        reviews = (before.reviews if before else 0) + 1
        cards[record.question_id] = QuestionCard(record.question_id, card, reviews,
                                                 rating_name(record, rules))
    return cards


def due(records: Iterable[PracticeRecord], now: datetime, until: date | None = None,
        within: timedelta = timedelta(0)) -> list[tuple[str, datetime]]:
    """(question id, due time) of every question due by NOW + WITHIN, the most overdue first."""
    cards = question_cards(records, retention(now, until))
    limit = utc(now) + within
    return sorted(((c.question_id, c.due) for c in cards.values() if c.due <= limit),
                  key=lambda pair: pair[1])


def unseen(question_ids: Iterable[str], records: Iterable[PracticeRecord]) -> list[str]:
    """The questions among QUESTION_IDS never asked, in their order."""
    seen = {r.question_id for r in records}
    return [q for q in question_ids if q not in seen]


def topic_means(records: Iterable[PracticeRecord], topics_of: Mapping[str, Sequence[str]]
                ) -> dict[str, float]:
    """The mean 0-10 score of the graded answers on each topic (a skipped question counts 0)."""
    sums: dict[str, list[float]] = {}
    for record in records:
        score = score_out_of_ten(record)
        for topic in topics_of.get(record.question_id, record.topics):
            sums.setdefault(topic, []).append(0.0 if score is None else score)
    return {topic: sum(scores) / len(scores) for topic, scores in sums.items()}


def weakness(question_id: str, means: Mapping[str, float], topics_of: Mapping[str, Sequence[str]]) -> float:
    """How well the question's weakest topic is known (lower: weaker); a topic never answered counts 0,
    as nothing shows it is known."""
    return min((means.get(t, 0.0) for t in topics_of.get(question_id, ())), default=0.0)


def practice_order(question_ids: Sequence[str], records: Sequence[PracticeRecord], now: datetime,
                   until: date | None = None,
                   topics_of: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """QUESTION_IDS in the order to ask them: due (most overdue first), then unseen (in the order given),
    then the rest by due time, so a question just answered well comes last. With an interview date
    (UNTIL) and the questions' topics, each group puts the weakest topics first."""
    cards = question_cards(records, retention(now, until))
    moment = utc(now)
    present = [q for q in question_ids if q in cards]
    overdue = sorted((q for q in present if cards[q].due <= moment), key=lambda q: cards[q].due)
    later = sorted((q for q in present if cards[q].due > moment), key=lambda q: cards[q].due)
    new = unseen(question_ids, records)
    if until is not None and topics_of is not None:
        means = topic_means(records, topics_of)
        overdue, new, later = (sorted(group, key=lambda q: weakness(q, means, topics_of))
                               for group in (overdue, new, later))
    return overdue + new + later


@dataclass(frozen=True)
class KeyPointRecord:
    """How a candidate has done on one key point across their answers."""

    text: str
    attempts: int
    misses: int  # missed or stated wrongly
    last_status: str
    question_ids: tuple[str, ...]  # the questions holding it, the latest first

    @property
    def miss_rate(self) -> float:
        return self.misses / self.attempts if self.attempts else 0.0


def key_point_records(records: Iterable[PracticeRecord]) -> list[KeyPointRecord]:
    """Every key point answered, by its text (the same text in two questions is one point), in time order
    of first attempt."""
    tally: dict[str, KeyPointRecord] = {}
    for record in in_time_order(records):
        for text, status in record.key_points:
            key = " ".join(text.split()).lower()
            old = tally.get(key)
            questions = (record.question_id,) + tuple(q for q in (old.question_ids if old else ())
                                                      if q != record.question_id)
            tally[key] = KeyPointRecord(old.text if old else text, (old.attempts if old else 0) + 1,
                                        (old.misses if old else 0) + (status in MISSED), status, questions)
    return list(tally.values())


def weakest_key_points(records: Iterable[PracticeRecord], n: int | None = 5) -> list[KeyPointRecord]:
    """The N (None: all) key points missed most: most misses, then the highest miss rate, then those
    missed last time; a point never missed is not weak."""
    missed = [k for k in key_point_records(records) if k.misses]
    missed.sort(key=lambda k: (-k.misses, -k.miss_rate, k.last_status not in MISSED))
    return missed if n is None else missed[:n]


def weak_question_ids(records: Iterable[PracticeRecord], count: int | None = None) -> list[str]:
    """Up to COUNT (None: all) questions holding the weakest key points, the weakest first."""
    chosen: list[str] = []
    for point in weakest_key_points(records, n=None):
        chosen += [q for q in point.question_ids if q not in chosen]
    return chosen if count is None else chosen[:count]

"""Spaced repetition from practice records: the rating table, the cards checked against fsrs's own
Scheduler driven by hand, the retention formula, what is due, the order questions are asked in, and the
key points missed most."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating, Scheduler

from interviewer.config import Settings
from interviewer.practice.records import PracticeRecord
from interviewer.practice.schedule import (
    RATING_TABLE,
    RULES,
    QuestionCard,
    card_id,
    due,
    key_point_records,
    practice_order,
    question_cards,
    rating_name,
    retention,
    unseen,
    weak_question_ids,
    weakest_key_points,
)
from interviewer.runtime import Runtime

START = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def answered(question_id: str, when: datetime, score: float = 7.0, **fields: object) -> PracticeRecord:
    """A record of QUESTION_ID answered at WHEN with SCORE out of 10."""
    return PracticeRecord(question_id, when, score, 10.0, **fields)


def skipped(question_id: str, when: datetime) -> PracticeRecord:
    return PracticeRecord(question_id, when, None, 10.0, skipped=True)


POINTS = (("a", "covered"), ("b", "covered"), ("c", "missed"), ("d", "covered"))


@pytest.mark.parametrize(("record", "expected"), [
    (skipped("Q", START), "Again"),
    (PracticeRecord("Q", START, None, 10.0), "Again"),  # not graded
    (answered("Q", START, 8.0, mistakes=1), "Again"),
    (answered("Q", START, 6.0, key_points=(("a", "missed"), ("b", "wrong"), ("c", "covered"))), "Again"),
    (answered("Q", START, 4.5), "Again"),
    (answered("Q", START, 7.0, hinted=True), "Hard"),
    (answered("Q", START, 9.5, followed_up=True, seconds=30), "Hard"),
    (answered("Q", START, 5.0, key_points=(("a", "missed"), ("b", "covered"))), "Good"),  # half: not most
    (answered("Q", START, 7.0, key_points=POINTS), "Good"),
    (answered("Q", START, 9.5, seconds=RULES.quick_seconds + 1), "Good"),  # complete but slow
    (answered("Q", START, 9.5), "Good"),  # complete, time unknown
    (answered("Q", START, 9.0, seconds=45), "Easy"),
    (PracticeRecord("Q", START, 19.0, 20.0, seconds=45), "Easy"),  # 9.5 on the 0-10 scale
    (PracticeRecord("Q", START, 2.0, 5.0), "Again"),  # 4 on the 0-10 scale
])
def test_rating_table(record, expected):
    assert rating_name(record) == expected


def test_the_readme_shows_the_table_the_code_uses():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert {row.rating for row in RATING_TABLE} == {"Again", "Hard", "Good", "Easy"}
    for row in RATING_TABLE:
        assert f"| {row.when} | {row.rating} | {row.why} |" in readme


HISTORY = [  # one question's answers, and the ratings the table gives them
    (answered("F004-36", START, 7.0), Rating.Good),
    (answered("F004-36", START + timedelta(days=3), 8.0, mistakes=1), Rating.Again),
    (answered("F004-36", START + timedelta(days=5, hours=2), 6.0, hinted=True), Rating.Hard),
    (answered("F004-36", START + timedelta(days=19), 9.5, seconds=60), Rating.Easy),
]


def by_hand(ratings_and_times, desired_retention: float = 0.9) -> Card:
    """The card fsrs's own Scheduler gives, driven by hand with the same ratings and times."""
    scheduler = Scheduler(desired_retention=desired_retention, learning_steps=(), relearning_steps=(),
                          enable_fuzzing=False)
    card = Card(card_id=1, due=ratings_and_times[0][1])
    for rating, when in ratings_and_times:
        card, _ = scheduler.review_card(card, rating, when)
    return card


def test_replay_matches_fsrs_driven_by_hand():
    records = [record for record, _ in HISTORY]
    assert [rating_name(r) for r in records] == [rating.name for _, rating in HISTORY]
    expected = by_hand([(rating, record.time) for record, rating in HISTORY])
    cards = question_cards(reversed(records))  # out of order: replayed in time order
    card = cards["F004-36"].card
    assert card.due == expected.due and card.last_review == expected.last_review
    assert card.stability == pytest.approx(expected.stability)
    assert card.difficulty == pytest.approx(expected.difficulty)
    assert cards["F004-36"].reviews == 4 and cards["F004-36"].last_rating == "Easy"
    assert card.due > records[-1].time + timedelta(days=7)  # an easy answer pushes the question back


def test_each_step_of_the_replay_matches_fsrs():
    records = [record for record, _ in HISTORY]
    for length in range(1, len(records) + 1):
        expected = by_hand([(rating, record.time) for record, rating in HISTORY[:length]], 0.95)
        card = question_cards(records[:length], 0.95)["F004-36"].card
        assert (card.due, card.stability) == (expected.due, pytest.approx(expected.stability))


def test_times_in_any_timezone_schedule_the_same():
    tokyo = [PracticeRecord(r.question_id, r.time.astimezone(ZoneInfo("Asia/Tokyo")), r.score, r.max_score,
                            mistakes=r.mistakes, hinted=r.hinted, seconds=r.seconds) for r, _ in HISTORY]
    assert question_cards(tokyo)["F004-36"].due == question_cards(r for r, _ in HISTORY)["F004-36"].due


def test_a_time_without_timezone_is_refused():
    with pytest.raises(ValueError, match="no timezone"):
        question_cards([answered("Q", datetime(2026, 11, 1, 9, 0))])


def test_cards_round_trip_through_json():
    cards = question_cards(r for r, _ in HISTORY)
    stored = json.loads(json.dumps({q: c.to_dict() for q, c in cards.items()}))
    again = QuestionCard.from_dict(stored["F004-36"])
    assert again.card.due == cards["F004-36"].card.due
    assert again.card.stability == cards["F004-36"].card.stability
    assert again.card.card_id == card_id("F004-36") and again.reviews == 4


@pytest.mark.parametrize(("days_left", "expected"), [
    (None, 0.90), (-1, 0.90), (365, 0.85), (60, 0.85), (7, 0.95), (3, 0.95), (0, 0.95),
    (33.5, None),  # halfway between 7 and 60 days: 0.90 (checked below on whole days)
    (34, 0.95 - 27 / 53 * 0.10), (59, 0.95 - 52 / 53 * 0.10), (8, 0.95 - 1 / 53 * 0.10),
])
def test_retention_rises_as_the_interview_nears(days_left, expected):
    if expected is None:
        return
    until = None if days_left is None else (NOW + timedelta(days=days_left)).date()
    assert retention(NOW, until) == pytest.approx(expected)


def test_retention_never_falls_as_the_day_nears():
    until = date(2027, 1, 15)
    values = [retention(datetime(2026, 10, 1, tzinfo=timezone.utc) + timedelta(days=d), until)
              for d in range(0, 107)]
    assert values == sorted(values) and values[0] == 0.85 and values[-1] == 0.95


def test_a_near_interview_brings_reviews_forward():
    records = [answered("Q", START, 8.0)]
    far = question_cards(records, retention(START, None))["Q"].due
    near = question_cards(records, retention(START, START.date() + timedelta(days=5)))["Q"].due
    assert near < far


def test_due_lists_what_is_due_the_most_overdue_first():
    records = [answered("A", NOW - timedelta(days=1), 9.5, seconds=30),  # easy yesterday: not due
               answered("B", NOW - timedelta(days=3), 2.0),  # failed: due after a day
               answered("C", NOW - timedelta(days=6), 3.0)]
    listed = due(records, NOW)
    assert [q for q, _ in listed] == ["C", "B"]
    assert all(when <= NOW for _, when in listed)
    assert "A" in {q for q, _ in due(records, NOW, within=timedelta(days=60))}


def test_unseen_keeps_the_given_order():
    assert unseen(["E", "A", "C"], [answered("A", START)]) == ["E", "C"]


def test_order_due_then_unseen_then_the_rest_with_the_one_answered_well_last():
    records = [answered("A", NOW - timedelta(hours=2), 10.0, seconds=30),  # just answered well
               answered("R", NOW - timedelta(days=1), 7.0),  # good yesterday: not due yet
               answered("B", NOW - timedelta(days=3), 2.0),
               answered("D", NOW - timedelta(days=5), 2.0)]
    order = practice_order(["A", "B", "C", "D", "E", "R"], records, NOW)
    assert order == ["D", "B", "C", "E", "R", "A"]


def test_with_an_interview_date_the_weakest_topics_come_first():
    topics_of = {"A": ("optimizers",), "B": ("cnns",), "C": ("cnns",), "D": ("optimizers",),
                 "E": ("losses",)}
    records = [answered("A", NOW - timedelta(days=20), 8.0), answered("B", NOW - timedelta(days=20), 2.0)]
    without = practice_order(["C", "D", "E"], records, NOW)
    assert without == ["C", "D", "E"]  # unseen: in the order given
    dated = practice_order(["C", "D", "E"], records, NOW, until=NOW.date() + timedelta(days=10),
                           topics_of=topics_of)
    assert dated == ["E", "C", "D"]  # losses never answered (0), cnns 2.0, optimizers 8.0


def test_key_points_across_questions():
    shared = "The learning rate sets the step size."
    spaced = " the learning rate  sets the step size."  # the same point, written differently
    records = [
        answered("Q1", START, 5.0, key_points=((shared, "missed"), ("Momentum averages.", "covered"))),
        answered("Q2", START + timedelta(days=1), 5.0,
                 key_points=((spaced, "wrong"), ("Adam has two moments.", "partial"))),
        answered("Q3", START + timedelta(days=2), 8.0,
                 key_points=((shared, "covered"), ("Weight decay shrinks weights.", "missed"))),
        skipped("Q4", START + timedelta(days=3)),
    ]
    tally = {k.text: k for k in key_point_records(records)}
    point = tally[shared]
    assert (point.attempts, point.misses, point.last_status) == (3, 2, "covered")
    assert point.question_ids == ("Q3", "Q2", "Q1")
    weakest = weakest_key_points(records, 2)
    assert [k.text for k in weakest] == [shared, "Weight decay shrinks weights."]
    assert [k.text for k in weakest_key_points(records, 10)] == [shared, "Weight decay shrinks weights."]
    assert weak_question_ids(records, 3) == ["Q3", "Q2", "Q1"]
    assert weak_question_ids(records, 10) == ["Q3", "Q2", "Q1"]


def test_ask_prefers_due_and_unseen_questions_over_ones_just_answered_well(bank):
    runtime = Runtime(Settings(bank=bank.folder))
    optimizers = [q.id for q in bank.questions if "optimizers" in q.topics]
    well = optimizers[:15]  # answered well an hour ago
    records = [answered(q, NOW - timedelta(hours=1), 10.0, seconds=30) for q in well]
    records.append(answered(optimizers[15], NOW - timedelta(days=4), 1.0))  # failed: due
    for seed in range(5):
        chosen = [q.id for q in runtime.questions_on(["optimizers"], 5, random.Random(seed), records=records,
                                                     now=NOW)]
        assert chosen[0] == optimizers[15]
        assert set(chosen[1:]) == set(optimizers[16:])  # the four unseen, before any answered well


def test_ask_without_records_is_the_random_order_it_always_was(bank):
    runtime = Runtime(Settings(bank=bank.folder))
    from interviewer.selection import pick, select_questions

    expected = pick(select_questions(bank, ["optimizers"], lambda: None), 5, random.Random(3))
    assert runtime.questions_on(["optimizers"], 5, random.Random(3)) == expected

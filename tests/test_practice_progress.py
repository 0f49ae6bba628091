"""Progress from practice records: per-topic answers, mean score and recall (checked against fsrs), the
trend per local day, the streak across days and timezones, the weakest key points, what is due this week,
and the three forms it is shown in (a dict for JSON, Rich text, a matplotlib figure)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating, Scheduler

from interviewer.practice.progress import bank_topics, daily_means, figure, progress, rich_text, streak
from interviewer.practice.records import PracticeRecord

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=NEW_YORK)  # 17:00 UTC
TOPICS = {"Q1": ("optimizers",), "Q2": ("optimizers", "losses"), "Q3": ("cnns",)}


def answered(question_id: str, when: datetime, score: float, **fields: object) -> PracticeRecord:
    return PracticeRecord(question_id, when, score, 10.0, **fields)


def skipped(question_id: str, when: datetime) -> PracticeRecord:
    return PracticeRecord(question_id, when, None, 10.0, skipped=True)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


RECORDS = [
    answered("Q1", utc("2026-12-04T15:00"), 4.0, key_points=(("lr", "missed"), ("momentum", "covered"))),
    answered("Q2", utc("2026-12-06T03:00"), 8.0, key_points=(("lr", "wrong"), ("loss", "covered")),
             mistakes=1),  # New York: the 5th
    skipped("Q3", utc("2026-12-06T04:00")),  # NY: 5th
    answered("Q1", utc("2026-12-06T16:00"), 6.0, key_points=(("lr", "partial"), ("momentum", "covered"))),
]


def test_streak_counts_local_days():
    assert streak(RECORDS, NOW) == 3  # New York: the 4th, 5th and 6th
    assert streak(RECORDS, NOW.astimezone(timezone.utc)) == 1  # UTC: the 6th, then no answer on the 5th


def test_streak_lives_until_a_day_passes_without_an_answer():
    assert streak(RECORDS, NOW + timedelta(days=1)) == 3  # the 7th is not over
    assert streak(RECORDS, NOW + timedelta(days=2)) == 0


def test_a_skipped_question_is_no_answer_for_the_streak():
    records = [skipped("Q3", utc("2026-12-06T16:00")), answered("Q1", utc("2026-12-05T16:00"), 5.0)]
    assert streak(records, NOW) == 1  # yesterday's answer; today's skip does not count
    assert streak([skipped("Q3", utc("2026-12-06T16:00"))], NOW) == 0


def test_trend_is_the_mean_per_local_day():
    assert daily_means(RECORDS, NOW) == ((date(2026, 12, 4), 4.0), (date(2026, 12, 5), 8.0),
                                         (date(2026, 12, 6), 6.0))
    assert daily_means(RECORDS, NOW.astimezone(timezone.utc)) == ((date(2026, 12, 4), 4.0),
                                                                  (date(2026, 12, 6), 7.0))


def by_hand(ratings_and_times: list[tuple[Rating, datetime]], now: datetime) -> float:
    """fsrs's own retrievability of a card driven by hand."""
    scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = Card(card_id=1, due=ratings_and_times[0][1])
    for rating, when in ratings_and_times:
        card, _ = scheduler.review_card(card, rating, when)
    return scheduler.get_card_retrievability(card, now.astimezone(timezone.utc))


def test_per_topic_answers_scores_and_recall():
    result = progress(RECORDS, TOPICS, NOW)
    topics = {t.topic: t for t in result.topics}
    q1 = by_hand([(Rating.Again, RECORDS[0].time), (Rating.Good, RECORDS[3].time)], NOW)
    q2 = by_hand([(Rating.Again, RECORDS[1].time)], NOW)  # a wrong statement
    q3 = by_hand([(Rating.Again, RECORDS[2].time)], NOW)
    assert (topics["optimizers"].answers, topics["optimizers"].mean_score) == (3, pytest.approx(6.0))
    assert topics["optimizers"].recall == pytest.approx((q1 + q2) / 2)
    assert (topics["losses"].answers, topics["losses"].mean_score) == (1, 8.0)
    assert topics["losses"].recall == pytest.approx(q2)
    assert (topics["cnns"].answers, topics["cnns"].mean_score) == (0, None)  # only skipped
    assert topics["cnns"].recall == pytest.approx(q3)
    assert [t.topic for t in result.topics] == ["cnns", "optimizers", "losses"]  # weakest first
    assert (result.answers, result.skipped, result.mean_score) == (3, 1, pytest.approx(6.0))


def test_topics_come_from_the_bank(bank):
    topics_of = bank_topics(bank)
    result = progress([answered("F004-07", utc("2026-12-06T16:00"), 5.0)], topics_of, NOW)
    assert {t.topic for t in result.topics} == set(bank.get("F004-07").topics)


def test_weakest_key_points_and_what_is_due():
    result = progress(RECORDS, TOPICS, NOW)
    weakest = [(k.text, k.misses, k.attempts, k.last_status) for k in result.weakest]
    assert weakest == [("lr", 2, 3, "partial")]
    assert result.due_now == ()  # failed (Q2) and skipped (Q3) last night: due a day later
    assert result.due_this_week == (("Q2", utc("2026-12-07T03:00")), ("Q3", utc("2026-12-07T04:00")),
                                    ("Q1", utc("2026-12-08T16:00")))  # Good after Again: two days
    tomorrow = progress(RECORDS, TOPICS, NOW + timedelta(days=1))
    assert tomorrow.due_now == result.due_this_week[:2]


def test_the_interview_date_sets_the_retention():
    assert progress(RECORDS, TOPICS, NOW).retention == 0.90
    assert progress(RECORDS, TOPICS, NOW, until=date(2026, 12, 10)).retention == 0.95


def test_as_json():
    data = json.loads(json.dumps(progress(RECORDS, TOPICS, NOW, until=date(2027, 1, 15)).to_dict()))
    assert (data["answers"], data["skipped"], data["mean_score"], data["streak_days"]) == (3, 1, 6.0, 3)
    assert data["until"] == "2027-01-15" and data["today"] == "2026-12-06"
    assert data["trend"] == [{"date": "2026-12-04", "mean_score": 4.0},
                             {"date": "2026-12-05", "mean_score": 8.0},
                             {"date": "2026-12-06", "mean_score": 6.0}]
    assert data["weakest_key_points"][0] == {"text": "lr", "attempts": 3, "misses": 2,
                                             "last_status": "partial", "questions": ["Q1", "Q2"]}
    assert {row["topic"] for row in data["topics"]} == {"optimizers", "losses", "cnns"}


def test_nothing_recorded():
    result = progress([], TOPICS, NOW)
    assert (result.answers, result.mean_score, result.streak, result.topics) == (0, None, 0, ())
    assert figure(result) is None
    assert "0 answers" in rich_text(result)


def test_rich_text_shows_the_tables():
    text = rich_text(progress(RECORDS, TOPICS, NOW))
    assert "3 answers, mean score 6.0/10, streak 3 days, 0 due now" in text
    for shown in ("Per topic", "optimizers", "Key points missed most", "2/3", "Due this week", "Q3"):
        assert shown in text


def test_figure_draws_the_trend_and_the_topics():
    drawing = figure(progress(RECORDS, TOPICS, NOW))
    trend, topics = drawing.axes
    assert list(trend.lines[0].get_ydata()) == [4.0, 8.0, 6.0]
    widths = [bar.get_width() for bar in topics.containers[0].patches]
    assert widths == [6.0, 8.0]  # cnns has no graded answer: no bar
    assert [t.get_text() for t in topics.get_yticklabels()] == ["optimizers", "losses"]
    with io.BytesIO() as out:
        drawing.savefig(out, format="png")
        assert out.getvalue().startswith(b"\x89PNG")


def test_progress_needs_the_timezone_now():
    with pytest.raises(ValueError, match="timezone"):
        progress(RECORDS, TOPICS, datetime(2026, 12, 6, 12, 0))


def test_a_long_trend_keeps_every_day_and_a_readable_axis():
    records = [answered("Q1", NOW - timedelta(days=d), d % 10) for d in range(40)]
    drawing = figure(progress(records, TOPICS, NOW))
    trend = drawing.axes[0]
    assert len(trend.lines[0].get_xdata()) == 40
    assert 2 <= len(trend.get_xticks()) <= 13


def test_rich_text_says_so_where_a_table_would_be_empty():
    easy = answered("Q1", utc("2026-12-06T16:00"), 9.5, seconds=30)  # due in eight days
    text = rich_text(progress([easy], TOPICS, NOW))
    assert "Per topic" in text and "No key point missed." in text and "Nothing is due this week." in text

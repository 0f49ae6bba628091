"""How a candidate progresses, from their practice records: answers, mean score and FSRS recall per topic,
the mean score per day, the streak of days practised, the key points missed most and what is due this
week; shown as a Rich table in the terminal, a matplotlib figure (the web's Progress tab, `stats --plot`)
or a plain dict (`stats --json`)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import TYPE_CHECKING

from interviewer.practice.records import PracticeRecord
from interviewer.practice.schedule import (
    KeyPointRecord,
    question_cards,
    retention,
    scheduler,
    score_out_of_ten,
    utc,
    weakest_key_points,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from interviewer.corpus import Bank

WEEK = timedelta(days=7)
WEAKEST_SHOWN = 5
# The figure follows the summary charts' style (interviewer/web/charts.py): Agg canvas, no pyplot.
WIDTH_INCHES = 11.0
TREND_INCHES = 3.0
INCHES_PER_TOPIC = 0.4
INCHES_AROUND = 1.3
SCORE_COLOUR = "#3b6fb6"
DAY_TICKS = 12  # a tick on every day up to this many days, on some beyond


@dataclass(frozen=True)
class TopicProgress:
    """One topic: graded answers, their mean score (0-10) and the mean FSRS recall of its questions now."""

    topic: str
    answers: int
    mean_score: float | None
    recall: float | None  # mean retrievability (0-1) of the topic's questions answered


@dataclass(frozen=True)
class OwnGrades:
    """How the candidate's own grades differ from the grader's (as shown: calibrated, once they calibrate):
    how many, the mean of own minus grader's, its mean absolute value, the share more than a point apart."""

    count: int = 0
    mean_difference: float | None = None
    mean_abs_difference: float | None = None
    share_over_one: float | None = None

    def to_dict(self) -> dict:
        return {"count": self.count, "mean_difference": rounded(self.mean_difference),
                "mean_abs_difference": rounded(self.mean_abs_difference),
                "share_over_one_point": rounded(self.share_over_one, 4)}


@dataclass(frozen=True)
class Progress:
    """Everything `stats` and the Progress tab show, computed once."""

    today: date  # the candidate's local date
    answers: int  # graded answers (skipped questions are not answers)
    skipped: int
    mean_score: float | None
    topics: tuple[TopicProgress, ...]
    trend: tuple[tuple[date, float], ...]  # per local day with an answer, its mean score
    streak: int
    weakest: tuple[KeyPointRecord, ...]
    due_now: tuple[tuple[str, datetime], ...]
    due_this_week: tuple[tuple[str, datetime], ...]  # due now or within seven days, the soonest first, local
    until: date | None
    retention: float
    own_grades: OwnGrades = OwnGrades()

    def to_dict(self) -> dict:
        """The progress as plain JSON-ready data."""
        return {
            "today": self.today.isoformat(),
            "answers": self.answers,
            "skipped": self.skipped,
            "mean_score": rounded(self.mean_score),
            "streak_days": self.streak,
            "until": self.until.isoformat() if self.until else None,
            "desired_retention": round(self.retention, 4),
            "topics": [{"topic": t.topic, "answers": t.answers, "mean_score": rounded(t.mean_score),
                        "recall": rounded(t.recall, 4)} for t in self.topics],
            "trend": [{"date": day.isoformat(), "mean_score": rounded(mean)} for day, mean in self.trend],
            "weakest_key_points": [{"text": k.text, "attempts": k.attempts, "misses": k.misses,
                                    "last_status": k.last_status, "questions": list(k.question_ids)}
                                   for k in self.weakest],
            "due_now": [{"question": q, "due": when.isoformat()} for q, when in self.due_now],
            "due_this_week": [{"question": q, "due": when.isoformat()} for q, when in self.due_this_week],
            "own_grades": self.own_grades.to_dict(),
        }


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def bank_topics(bank: Bank) -> dict[str, tuple[str, ...]]:
    """Each question id of the bank and its topics."""
    return {q.id: q.topics for q in bank.questions}


def local_day(moment: datetime, today: datetime) -> date:
    """MOMENT's date where TODAY's clock is (its timezone)."""
    return utc(moment).astimezone(today.tzinfo).date()


def streak(records: Iterable[PracticeRecord], now: datetime) -> int:
    """Consecutive local days with at least one answer, ending today, or yesterday while today has none
    yet (the day is not over)."""
    days = {local_day(r.time, now) for r in records if score_out_of_ten(r) is not None}
    day = now.date() if now.date() in days else now.date() - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def daily_means(records: Iterable[PracticeRecord], now: datetime) -> tuple[tuple[date, float], ...]:
    """The mean score of each local day's graded answers, in date order."""
    by_day: dict[date, list[float]] = {}
    for record in records:
        score = score_out_of_ten(record)
        if score is not None:
            by_day.setdefault(local_day(record.time, now), []).append(score)
    return tuple((day, fmean(scores)) for day, scores in sorted(by_day.items()))


def topic_progress(records: Sequence[PracticeRecord], topics_of: Mapping[str, Sequence[str]],
                   now: datetime, desired_retention: float) -> tuple[TopicProgress, ...]:
    """Each topic answered: its graded answers, mean score and mean recall, the weakest mean first."""
    cards = question_cards(records, desired_retention)
    planner = scheduler(desired_retention)
    scores: dict[str, list[float]] = {}
    questions: dict[str, set[str]] = {}
    for record in records:
        topics = topics_of.get(record.question_id, record.topics)
        score = score_out_of_ten(record)
        for topic in topics:
            questions.setdefault(topic, set()).add(record.question_id)
            if score is not None:
                scores.setdefault(topic, []).append(score)
    rows = []
    for topic, ids in questions.items():
        recall = fmean(planner.get_card_retrievability(cards[q].card, utc(now)) for q in ids)
        graded = scores.get(topic, [])
        rows.append(TopicProgress(topic, len(graded), fmean(graded) if graded else None, recall))
    return tuple(sorted(rows, key=lambda t: (t.mean_score is not None, t.mean_score or 0.0, t.topic)))


def own_grades(records: Iterable[PracticeRecord]) -> OwnGrades:
    """How the own grades given differ from the grader's scores of the same answers."""
    differences = [r.own_score - score for r in records
                   if r.own_score is not None and (score := score_out_of_ten(r)) is not None]
    if not differences:
        return OwnGrades()
    return OwnGrades(len(differences), fmean(differences), fmean(map(abs, differences)),
                     sum(abs(d) > 1 for d in differences) / len(differences))


def progress(records: Sequence[PracticeRecord], topics_of: Mapping[str, Sequence[str]], now: datetime,
             until: date | None = None) -> Progress:
    """The candidate's progress at NOW (timezone-aware: its timezone is theirs) from their records."""
    if now.tzinfo is None:
        raise ValueError("progress needs the time now with its timezone")
    wanted = retention(now, until)
    cards = question_cards(records, wanted).values()
    soon = [c for c in cards if c.due <= utc(now) + WEEK]
    due_soon = sorted(((c.question_id, c.due.astimezone(now.tzinfo)) for c in soon), key=lambda p: p[1])
    graded = [s for s in map(score_out_of_ten, records) if s is not None]
    return Progress(
        today=now.date(),
        answers=len(graded),
        skipped=sum(r.skipped for r in records),
        mean_score=fmean(graded) if graded else None,
        topics=topic_progress(records, topics_of, now, wanted),
        trend=daily_means(records, now),
        streak=streak(records, now),
        weakest=tuple(weakest_key_points(records, WEAKEST_SHOWN)),
        due_now=tuple(p for p in due_soon if p[1] <= utc(now)),
        due_this_week=tuple(due_soon),
        until=until,
        retention=wanted,
        own_grades=own_grades(records),
    )


def shown(value: float | None, style: str = "{:.1f}") -> str:
    return "-" if value is None else style.format(value)


def rich_view(progress: Progress) -> list:
    """The progress as Rich renderables: a headline, the per-topic table, the weakest key points and what
    is due this week; a line instead of a table with no rows."""
    days_left = f", interview in {(progress.until - progress.today).days} days" if progress.until else ""
    headline = (f"{progress.answers} answers, mean score {shown(progress.mean_score)}/10, "
                f"streak {progress.streak} days, {len(progress.due_now)} due now{days_left}")
    if not progress.topics:
        return [headline, "No answers recorded yet: `interviewer ask` asks new questions."]
    topics = [(t.topic, str(t.answers), shown(t.mean_score), shown(t.recall, "{:.0%}"))
              for t in progress.topics]
    weakest = [(k.text, f"{k.misses}/{k.attempts}", k.last_status) for k in progress.weakest]
    due = [(q, "now" if (q, when) in progress.due_now else f"{when:%Y-%m-%d}")
           for q, when in progress.due_this_week]
    return [headline,
            table("Per topic", ("topic", "answers", "mean score", "recall"), topics, "No topic answered."),
            table("Key points missed most", ("key point", "missed", "last"), weakest, "No key point missed."),
            table("Due this week", ("question", "due"), due, "Nothing is due this week."),
            own_grades_table(progress.own_grades)]


def own_grades_table(own: OwnGrades) -> object:
    """Your grades beside the grader's, as a one-row table; a line saying how to give them when none are."""
    if not own.count:
        return "No own grades yet: `interviewer grade ... --my-grade N`, or 'I disagree' in the web chat."
    row = (str(own.count), shown(own.mean_difference, "{:+.1f}"), shown(own.mean_abs_difference),
           shown(own.share_over_one, "{:.0%}"))
    return table("Your grades vs the grader's", OWN_COLUMNS, [row], "")


OWN_COLUMNS = ("own grades", "mean (yours - grader's)", "mean |difference|", "over 1 point apart")


def table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], empty: str) -> object:
    """A Rich table of ROWS under TITLE (numbers right-aligned), or the line EMPTY when there are none."""
    from rich.table import Table

    if not rows:
        return empty
    drawn = Table(title=title)
    for name in columns:
        numeric = name in ("answers", "mean score", "recall", *OWN_COLUMNS)
        drawn.add_column(name, justify="right" if numeric else "left")
    for row in rows:
        drawn.add_row(*row)
    return drawn


def rich_text(progress: Progress, width: int = 100, colour: bool = False) -> str:
    """The Rich view as text, for click.echo."""
    from rich.console import Console

    console = Console(width=width, record=True, force_terminal=colour, no_color=not colour,
                      file=io.StringIO())
    for part in rich_view(progress):
        console.print(part)
    return console.export_text(styles=colour)


def figure(progress: Progress) -> Figure | None:
    """The mean score per day (a line) above the mean score per topic (bars, each with its value and
    recall); None when nothing is graded."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not progress.answers:
        return None
    rows = [t for t in progress.topics if t.mean_score is not None]
    height = INCHES_AROUND + TREND_INCHES + INCHES_PER_TOPIC * max(1, len(rows))
    drawing = Figure(figsize=(WIDTH_INCHES, height), dpi=100, layout="constrained")
    FigureCanvasAgg(drawing)
    trend_axes, topic_axes = drawing.subplots(2, 1, height_ratios=[TREND_INCHES, height - TREND_INCHES])
    trend_chart(trend_axes, progress.trend)
    positions = list(range(len(rows)))
    bars = topic_axes.barh(positions, [t.mean_score for t in rows], color=SCORE_COLOUR)
    topic_axes.bar_label(bars, labels=[f"{t.mean_score:.1f}  (recall {t.recall:.0%})" for t in rows],
                         padding=3, fontsize=10)
    topic_axes.set_yticks(positions, [t.topic for t in rows])
    topic_axes.set_ylim(len(rows) - 0.5, -0.5)
    topic_axes.set_xlim(0, 13)
    topic_axes.set_xticks(range(0, 11))
    topic_axes.set_xlabel("mean score (0-10)")
    topic_axes.set_title("Mean score per topic")
    topic_axes.grid(axis="x", alpha=0.3)
    topic_axes.set_axisbelow(True)
    return drawing


def trend_chart(axes: Axes, trend: Sequence[tuple[date, float]]) -> None:
    """The mean score per day as a line, a tick on each day (on some, when there are many)."""
    from matplotlib.dates import AutoDateLocator, DateFormatter

    days = [day for day, _ in trend]
    axes.plot(days, [mean for _, mean in trend], marker="o", color=SCORE_COLOUR)
    axes.set_ylim(0, 10.5)
    axes.set_ylabel("mean score (0-10)")
    axes.set_title("Mean score per day")
    axes.grid(alpha=0.3)
    if len(days) <= DAY_TICKS:
        axes.set_xticks(days)
    else:
        axes.xaxis.set_major_locator(AutoDateLocator(maxticks=DAY_TICKS))
    axes.xaxis.set_major_formatter(DateFormatter("%b %d"))
    axes.set_xlim(days[0] - timedelta(days=1), days[-1] + timedelta(days=1))

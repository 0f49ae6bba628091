"""The summary's bar charts as matplotlib figures: the score per question (the grader's and the
candidate's own, skipped questions marked) and the mean score per topic, each bar with its value.

Figures are made with matplotlib's object API on the Agg canvas, never through pyplot: nothing keeps a
reference to them, so each is freed once Gradio has rendered it to PNG, and no display is needed."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from interviewer.session import Summary, TurnSummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LABEL_WIDTH = 48  # characters per line of a question's or topic's label
WIDTH_INCHES = 11.0
INCHES_PER_LABEL_LINE = 0.22
INCHES_PER_ROW = 0.25  # padding between rows, and room for a question's second bar
INCHES_AROUND = 1.3  # title, axis and legend
SCORE_AXIS = (0, 11)  # 10 is the top score; the rest is room for the value beside a full bar
BAR = 0.38  # thickness of one bar; a question with the candidate's grade has two side by side
GRADER_COLOUR = "#3b6fb6"
OWN_COLOUR = "#e08a2c"
SKIPPED_COLOUR = "#777777"


def wrapped(text: str) -> str:
    """TEXT in full, broken into lines of at most LABEL_WIDTH characters at spaces."""
    return "\n".join(textwrap.wrap(" ".join(text.split()), LABEL_WIDTH))


def question_label(turn: TurnSummary) -> str:
    """A question's label: its number and its title (the question itself when it has none), wrapped."""
    return wrapped(f"{turn.number}. {turn.question.title or turn.question.question}")


def new_figure(labels: list[str], rows_height: float) -> tuple[Figure, Axes]:
    """A figure on the Agg canvas tall enough for LABELS (each possibly several lines) and its bars."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lines = sum(label.count("\n") + 1 for label in labels)
    height = INCHES_AROUND + INCHES_PER_LABEL_LINE * lines + rows_height * len(labels)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_xlim(*SCORE_AXIS)
    axes.set_xticks(range(0, 11))
    axes.set_xlabel("score (0-10)")
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)
    return figure, axes


def bars(axes: Axes, positions: list[float], values: list[float], colour: str, name: str,
         style: str = "{:g}") -> None:
    """Horizontal bars at POSITIONS, each with its value written beside it (a 0 too, at the axis)."""
    drawn = axes.barh(positions, values, height=BAR, color=colour, label=name)
    axes.bar_label(drawn, labels=[style.format(v) for v in values], padding=3, fontsize=10)


def question_chart(summary: Summary) -> Figure | None:
    """The grader's score of each question, the candidate's own grade beside it where given, and
    'skipped' where a question was skipped; None when no question was reached."""
    turns = summary.turns
    if not turns:
        return None
    labels = [question_label(t) for t in turns]
    figure, axes = new_figure(labels, INCHES_PER_ROW)
    has_own = any(t.own_score is not None for t in turns)
    shift = BAR / 2 if has_own else 0.0
    graded = [(row, t) for row, t in enumerate(turns) if t.score is not None]
    bars(axes, [row - shift for row, _ in graded], [t.score for _, t in graded], GRADER_COLOUR,
         "grader's score")
    own = [(row, t) for row, t in enumerate(turns) if t.own_score is not None]
    if own:
        bars(axes, [row + shift for row, _ in own], [t.own_score for _, t in own], OWN_COLOUR, "your grade")
    for row, turn in enumerate(turns):
        if turn.score is None:
            axes.text(0.15, row, "skipped", va="center", style="italic", color=SKIPPED_COLOUR, fontsize=10)
    axes.set_yticks(range(len(turns)), labels)
    axes.set_ylim(len(turns) - 0.5, -0.5)  # the first question on top
    axes.set_title("Score per question")
    if own:
        figure.legend(loc="outside lower center", ncols=2, fontsize=10)
    return figure


def topic_chart(summary: Summary) -> Figure | None:
    """The mean score on each topic of the graded questions, with its value; None when none was graded."""
    topics = summary.topic_scores
    if not topics:
        return None
    labels = [wrapped(name) for name in topics]
    figure, axes = new_figure(labels, INCHES_PER_ROW)
    rows = list(range(len(labels)))
    bars(axes, rows, list(topics.values()), GRADER_COLOUR, "mean score", style="{:.1f}")
    axes.set_yticks(rows, labels)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_title("Mean score per topic")
    return figure

"""Terminal rendering of questions, grades and summaries."""

from __future__ import annotations

import textwrap
from pathlib import PurePath

import click

from interviewer.coaching import FollowUp
from interviewer.models import Grade, Question
from interviewer.session import Interview

MARKS = {"covered": ("✔", "green"), "partial": ("~", "yellow"), "missed": ("✘", "red"),
         "wrong": ("!", "red")}
WIDTH = 96


def wrap(text: str, indent: str = "  ") -> str:
    """Wrap each paragraph of text to the terminal width with an indent."""
    lines = []
    for paragraph in text.splitlines():
        lines.append(textwrap.fill(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent)
                     if paragraph.strip() else "")
    return "\n".join(lines)


def question_block(question: Question, number: int, total: int) -> str:
    """The question as asked, with its number, id and topics."""
    header = click.style(f"Question {number}/{total}", bold=True)
    meta = click.style(f"[{question.id} · {', '.join(question.topics)}]", dim=True)
    return f"\n{header} {meta}\n{wrap(question.question)}"


def grade_block(grade: Grade, show_reference: bool = True) -> str:
    """The grade: score, checklist with evidence, mistakes, feedback and the reference answer."""
    score = click.style(f"{grade.score:g}/10", bold=True)
    grader = f"{grade.grader} grader" + (f" · {model_label(grade.model)}" if grade.model else "")
    lines = [f"\nScore: {score}  ({grader})", click.style("Key points:", bold=True)]
    for point in grade.key_points:
        mark, colour = MARKS[point.status]
        lines.append(click.style(f"  {mark} {point.status:8s}", fg=colour) + f" {point.text}")
        if point.evidence:
            lines.append(click.style(f"      “{point.evidence}”", dim=True))
    if grade.mistakes:
        lines.append(click.style("Mistakes:", bold=True))
        for mistake in grade.mistakes:
            lines.append(click.style("  ✘ ", fg="red") + f"“{mistake.evidence}”")
            label = "common misconception" if grade.grader == "offline" else "what is wrong"
            lines.append(click.style(f"      {label}: {mistake.claim}", dim=True))
    lines += [click.style("Feedback:", bold=True), wrap(grade.feedback)]
    for note in grade.notes:
        lines.append(click.style(f"Note: {note}", fg="yellow"))
    if show_reference:
        lines += [click.style("Reference answer:", bold=True), wrap(grade.reference)]
    return "\n".join(lines)


def model_label(model: str) -> str:
    """A model name to show: a file path (llama.cpp names models by their file) shortened to its name."""
    return PurePath(model).name if model.startswith("/") else model


def hint_line(hint: str) -> str:
    """A hint, set apart from the answer being typed."""
    return click.style(wrap(hint), fg="cyan")


def follow_up_block(follow_up: FollowUp) -> str:
    """A follow-up question, asked before the grade is shown."""
    return f"\n{click.style('Follow-up:', bold=True)}\n{wrap(follow_up.question)}"


def summary_block(interview: Interview) -> str:
    """Scores per question and the mean at the end of an interview."""
    lines = [click.style("\nSummary", bold=True)]
    for turn in interview.turns:
        result = "skipped" if turn.skipped else f"{turn.grade.score:g}/10"
        label = turn.question.title or turn.question.question[:60]
        lines.append(f"  {turn.question.id:8s} {result:8s} {label}")
    mean = interview.mean_score()
    if mean is not None:
        lines.append(click.style(f"  Mean score: {mean:.1f}/10", bold=True))
    return "\n".join(lines)

"""Terminal rendering of questions, grades and summaries."""

from __future__ import annotations

import textwrap
from pathlib import PurePath

import click

from interviewer.models import Grade, Question
from interviewer.session import Said, Summary

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


def follow_up_block(question: str) -> str:
    """A follow-up question about the answer just graded."""
    return f"\n{click.style('Follow-up:', bold=True)}\n{wrap(question)}"


def said_block(said: Said, total: int) -> str:
    """One thing the interview said, for the terminal; '' for the candidate's answer, already on screen."""
    if said.kind == "question":
        return question_block(said.question, said.number, total)
    if said.kind == "grade":
        return grade_block(said.grade)
    if said.kind == "follow-up":
        return follow_up_block(said.text)
    if said.kind == "hint":
        return hint_line(said.text)
    if said.kind == "error":
        return click.style(f"Error: {said.text}", fg="red")
    return click.style(said.text, dim=True) if said.kind == "notice" else ""


def summary_block(summary: Summary) -> str:
    """Scores per question and the mean at the end of an interview."""
    lines = [click.style("\nSummary", bold=True)]
    for row in summary.turns:
        result = "skipped" if row.score is None else f"{row.score:g}/10"
        label = textwrap.shorten(row.question.title or row.question.question, WIDTH - 22, placeholder=" ...")
        lines.append(f"  {row.question.id:8s} {result:8s} {label}")
    if summary.mean_score is not None:
        lines.append(click.style(f"  Mean score: {summary.mean_score:.1f}/10", bold=True))
    return "\n".join(lines)

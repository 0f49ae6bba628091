"""Terminal rendering of questions, grades and summaries."""

from __future__ import annotations

import textwrap
from pathlib import PurePath

import click

from interviewer.grading.calibration import Agreement, Calibration
from interviewer.history import Entry
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


def graded_last_time(count: int) -> str:
    """What the user is told when answers saved but not graded (their process ended first) were graded."""
    return f"Graded {count} answer{'s' if count != 1 else ''} saved but not graded last time."


def entry_result(entry: Entry) -> str:
    """What became of a history entry: its score, 'skipped', 'not graded' or 'failed'."""
    if entry.kind == "skip":
        return "skipped"
    if entry.score is not None:
        return f"{entry.score:g}/{entry.max_score or 10:g}"
    return "failed" if entry.error else "not graded"


def local_time(entry: Entry) -> str:
    """When ENTRY's answer was given, in this machine's time zone."""
    return entry.answered_at.astimezone().strftime("%Y-%m-%d %H:%M")


def entry_line(entry: Entry) -> str:
    """One line of the history's list: id, time, question, result and grader."""
    grader = entry.grader or ""
    if entry.model:
        grader += f" · {model_label(entry.model)}"
    kind = " (follow-up)" if entry.kind == "follow-up" else ""
    result = entry_result(entry)
    return f"{entry.id}  {local_time(entry)}  {entry.question_id:10s} {result:10s} {grader}{kind}"


def entry_block(entry: Entry, question: Question | None) -> str:
    """One history entry in full: the question, the answer, the follow-up, its grade card as `grade`
    prints it, and the candidate's own grade."""
    asked = wrap(question.question) if question is not None else wrap("(no longer in the bank)")
    header = click.style(f"{entry.id} · {local_time(entry)} · {entry.question_id}", bold=True)
    lines = [header, asked]
    if entry.kind == "follow-up" and entry.follow_up:
        lines += [click.style("Follow-up:", bold=True), wrap(entry.follow_up)]
    if entry.hint:
        lines.append(hint_line(entry.hint))
    if entry.kind == "skip":
        return "\n".join([*lines, click.style("Skipped.", dim=True)])
    lines += [click.style("Your answer:", bold=True), wrap(entry.answer)]
    if entry.kind == "answer" and entry.follow_up:
        lines += [click.style("Follow-up asked:", bold=True), wrap(entry.follow_up)]
    grade = entry.grade
    if grade is not None:
        lines.append(grade_block(grade))
    else:
        why = f"Not graded: {entry.error}" if entry.error else "Not graded yet."
        lines.append(click.style(why, dim=True))
    if entry.own_score is not None:
        why = f" ({entry.own_reason})" if entry.own_reason else ""
        lines.append(f"Your own grade: {entry.own_score:g}/10{why}")
    if entry.seconds is not None:
        lines.append(click.style(f"Answered after {entry.seconds:.0f} s.", dim=True))
    return "\n".join(lines)


def calibration_report(calibration: Calibration, agreement: Agreement) -> str:
    """What `calibrate` fitted: the agreement with your own grades before and after, on held-out folds,
    and the map's breakpoints."""
    def r(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    lines = [f"Fitted on {agreement.pairs} of your own grades; agreement on held-out answers "
             f"({agreement.folds}-fold cross-validation):",
             f"  {'':22s}{'mean abs. error':>16s}{'Pearson r':>11s}",
             f"  {'grader as is':22s}{agreement.before_mae:16.2f}{r(agreement.before_r):>11s}",
             f"  {'calibrated':22s}{agreement.after_mae:16.2f}{r(agreement.after_r):>11s}",
             "Map (grader -> you): " + ", ".join(f"{x:g} -> {round(y, 2):g}" for x, y in zip(calibration.xs,
                                                                                     calibration.ys))]
    return "\n".join(lines)

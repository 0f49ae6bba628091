"""Markdown for the web chat: questions, grade cards, hints, notices, the summary and the Progress tab."""

from __future__ import annotations

import re

from interviewer.display import model_label
from interviewer.models import Grade, Question
from interviewer.practice.progress import Progress
from interviewer.practice.schedule import KeyPointRecord
from interviewer.session import Interview, Said, Turn

MARKS = {"covered": "✔", "partial": "~", "missed": "✘", "wrong": "!"}
WEAK_POINTS_SHOWN = 8
REVEAL = "Reveal the reference answer"
# Characters Markdown would take as markup anywhere in a line (< > & become HTML entities instead) ...
INLINE_MARKUP = re.compile(r"([\\`*_\[\]|~$])")
# ... and at the start of a line: a heading, a list item, a setext underline, an ordered item ("1.").
LINE_START_MARKUP = re.compile(r"^(?:([#+=-])|(\d+)(?=[.)](?:\s|$)))")
HTML_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def literal(text: str) -> str:
    """TEXT as Markdown that shows exactly what was typed: no emphasis, formula, link, image, list,
    heading or HTML; line breaks and leading spaces kept. For whatever the candidate wrote, and quotes
    of it."""
    lines = []
    for line in text.splitlines() or [""]:
        body = line.lstrip(" ")
        indent = "&nbsp;" * (len(line) - len(body))
        body = INLINE_MARKUP.sub(r"\\\1", body).translate(HTML_ENTITIES)
        body = LINE_START_MARKUP.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\", body)
        lines.append(indent + body)
    return "  \n".join(lines)


def question_text(question: Question, number: int, total: int) -> str:
    """The question as asked, with its number, id and topics."""
    header = f"**Question {number}/{total}** · `{question.id}` · {', '.join(question.topics)}"
    return f"{header}\n\n{question.question}"


def grader_label(grade: Grade) -> str:
    """Which grader graded, with the LLM's model."""
    return f"{grade.grader} grader" + (f" · {model_label(grade.model)}" if grade.model else "")


def checklist(grade: Grade) -> list[str]:
    """One Markdown list item per key point: mark, status, the point, and the evidence quoted."""
    items = []
    for point in grade.key_points:
        item = f"- {MARKS[point.status]} **{point.status}**: {point.text}"
        items.append(item + (f"\n  “{literal(point.evidence)}”" if point.evidence else ""))
    return items


def mistakes(grade: Grade) -> list[str]:
    """One Markdown list item per wrong statement, quoted, with what is wrong with it."""
    label = "common misconception" if grade.grader == "offline" else "what is wrong"
    return [f"- ✘ “{literal(m.evidence)}”\n  {label}: {literal(m.claim)}" for m in grade.mistakes]


def grade_card(grade: Grade) -> str:
    """The grade: score, checklist with evidence, mistakes, feedback, notes, and the reference behind a
    reveal."""
    parts = [f"### Score: {grade.score:g}/10\n{grader_label(grade)}",
             "**Key points**\n\n" + "\n".join(checklist(grade))]
    if grade.mistakes:
        parts.append("**Mistakes**\n\n" + "\n".join(mistakes(grade)))
    parts.append(f"**Feedback**\n\n{grade.feedback}")
    parts += [f"*Note: {note}*" for note in grade.notes]
    parts.append(f"<details><summary>{REVEAL}</summary>\n\n{grade.reference}\n\n</details>")
    return "\n\n".join(parts)


def message(said: Said, total: int) -> dict:
    """One transcript entry as a chat message."""
    if said.kind == "answer":
        return {"role": "user", "content": literal(said.text)}
    if said.kind == "question":
        content = question_text(said.question, said.number, total)
    elif said.kind == "grade":
        content = grade_card(said.grade)
    elif said.kind == "follow-up":
        content = f"**Follow-up:** {said.text}"
    elif said.kind == "error":
        content = f"⚠️ **Error:** {said.text}"
    else:  # a hint or a notice
        content = f"*{said.text}*"
    return {"role": "assistant", "content": content}


def chat(interview: Interview, pending: str = "") -> list[dict]:
    """The transcript as chat messages; PENDING is an answer being graded, shown with a notice."""
    total = len(interview.questions)
    messages = [message(said, total) for said in interview.transcript]
    if pending:
        messages += [{"role": "user", "content": literal(pending)},
                     {"role": "assistant", "content": "*Grading...*"}]
    return messages


def countdown(seconds: float | None) -> str:
    """The time left as a countdown, or nothing when no timer runs."""
    if seconds is None:
        return ""
    whole = int(seconds + 0.999)
    return f"Time left for this question: **{whole // 60}:{whole % 60:02d}**"


def turn_result(turn: Turn) -> str:
    """A turn's score ('skipped' if it was), with the candidate's own grade beside it."""
    if turn.grade is None:
        return "skipped"
    mine = turn.own_grade
    return f"{turn.grade.score:g}/10" + (f" (yours: {mine.score:g}/10)" if mine else "")


def table_cell(text: str) -> str:
    """TEXT in full on one line of a Markdown table (the table wraps it), its '|' not ending the cell."""
    return " ".join(text.split()).replace("|", "\\|")


def summary(interview: Interview) -> str:
    """Scores per question and topic, the mean, and the weakest key points to review."""
    if not interview.turns:
        return "## Summary\n\nNo question was answered."
    rows = [f"| {i + 1} | `{t.question.id}` | {table_cell(t.question.title or t.question.question)} | "
            f"{turn_result(t)} |" for i, t in enumerate(interview.turns)]
    lines = ["## Summary", "", "| # | id | question | score |", "| --- | --- | --- | --- |", *rows]
    result = interview.summary()
    mean = result.mean_score
    lines += ["", f"**Mean score: {mean:.1f}/10**" if mean is not None else "**No answer was graded.**"]
    topics = result.topic_scores
    if topics:
        lines += ["", "**Per topic:** " + " · ".join(f"{name} {score:.1f}" for name, score in topics.items())]
    weak = result.weak_points
    if weak:
        lines += ["", "### Key points to review", ""]
        lines += [f"- {MARKS[k.status]} {k.status} · `{q.id}`: {k.text}" for q, k in weak[:WEAK_POINTS_SHOWN]]
    return "\n".join(lines)


def progress_summary(progress: Progress) -> str:
    """The Progress tab's text: the headline numbers, the topics weakest first, and what is due this week."""
    if not progress.answers and not progress.skipped:
        return "No answers recorded yet: start an interview, and your progress shows here."
    mean = "-" if progress.mean_score is None else f"{progress.mean_score:.1f}"
    lines = [f"**{progress.answers}** answers · mean score **{mean}**/10 · streak **{progress.streak}** "
             f"days · **{len(progress.due_now)}** due now"]
    if progress.until is not None:
        lines.append(f"Interview on {progress.until:%Y-%m-%d}: {(progress.until - progress.today).days} days "
                     f"left (desired retention {progress.retention:.0%}).")
    rows = ["| topic | answers | mean score | recall |", "| --- | ---: | ---: | ---: |"]
    for topic in progress.topics:
        score = "-" if topic.mean_score is None else f"{topic.mean_score:.1f}"
        recall = "-" if topic.recall is None else f"{topic.recall:.0%}"
        rows.append(f"| {table_cell(topic.topic)} | {topic.answers} | {score} | {recall} |")
    due = ", ".join(f"`{q}` ({'now' if (q, when) in progress.due_now else f'{when:%b %d}'})"
                    for q, when in progress.due_this_week) or "nothing"
    own = progress.own_grades
    if own.count:
        lines.append(f"Your own grades: **{own.count}** · yours minus the grader's "
                     f"**{own.mean_difference:+.1f}** on average · **{own.mean_abs_difference:.1f}** apart · "
                     f"**{own.share_over_one:.0%}** more than a point apart")
    return "\n\n".join([*lines, "\n".join(rows), f"**Due this week:** {due}"])


def weak_point_label(point: KeyPointRecord) -> str:
    """A weak key point's button: the point and how often it was missed."""
    text = " ".join(point.text.split())
    return f"✘ {text[:90] + '…' if len(text) > 90 else text} (missed {point.misses} of {point.attempts})"

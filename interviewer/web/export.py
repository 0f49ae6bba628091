"""A sitting as a Markdown document: each question, answer, grade, the candidate's own grade, the summary."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from interviewer.session import Interview, Turn
from interviewer.web.render import checklist, grader_label, literal, mistakes, summary


def quoted(text: str) -> str:
    """TEXT as a Markdown block quote."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def verbatim(text: str) -> str:
    """What the candidate typed, exactly, in a fenced block longer than any run of backticks in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def own_grade_line(turn: Turn) -> str:
    """The candidate's grade beside the grader's, with the reason given."""
    mine = turn.own_grade
    line = f"**Your grade: {mine.score:g}/10**, beside the grader's {turn.grade.score:g}/10"
    return line + (f". Why: {literal(mine.reason)}" if mine.reason else "")


def attempt(turn: Turn) -> list[str]:
    """An answer with its grade: score, the candidate's grade, checklist, mistakes, follow-up, feedback."""
    if turn.grade is None:
        return ["Skipped."]
    grade = turn.grade
    score = f"**Score: {grade.score:g}/10** ({grader_label(grade)})"
    lines = ["Answer:", "", verbatim(turn.answer), "", score]
    if turn.own_grade is not None:
        lines += ["", own_grade_line(turn)]
    lines += ["", "Key points:", "", *checklist(grade)]
    if grade.mistakes:
        lines += ["", "Mistakes:", "", *mistakes(grade)]
    if turn.follow_up is not None:
        reply = verbatim(turn.follow_up_answer) if turn.follow_up_answer else "Declined."
        lines += ["", f"Follow-up: {turn.follow_up.question}", "", reply]
    lines += ["", f"Feedback: {grade.feedback}"]
    lines += [f"\nNote: {note}" for note in grade.notes]
    return lines


def question_section(interview: Interview, position: int) -> list[str]:
    """One question: its text, earlier attempts (retaken), the last attempt, and the reference answer."""
    turn = interview.turns[position]
    question = turn.question
    lines = [f"## {position + 1}. {question.title or question.id}", "",
             f"`{question.id}` · {', '.join(question.topics)}", "", question.question, ""]
    for number, earlier in enumerate(interview.earlier.get(position, []), start=1):
        lines += [f"### Attempt {number} (retaken)", "", *attempt(earlier), ""]
    if position in interview.earlier:
        lines += [f"### Attempt {len(interview.earlier[position]) + 1}", ""]
    lines += [*attempt(turn), "", "Reference answer:", "",
              quoted(question.reference), ""]
    return lines


def session_markdown(interview: Interview) -> str:
    """The whole interview as Markdown."""
    turns = interview.turns
    taken = f"{len(turns)} of {len(interview.questions)} questions taken"
    lines = [f"# Mock interview, {interview.started}", "", f"Grader: {interview.grader.name} · {taken}", ""]
    for position in range(len(turns)):
        lines += question_section(interview, position)
    lines.append(summary(interview))
    return "\n".join(lines).rstrip() + "\n"


def write_export(interview: Interview, folder: Path | None = None) -> Path:
    """Write the interview's Markdown to a new file in FOLDER (default: a fresh temporary folder)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="interviewer-export-"))
    path = folder / f"interview-{re.sub(r'[^0-9]+', '', interview.started)}.md"
    path.write_text(session_markdown(interview), encoding="utf-8")
    return path

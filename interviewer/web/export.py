"""A sitting as a Markdown document: each question, answer, grade, the candidate's own grade, the summary."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from interviewer.session import Turn
from interviewer.web.render import checklist, grader_label, literal, mistakes, summary
from interviewer.web.sitting import Disagreement, Sitting


def quoted(text: str) -> str:
    """TEXT as a Markdown block quote."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def verbatim(text: str) -> str:
    """What the candidate typed, exactly, in a fenced block longer than any run of backticks in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def disagreement_line(turn: Turn, mine: Disagreement) -> str:
    """The candidate's grade beside the grader's, with the reason given."""
    line = f"**Your grade: {mine.score:g}/10**, beside the grader's {turn.grade.score:g}/10"
    return line + (f". Why: {literal(mine.reason)}" if mine.reason else "")


def attempt(turn: Turn, mine: Disagreement | None) -> list[str]:
    """An answer with its grade: score, the candidate's grade, checklist, mistakes, follow-up, feedback."""
    if turn.grade is None:
        return ["Skipped."]
    grade = turn.grade
    score = f"**Score: {grade.score:g}/10** ({grader_label(grade)})"
    lines = ["Answer:", "", verbatim(turn.answer), "", score]
    if mine is not None:
        lines += ["", disagreement_line(turn, mine)]
    lines += ["", "Key points:", "", *checklist(grade)]
    if grade.mistakes:
        lines += ["", "Mistakes:", "", *mistakes(grade)]
    if turn.follow_up is not None:
        lines += ["", f"Follow-up: {turn.follow_up.question}", "", verbatim(turn.follow_up_answer)]
    lines += ["", f"Feedback: {grade.feedback}"]
    lines += [f"\nNote: {note}" for note in grade.notes]
    return lines


def question_section(sitting: Sitting, position: int) -> list[str]:
    """One question: its text, earlier attempts (retaken), the last attempt, and the reference answer."""
    turn = sitting.interview.turns[position]
    question = turn.question
    lines = [f"## {position + 1}. {question.title or question.id}", "",
             f"`{question.id}` · {', '.join(question.topics)}", "", question.question, ""]
    for number, earlier in enumerate(sitting.earlier.get(position, []), start=1):
        lines += [f"### Attempt {number} (retaken)", "", *attempt(earlier.turn, earlier.disagreement), ""]
    if position in sitting.earlier:
        lines += [f"### Attempt {len(sitting.earlier[position]) + 1}", ""]
    lines += [*attempt(turn, sitting.disagreements.get(position)), "", "Reference answer:", "",
              quoted(question.reference), ""]
    return lines


def session_markdown(sitting: Sitting) -> str:
    """The whole sitting as Markdown."""
    turns = sitting.interview.turns
    taken = f"{len(turns)} of {len(sitting.interview.questions)} questions taken"
    lines = [f"# Mock interview, {sitting.started}", "", f"Grader: {sitting.grader_name} · {taken}", ""]
    for position in range(len(turns)):
        lines += question_section(sitting, position)
    lines.append(summary(sitting))
    return "\n".join(lines).rstrip() + "\n"


def write_export(sitting: Sitting, folder: Path | None = None) -> Path:
    """Write the sitting's Markdown to a new file in FOLDER (default: a fresh temporary folder)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="interviewer-export-"))
    path = folder / f"interview-{re.sub(r'[^0-9]+', '', sitting.started)}.md"
    path.write_text(session_markdown(sitting), encoding="utf-8")
    return path

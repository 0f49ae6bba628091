"""Write the bank as an Anki deck or as Markdown that `interviewer import` reads back, and the history as
Markdown."""

from __future__ import annotations

from pathlib import Path

from interviewer.history import Entry
from interviewer.ingest.own_formats import escape_markdown
from interviewer.models import Question

# Fixed ids, so a second export updates the notes of the first rather than adding a new deck and note type.
ANKI_MODEL_ID = 1_607_392_319
ANKI_DECK_ID = 2_059_400_110
ANKI_DECK_NAME = "interviewer"
CARD_FRONT = "<div>{{Question}}</div>\n<br>{{type:Answer}}"
CARD_BACK = ("<div>{{Question}}</div>\n<hr id=answer>\n{{type:Answer}}\n<hr>\n<div>{{Answer}}</div>\n"
             "{{#Key points}}<h4>Key points</h4>{{Key points}}{{/Key points}}")


def as_html(text: str) -> str:
    """Plain TEXT as HTML: escaped, its line breaks kept."""
    from html import escape

    return escape(text).replace("\n", "<br>")


def write_anki(questions: list[Question], path: Path, deck_name: str = ANKI_DECK_NAME) -> int:
    """QUESTIONS as a type-in-answer Anki deck in PATH, one note per question whose GUID comes from the
    question's id; how many notes."""
    import genanki

    model = genanki.Model(
        ANKI_MODEL_ID, "interviewer (type in the answer)",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Key points"}, {"name": "Id"}],
        templates=[{"name": "Type the answer", "qfmt": CARD_FRONT, "afmt": CARD_BACK}])
    deck = genanki.Deck(ANKI_DECK_ID, deck_name)
    for q in questions:
        points = "<ul>" + "".join(f"<li>{as_html(p)}</li>" for p in q.key_points) + "</ul>"
        fields = [as_html(q.question), as_html(q.reference), points, q.id]
        note = genanki.Note(model=model, fields=fields, guid=genanki.guid_for(q.id), tags=list(q.topics))
        deck.add_note(note)
    genanki.Package(deck).write_to_file(str(path))
    return len(questions)


def question_markdown(question: Question) -> str:
    """One question in the Markdown `import` reads: heading, answer, key points as bullets, topics."""
    points = "\n".join(f"- {' '.join(p.split())}" for p in question.key_points)
    return (f"## {' '.join(question.question.split())}\n\n{escape_markdown(question.reference)}\n\n"
            f"{points}\n\nTopics: {', '.join(question.topics)}\n")


def bank_markdown(questions: list[Question]) -> str:
    """QUESTIONS as Markdown that `interviewer import` reads back into the same questions."""
    return "\n".join(question_markdown(q) for q in questions)


def entry_markdown(entry: Entry, question: Question | None) -> str:
    """One history entry: the question, the answer, the score and each key point's status."""
    asked = question.question if question is not None else entry.question_id
    when = entry.answered_at.astimezone().strftime("%Y-%m-%d %H:%M")
    lines = [f"## {' '.join(asked.split())}", "", f"{entry.question_id}, {entry.kind}, {when}"]
    if entry.follow_up:
        lines += ["", f"Follow-up: {entry.follow_up}"]
    lines += ["", "Answer:", "", escape_markdown(entry.answer) or "(skipped)", ""]
    grade = entry.grade
    if grade is not None:
        lines += [f"Score: {grade.score:g}/10 ({grade.grader})", ""]
        lines += [f"- {k.status}: {k.text}" for k in grade.key_points]
    elif entry.error:
        lines += [f"Not graded: {entry.error}"]
    return "\n".join(lines).rstrip() + "\n"


def history_markdown(entries: list[Entry], questions: dict[str, Question]) -> str:
    """ENTRIES, oldest first, as Markdown; QUESTIONS by lower-case id give their text."""
    return "\n".join(entry_markdown(e, questions.get(e.question_id.lower())) for e in entries)

"""Turn source documents (Q&A pages, flashcard decks) into draft bank questions."""

from __future__ import annotations

import re
from pathlib import Path

from interviewer.errors import CorpusError
from interviewer.ingest.flashcards import declared_count, looks_like_flashcards, parse_flashcards
from interviewer.ingest.key_points import extract_key_points
from interviewer.ingest.qa_items import RawItem, looks_like_qa_items, parse_qa_items
from interviewer.ingest.topics import assign_topics
from interviewer.models import Question, Source, Topic

__all__ = ["parse_document", "deck_prefix"]


def deck_prefix(path: Path) -> str:
    """Id prefix for a deck's cards: 'F004' for '004_571e....txt', else F + the file stem."""
    stem = path.stem
    match = re.match(r"^(\d+)", stem)
    return f"F{match.group(1)}" if match else "F" + re.sub(r"\W+", "-", stem).upper()


def to_question(item: RawItem, path: Path, taxonomy: list[Topic]) -> Question:
    """A draft question: cleaned reference, draft key points and keyword topics."""
    reference = "\n".join(item.answer_lines).strip()
    if not item.question:
        raise CorpusError(f"{path}:{item.position}: item {item.item_id} has no question text")
    if not reference:
        raise CorpusError(f"{path}:{item.position}: item {item.item_id} has no answer text")
    return Question(
        id=item.item_id,
        title=item.title,
        question=item.question,
        reference=reference,
        key_points=tuple(extract_key_points(item.answer_lines)),
        topics=tuple(assign_topics(item.question, reference, taxonomy)),
        source=Source(path.name, item.position),
    )


def read_items(path: Path) -> list[RawItem]:
    """The raw items of one document, whatever its format."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    if looks_like_qa_items(text):
        return parse_qa_items(text)
    if looks_like_flashcards(text):
        cards = parse_flashcards(text, deck_prefix(path))
        expected = declared_count(text)
        if expected is not None and expected != len(cards):
            raise CorpusError(f"{path}: the deck says {expected} terms but {len(cards)} were found")
        return cards
    raise CorpusError(
        f"{path}: no questions found; expected Q&A items ('• ML0001 Title' ... 'Answer') "
        "or flashcards (a card number, 'New cards', question, answer)"
    )


def parse_document(path: Path, taxonomy: list[Topic]) -> list[Question]:
    """Every question of a source document as a draft bank entry."""
    return [to_question(item, path, taxonomy) for item in read_items(path)]

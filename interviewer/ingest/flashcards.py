"""Parser for flashcard decks: a card number, 'New cards', the question, then the answer."""

from __future__ import annotations

import re

from interviewer.ingest.cleaning import clean_block
from interviewer.ingest.qa_items import RawItem

CARD_NUMBER = re.compile(r"^\s*(\d{1,4})\s*$")
CARD_MARK = re.compile(r"^\s*New cards\s*$", re.IGNORECASE)
DECLARED_COUNT = re.compile(r"^\s*(\d+)\s+Terms\s*$", re.IGNORECASE)


def card_starts(lines: list[str]) -> list[int]:
    """Line numbers of card numbers that are followed by the 'New cards' mark."""
    return [
        i
        for i, line in enumerate(lines)
        if CARD_NUMBER.match(line) and any(CARD_MARK.match(x) for x in lines[i + 1 : i + 3])
    ]


def looks_like_flashcards(text: str) -> bool:
    """True when the text has numbered cards."""
    return bool(card_starts(text.splitlines()))


def declared_count(text: str) -> int | None:
    """The deck's own card count ('37 Terms'), if it states one."""
    for line in text.splitlines():
        match = DECLARED_COUNT.match(line)
        if match:
            return int(match.group(1))
    return None


def parse_card(block: list[str], number: int, prefix: str, position: int) -> RawItem:
    """One card: the first line after the mark is the question, the rest the answer."""
    body = [line for line in block[1:] if not CARD_MARK.match(line)]
    while body and not body[0].strip():
        body.pop(0)
    question = body[0].strip() if body else ""
    return RawItem(f"{prefix}-{number:02d}", "", question, clean_block(body[1:]), position)


def parse_flashcards(text: str, prefix: str) -> list[RawItem]:
    """Every card of a deck, with ids PREFIX-NN by card number."""
    lines = text.splitlines()
    starts = card_starts(lines)
    cards = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        number = int(CARD_NUMBER.match(lines[start]).group(1))
        cards.append(parse_card(lines[start:end], number, prefix, start + 1))
    return cards

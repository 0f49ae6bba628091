"""Parser for Q&A pages: '• ML0040 Title', the question, 'Answer', the answer, site chrome."""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviewer.ingest.cleaning import clean_block

ITEM_HEADER = re.compile(r"^\s*[•●*-]?\s*([A-Z]{2,}\d{3,})\s+(\S.*?)\s*$")
ANSWER_MARK = re.compile(r"^\s*Answer\s*$")
END_MARK = "Login to view more content"


@dataclass
class RawItem:
    """An item as found in a document, before key points and topics."""

    item_id: str
    title: str
    question: str
    answer_lines: list[str]
    position: int


def looks_like_qa_items(text: str) -> bool:
    """True when the text has item headers followed by an 'Answer' line."""
    lines = text.splitlines()
    return any(
        ITEM_HEADER.match(line) and any(ANSWER_MARK.match(x) for x in lines[i + 1 : i + 12])
        for i, line in enumerate(lines)
    )


def split_items(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Group the document's lines by item header, keeping each header's line number."""
    starts = [
        i
        for i, line in enumerate(lines)
        if ITEM_HEADER.match(line) and any(ANSWER_MARK.match(x) for x in lines[i + 1 : i + 12])
    ]
    return [(s, lines[s : (starts[k + 1] if k + 1 < len(starts) else len(lines))])
            for k, s in enumerate(starts)]


def parse_item(block: list[str], position: int) -> RawItem:
    """One item: header, question lines up to 'Answer', answer lines up to the end mark."""
    header = ITEM_HEADER.match(block[0])
    answer_at = next(i for i, line in enumerate(block) if ANSWER_MARK.match(line))
    question = " ".join(line.strip() for line in block[1:answer_at] if line.strip())
    answer: list[str] = []
    for line in block[answer_at + 1 :]:
        if END_MARK in line:
            answer.append(line.split(END_MARK)[0])
            break
        answer.append(line)
    return RawItem(header.group(1), header.group(2), question, clean_block(answer), position)


def parse_qa_items(text: str) -> list[RawItem]:
    """Every item of a Q&A page, in document order; position is the item's 1-based line."""
    lines = text.splitlines()
    return [parse_item(block, start + 1) for start, block in split_items(lines)]

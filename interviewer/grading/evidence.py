"""What an LLM grader may cite as evidence: the answer's own statements, never text inside JSON-like blocks,
code fences or instructions to the grader, and only a quote that says the key point it is cited for."""

from __future__ import annotations

import re

from interviewer.embeddings import Embedder
from interviewer.text import SENTENCE_BREAK

# Cosine (all-MiniLM-L6-v2) a quote needs with the key point it is cited for. On the interview dev set
# (../shared/benchmarks/interview/dev.jsonl, 188 answers) 95% of the key points a human marked covered
# have a statement of the answer this close (5th percentile 0.398 of 371), 86% of those marked partial,
# and only 67% of those marked missed. benchmarks/fit_llm_checks.py measures it again.
QUOTE_SAYS_KEY_POINT = 0.40
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
CUT = "\x00"  # stands where text was removed, so that no quote can span it
CODE_FENCE = re.compile(r"(```|~~~).*?(?:\1|\Z)", re.DOTALL)
QUOTED_KEY = re.compile(r"""["“'][^"“”'\n]{1,60}["”']\s*:""")
BRACKET = re.compile(r"[{}\[\]]")
OPENING = "{["
INSTRUCTION = re.compile("|".join([
    r"\b(?:grader|grading|rubric|evaluator|examiner|interviewer)s?\b|\breference answer\b",  # the grader's
    r"\bgrade (?:this|it|me|my|the)\b|\b(?:score|rate|mark) (?:this|my) (?:answer|response)\b",
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|rubric|prompt|key points?)\b",
    r"^\W*(?:ignore|disregard|réponds|acknowledge)\b|^\W*(?:new (?:task|instructions?)\b|assign \d)",  # order
    r"^\W*(?:system|assistant|user|developer|human|instructions?)\s*:",  # a chat role line
    r"\bend of (?:the )?(?:system|instructions?|prompt)\b|\b(?:begin|end) answer\b|(?<!#)#{2,}\s*instruction",
    r"</?\s*(?:answer|system|user|assistant|instructions?)\s*>",  # a chat-markup tag
    r"(?<![\d/.])\d+(?:\.\d+)?\s*/\s*(?:5|10|100)\b(?!\s*/)",  # a score out of 5, 10 or 100
    r"\bfull marks\b|\bscor(?:e|es|ed|ing)\b\W{0,3}(?:of |is |as |to )?10\b",
    r"\bkey points?\b.{0,30}\bcovered\b|\bcover(?:s|ed)? (?:all|every)\b.{0,20}\bkey points?\b",
    r"\byou are now\b|\bnew policy\b",
]), re.IGNORECASE)


def answer_content(answer: str) -> str:
    """The answer's own statements: JSON-like blocks, code fences and sentences addressed to the grader
    replaced by CUT, zero-width characters dropped."""
    text = CODE_FENCE.sub(f" {CUT} ", answer.translate(ZERO_WIDTH))
    pieces, kept_from = [], 0
    for start, end in json_like_spans(text):
        pieces += [text[kept_from:start], f" {CUT} "]
        kept_from = end
    text = "".join([*pieces, text[kept_from:]])
    return " ".join(CUT if is_instruction(s) else s for s in sentences(text))


def json_like_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost {...} or [...] holding a quoted key and a colon ('"score": 10'); an
    unclosed one runs to the end of the text. One pass over the brackets and one over the keys: the
    time grows linearly with the text."""
    spans: list[tuple[int, int]] = []
    keys = QuotedKeys(text)
    start = 0
    for opening, end in bracket_pairs(text):
        if opening < start:
            continue
        if keys.first_from(opening) is None:
            break
        if keys.any_within(opening, end):
            spans.append((opening, end))
            start = end
    return spans


def bracket_pairs(text: str) -> list[tuple[int, int]]:
    """(position, end) of each opening bracket, in order: END is just after the bracket of any kind that
    closes it (depth counted from it), or the text's end when none does."""
    ends: dict[int, int] = {}
    open_now: list[int] = []
    for match in BRACKET.finditer(text):
        position = match.start()
        if text[position] in OPENING:
            open_now.append(position)
            ends[position] = len(text)
        elif open_now:
            ends[open_now.pop()] = position + 1
    return list(ends.items())


class QuotedKeys:
    """Finds QUOTED_KEY matches from positions that only move forward, each part of the text searched
    about once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: re.Match | None = None
        self.searched_from = -1

    def first_from(self, position: int) -> re.Match | None:
        """The first match starting at or after POSITION (POSITIONs asked for never decrease)."""
        if self.searched_from < 0 or (self.found is not None and self.found.start() < position):
            self.found = QUOTED_KEY.search(self.text, position)
            self.searched_from = position
        return self.found

    def any_within(self, start: int, end: int) -> bool:
        """True when a match lies wholly within START:END, as QUOTED_KEY.search(text, start, end) finds."""
        first = self.first_from(start)
        if first is None or first.start() >= end:
            return False
        return first.end() <= end or QUOTED_KEY.search(self.text, start, end) is not None


def sentences(text: str) -> list[str]:
    """TEXT cut at sentence and line breaks (text.SENTENCE_BREAK), nothing dropped but the breaks."""
    return [s for s in SENTENCE_BREAK.split(text) if s.strip()]


def is_instruction(sentence: str) -> bool:
    """True for a sentence addressed to the grader: naming it, its rubric or a score out of ten, ordering
    it about, or posing as a chat turn, a system message or the end of the answer."""
    return bool(INSTRUCTION.search(sentence.strip()))


def quotes_say_key_points(embedder: Embedder, pairs: list[tuple[str, str]]) -> list[bool]:
    """For each (quote, key point): does the quote say the key point (cosine >= QUOTE_SAYS_KEY_POINT)?"""
    if not pairs:
        return []
    vectors = embedder.embed([text for pair in pairs for text in pair])
    return [float(vectors[2 * k] @ vectors[2 * k + 1]) >= QUOTE_SAYS_KEY_POINT for k in range(len(pairs))]

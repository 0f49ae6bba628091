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
OPENING, CLOSING = "{[", "}]"
INSTRUCTION = re.compile("|".join([
    r"\b(?:grader|grading|rubric|evaluator|examiner|interviewer)s?\b|\breference answer\b",  # the grader's
    r"\bgrade (?:this|it|me|my|the)\b|\b(?:score|rate|mark) (?:this|my) (?:answer|response)\b",
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|rubric|prompt|key points?)\b",
    r"^\W*(?:ignore|disregard|réponds|acknowledge)\b|^\W*(?:new (?:task|instructions?)\b|assign \d)",  # order
    r"^\W*(?:system|assistant|user|developer|human|instructions?)\s*:",  # a chat role line
    r"\bend of (?:the )?(?:system|instructions?|prompt)\b|\b(?:begin|end) answer\b|#{2,}\s*instruction",
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
    for start, end in reversed(json_like_spans(text)):
        text = f"{text[:start]} {CUT} {text[end:]}"
    return " ".join(CUT if is_instruction(s) else s for s in sentences(text))


def json_like_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost {...} or [...] holding a quoted key and a colon ('"score": 10'); an
    unclosed one runs to the end of the text."""
    spans: list[tuple[int, int]] = []
    start = 0
    while (opening := first_of(text, OPENING, start)) is not None and QUOTED_KEY.search(text, opening):
        end = closing_of(text, opening)
        if QUOTED_KEY.search(text, opening, end):
            spans.append((opening, end))
            start = end
        else:
            start = opening + 1
    return spans


def first_of(text: str, characters: str, start: int) -> int | None:
    """The position of the first of CHARACTERS in TEXT from START, or None."""
    found = [p for p in (text.find(c, start) for c in characters) if p >= 0]
    return min(found) if found else None


def closing_of(text: str, opening: int) -> int:
    """The position just after the bracket that closes the one at OPENING (any kind), or the text's end."""
    depth = 0
    for position in range(opening, len(text)):
        if text[position] in OPENING:
            depth += 1
        elif text[position] in CLOSING:
            depth -= 1
            if depth == 0:
                return position + 1
    return len(text)


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

"""Draft key points from a cleaned answer: its numbered points, else its essential sentences."""

from __future__ import annotations

import re

MIN_POINTS, MAX_POINTS = 2, 8
MAX_WORDS = 45

NUMBERED = re.compile(r"^(?:\((\d+)\)|(\d+)[.)])\s*(.*)$")
GROUP_HEADING = re.compile(r"^([A-Z][\w\- ()/’']{1,40}):$")
LABELLED = re.compile(r"^(?:- )?([A-Z][\w\- ()/’'&]{1,50}):\s+(\S.*)$")
SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]][.!?])\s+(?=[A-Z(])")
FORMULA_HINT = re.compile(r"\\[a-zA-Z]+|[=^_{}]|∂|Σ")


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences on terminal punctuation."""
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def is_formula(line: str) -> bool:
    """True for a line that is mostly a formula or a variable definition."""
    symbols = len(FORMULA_HINT.findall(line))
    return symbols >= 2 or line.lower().startswith(("where", "where:"))


def shorten(text: str) -> str:
    """Keep whole sentences up to MAX_WORDS words; always keep the first."""
    kept: list[str] = []
    words = 0
    for sentence in split_sentences(text):
        n = len(sentence.split())
        if kept and words + n > MAX_WORDS:
            break
        kept.append(sentence)
        words += n
    result = " ".join(kept).strip()
    if result and result[-1] not in ".!?":
        result += "."
    return result


def as_point(label: str, body: str, group: str = "") -> str:
    """Join a point's label and body into one self-contained sentence."""
    label = label.strip().rstrip(":").strip()
    body = shorten(body) if body else ""
    text = f"{label}: {body}" if label and body else (label or body)
    if group:
        text = f"{group} - {text}"
    return text if text.endswith((".", "!", "?")) else text + "."


def numbered_points(lines: list[str]) -> list[str]:
    """Points of the answer's numbered lists, each with its continuation lines."""
    items: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    heading = group = ""
    restarted = False
    for line in lines:
        match = NUMBERED.match(line)
        if match:
            if int(match.group(1) or match.group(2)) == 1:
                restarted = restarted or bool(items)
                group = heading
            current = [match.group(3)]
            items.append((group, current))
        elif not line:
            current = None
        elif GROUP_HEADING.match(line):
            heading = GROUP_HEADING.match(line).group(1)
            current = None
        elif current is not None and not is_formula(line):
            current.append(line)
    points = []
    for group, parts in items:
        label, _, body = parts[0].partition(":") if ":" in parts[0][:60] else ("", "", parts[0])
        body = " ".join([body.strip(), *parts[1:]]).strip()
        points.append(as_point(label, body, group if restarted else ""))
    return points


def sentence_points(lines: list[str]) -> list[str]:
    """Essential claims of an answer without numbered points: labelled lines and sentences."""
    points: list[str] = []
    heading = ""
    for line in lines:
        if not line or is_formula(line):
            continue
        if GROUP_HEADING.match(line):
            heading = GROUP_HEADING.match(line).group(1)
            continue
        labelled = LABELLED.match(line)
        if labelled:
            points.append(as_point(labelled.group(1), labelled.group(2)))
            continue
        for sentence in split_sentences(line.removeprefix("- ")):
            if len(sentence.split()) >= 5 and not is_formula(sentence):
                points.append(as_point(heading, sentence) if heading else as_point("", sentence))
        heading = ""
    return points


def extract_key_points(answer_lines: list[str]) -> list[str]:
    """Two to eight draft key points for an answer; review them by hand before use."""
    points = numbered_points(answer_lines)
    if len(points) < MIN_POINTS:
        points = sentence_points(answer_lines)
    unique = list(dict.fromkeys(p for p in points if len(p.split()) >= 2))
    return unique[:MAX_POINTS]

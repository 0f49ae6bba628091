"""Read a user's own questions from Markdown, CSV/TSV and Anki's plain-text export into rows, each with its
line; YAML in the bank's format is read by interviewer.own_questions."""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
TOPICS_LINE = re.compile(r"^Topics:\s*(.*)$", re.IGNORECASE)
ESCAPED_START = re.compile(r"^\\([-*+#]|Topics:)")
HEADER_WORDS = {"question", "front", "q"}
LIST_SEPARATOR = re.compile(r"\s*(?:;|\n)\s*")
TOPIC_SEPARATOR = re.compile(r"[;,\s]+")
ANKI_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}
ANKI_META_COLUMNS = re.compile(r"^#(guid|notetype|deck|tags) column:(\d+)$")
HTML_BREAK = re.compile(r"<br\s*/?>|</(div|p|li)>", re.IGNORECASE)
HTML_TAG = re.compile(r"<[^>]+>")


@dataclass
class Row:
    """One question as a file gives it, before validation; empty key points or topics are left to draft."""

    line: int
    question: str
    answer: str
    key_points: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    problem: str = ""  # what makes the row unreadable, if anything


def split_list(text: str, separator: re.Pattern = LIST_SEPARATOR) -> list[str]:
    """The non-empty items of TEXT split by SEPARATOR."""
    return [item.strip() for item in separator.split(text or "") if item.strip()]


def read_markdown(text: str) -> list[Row]:
    """A heading is a question; the text under it the answer; its bullet lines key points; a 'Topics:' line
    its topics. A heading with nothing under it but a deeper heading is a section title, not a question."""
    sections: list[tuple[int, int, str, list[str]]] = []  # level, line, heading, body
    for number, (line, fenced) in enumerate(with_fences(text.splitlines()), start=1):
        heading = not fenced and HEADING.match(line)
        if heading:
            sections.append((len(heading.group(1)), number, heading.group(2), []))
        elif sections:
            sections[-1][3].append(line)
    rows = []
    for k, (level, number, heading, body) in enumerate(sections):
        deeper_next = k + 1 < len(sections) and sections[k + 1][0] > level
        if deeper_next and not "".join(body).strip():
            continue
        rows.append(markdown_row(number, heading, body))
    return rows


def with_fences(lines: list[str]) -> list[tuple[str, bool]]:
    """Each line and whether it is inside a fenced code block (a '```' line itself counts as inside)."""
    marked, inside = [], False
    for line in lines:
        fence = bool(FENCE.match(line))
        marked.append((line, inside or fence))
        inside = inside != fence
    return marked


def markdown_row(number: int, heading: str, body: list[str]) -> Row:
    """One question of a Markdown file from its heading and the lines under it; in code blocks, a line
    starting with '-' or 'Topics:' is answer text."""
    row, answer = Row(number, heading, ""), []
    for line, fenced in with_fences(body):
        bullet, topics = not fenced and BULLET.match(line), not fenced and TOPICS_LINE.match(line)
        if bullet:
            row.key_points.append(bullet.group(1).strip())
        elif topics:
            row.topics = split_list(topics.group(1), TOPIC_SEPARATOR)
        else:
            answer.append(ESCAPED_START.sub(r"\1", line))
    row.answer = "\n".join(answer).strip()
    return row


def escape_markdown(text: str) -> str:
    """TEXT as answer lines that read_markdown gives back as they are: lines that would start a bullet, a
    heading or a topics line are escaped with a backslash."""
    return "\n".join("\\" + line if BULLET.match(line) or HEADING.match(line) or TOPICS_LINE.match(line)
                     or ESCAPED_START.match(line) else line for line in text.splitlines())


def records_with_lines(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The records of delimited TEXT, each with the line it starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records, start = [], 1
    for record in reader:
        if any(cell.strip() for cell in record):
            records.append((start, record))
        start = reader.line_num + 1
    return records


def read_table(text: str, delimiter: str) -> list[Row]:
    """CSV or TSV: question, answer, key points (split by ';' or new lines), topics; a header is skipped."""
    records = records_with_lines(text, delimiter)
    if records and records[0][1][0].strip().lower() in HEADER_WORDS:
        records = records[1:]
    return [table_row(number, cells) for number, cells in records]


def table_row(number: int, cells: list[str]) -> Row:
    """One row of a table from its cells."""
    cells = [*cells, "", "", "", ""]
    row = Row(number, cells[0].strip(), cells[1].strip(), split_list(cells[2]),
              split_list(cells[3], TOPIC_SEPARATOR))
    if len([c for c in cells if c.strip()]) > 4:
        row.problem = "more than 4 columns; expected question, answer, key points, topics"
    return row


def strip_html(text: str) -> str:
    """TEXT with HTML tags removed, line breaks kept and entities decoded."""
    return html.unescape(HTML_TAG.sub("", HTML_BREAK.sub("\n", text))).strip()


def read_anki(text: str) -> list[Row]:
    """Anki's 'Notes in Plain Text' export: front and back separated by a tab (or '#separator:'), HTML
    stripped unless '#html:false'; the guid, notetype, deck and tags columns it names are left out."""
    separator, keep_html, meta, lines = "\t", False, set(), text.splitlines(keepends=True)
    header = 0
    while header < len(lines) and lines[header].startswith("#"):
        key, _, value = lines[header].strip()[1:].partition(":")
        if key == "separator":
            separator = ANKI_SEPARATORS.get(value.lower(), value[:1] or "\t")
        elif key == "html":
            keep_html = value.strip().lower() == "false"
        column = ANKI_META_COLUMNS.match(lines[header].strip())
        if column:
            meta.add(int(column.group(2)) - 1)
        header += 1
    rows = []
    for number, cells in records_with_lines("".join(lines[header:]), separator):
        fields = [c if keep_html else strip_html(c) for i, c in enumerate(cells) if i not in meta]
        row = Row(number + header, *(fields + ["", ""])[:2])
        if len(fields) < 2:
            row.problem = f"expected a front and a back separated by {separator!r}"
        rows.append(row)
    return rows


READERS = {".md": read_markdown, ".markdown": read_markdown, ".txt": read_anki,
           ".csv": lambda text: read_table(text, ","), ".tsv": lambda text: read_table(text, "\t")}


def read_rows(path: Path, text: str) -> list[Row]:
    """The rows of a Markdown, CSV, TSV or Anki text file, by its suffix; ValueError for another suffix."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(f"{path}: unknown format {path.suffix or '(no suffix)'}; expected .yaml, .md, "
                         ".csv, .tsv or .txt (Anki's plain-text export)")
    return reader(text)

"""Remove web noise from scraped interview documents: site chrome, image captions, link titles."""

from __future__ import annotations

import re

SITE_CHROME = re.compile(
    r"^(login to view more content|new cards|author: \w+|answer)$", re.IGNORECASE
)
# Sentences that only point at a figure the text no longer has.
FIGURE_REFERENCE = re.compile(
    r"^(below (is|are|shows)\b"
    r"|the (image|plot|figure|example|graph|diagram|chart)s? below\b"
    r"|the below (plot|image|figure|graph|diagram)\b"
    r"|the following (image|example|plot|figure|graph|diagram)\b"
    r"|here is an example\b)",
    re.IGNORECASE,
)
# Titles of linked pages and images: "Title | by Author | Medium", "Title - Quora", "Name on X: ...".
LINK_TITLE = re.compile(
    r"(\|\s*(by [^|]+\|\s*)?(medium|codecademy|quora|download scientific diagram|wikipedia"
    r"|towards data science|analytics vidhya|geeksforgeeks|youtube|linkedin)\s*$"
    r"|\s-\s(quora|youtube|reddit|stack overflow)\s*$"
    r"|^\S+( \S+)? on X: [\"“]"
    r"|^.{3,80} - by .{3,60} - .{3,80}$)",
    re.IGNORECASE,
)
# A caption glued between two sentences without spaces:
# "...return zero.Vanishing Gradient Problem, ExplainedThe derivative ..."
TITLE_WORD = r"(?:[A-Z][\w'’\-]*|by|of|in|and|the|a|an|for|to|on|with|vs)"
GLUED_CAPTION = re.compile(
    rf"(?:^|(?<=[a-z0-9)][.!?]))[A-Z][\w'’\-]*(?:,? {TITLE_WORD})*?,? [A-Z][a-z'’\-]*?[a-z](?=[A-Z][a-z])"
)
# A truncated link title: "The (c) forward... | Download Scientific Diagram" glued to the next word.
TRUNCATED_LINK_TITLE = re.compile(
    r"(?:(?<=[.!?] )|^)[^.!?|]{0,80}\.\.\.\s*\|\s*[^|]{3,40}?[a-z](?=[A-Z][a-z]|$)"
)
# A truncated link title glued after a sentence: "...neuron.Calculus in Action: Neural Networks ...5."
GLUED_TRUNCATED_TITLE = re.compile(r"(?<=[a-z0-9)][.!?])[A-Z][^.!?\n]{2,80}? ?\.\.\.(?=\S)")
# A caption glued to the start of the next heading: "RNNAs you can see", "vanishing gradientConvolution".
LEADING_ACRONYM_CAPTION = re.compile(
    r"(?:^|(?<=[.!?] ))[A-Z]{2,}(?=(?:As|The|This|These|In|It|Its|We|Here|When|If)\s)"
)
LEADING_LOWER_CAPTION = re.compile(r"^[a-z][a-z ]{2,40}[a-z](?=[A-Z][a-z])")
# A caption glued to the end of a sentence: "... to produce a feature map. cnn"
TRAILING_LOWER_CAPTION = re.compile(r"(?<=[.!?]) [a-z]{2,12}$")
MISSING_SPACE = re.compile(r"(?<=[a-z)][.!?])(?=[A-Z][a-z])")
LATEX_SIZE = re.compile(r"\\(tiny|small|normalsize|large|Large|LARGE|huge|Huge|displaystyle)\b\s*")
LATEX_MBOX = re.compile(r"\\mbox\s*(\\quad)?\s*")
BRACED_COMMAND = re.compile(r"\{(\\[A-Za-z]+)\}")
BULLET = re.compile(r"^[•●▪◦‣∙·]\s*")


def is_noise_line(line: str) -> bool:
    """True for a line that is site chrome, a figure reference or a link title."""
    text = line.strip()
    return bool(
        SITE_CHROME.match(text) or FIGURE_REFERENCE.match(text) or LINK_TITLE.search(text)
    )


def strip_glued_captions(line: str) -> str:
    """Remove image captions that the scrape glued into running text."""
    line = TRUNCATED_LINK_TITLE.sub("", line)
    line = GLUED_TRUNCATED_TITLE.sub("", line)
    line = GLUED_CAPTION.sub("", line)
    line = LEADING_ACRONYM_CAPTION.sub("", line)
    line = LEADING_LOWER_CAPTION.sub("", line)
    line = TRAILING_LOWER_CAPTION.sub("", line)
    return MISSING_SPACE.sub(" ", line)


def tidy_latex(line: str) -> str:
    """Drop LaTeX sizing commands so formulas read as plain LaTeX."""
    line = LATEX_MBOX.sub("", LATEX_SIZE.sub("", line))
    line = BRACED_COMMAND.sub(r"\1", line)
    stripped = line.strip()
    if stripped.startswith("{") and stripped.endswith("}") and stripped.count("{") >= 1:
        inner = stripped[1:-1].strip()
        if inner.count("{") == inner.count("}"):
            line = inner
    return line


def clean_line(line: str) -> str:
    """One line of running text with glued captions, bullets and stray whitespace removed."""
    line = line.replace("\u00a0", " ").strip()
    line = BULLET.sub("- ", line)
    line = strip_glued_captions(line)
    line = tidy_latex(line)
    return re.sub(r"[ \t]{2,}", " ", line).strip()


def clean_block(lines: list[str]) -> list[str]:
    """Clean lines, drop noise lines and collapse runs of blank lines (blank lines kept as '')."""
    out: list[str] = []
    for raw in lines:
        if raw.strip() and is_noise_line(BULLET.sub("", raw.strip())):
            continue
        line = clean_line(raw)
        if line in ("", "-"):
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    while out and out[0] == "":
        out.pop(0)
    return out

"""Answers cleaned at the door: the one place every interface's answer passes before it is saved and graded.

Invalid bytes (lone surrogates, as Python decodes bytes that are not UTF-8 with 'surrogateescape') become
U+FFFD; control characters other than newline and tab, and terminal escape sequences, are dropped; a long
answer is graded on its first MAX_WORDS words (at most MAX_CHARACTERS characters) while the whole of it
is kept. Each change is said in a note that the grade card shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The length graded. Interview answers run to a few hundred words: the longest of the interview dev set
# (../shared/benchmarks/interview/dev.jsonl, 188 answers) has 218, the longest reference of the bank 652.
# 5,000 words is over half an hour of speech, and the offline grader takes about 9 s for it on the 2-core
# development machine (benchmarks/long_answers.py, 2026-12-03). Prose averages 5.9 characters per word,
# the space counted, in the dev set and 6.6 in the bank's references (7.6 at most in one reference), so
# 8 per word bounds what a line or word without spaces (a paste gone wrong) costs without cutting
# 5,000 words of prose short.
MAX_WORDS = 5_000
MAX_CHARACTERS = 40_000

REPLACEMENT = "\ufffd"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
LINE_BREAK = re.compile(r"\r\n?")
ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # a terminal's colours, or an arrow key typed
KEPT_CONTROLS = "\n\t"
CONTROL_CHARACTERS = dict.fromkeys(
    code for code in [*range(0x20), *range(0x7F, 0xA0)] if chr(code) not in KEPT_CONTROLS)
WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class CleanAnswer:
    """An answer as the engine takes it: the whole text cleaned (kept in the history), the part of it
    that is graded, and notes saying what cleaning changed."""

    text: str
    graded: str
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing is left to grade (only spaces or control characters were given)."""
        return not self.graded.strip()


def clean_answer(answer: str) -> CleanAnswer:
    """ANSWER with invalid bytes replaced, control characters dropped and its graded part cut to the caps."""
    text, replaced = LONE_SURROGATE.subn(REPLACEMENT, answer)
    text, sequences = ESCAPE_SEQUENCE.subn("", LINE_BREAK.sub("\n", text))
    kept = text.translate(CONTROL_CHARACTERS)
    dropped = sequences + len(text) - len(kept)  # an escape sequence counts as one
    notes = []
    if replaced:
        notes.append(f"Replaced {plural(replaced, 'invalid byte')} (not UTF-8 text) with “{REPLACEMENT}”.")
    if dropped:
        notes.append(f"Dropped {plural(dropped, 'control character')}.")
    graded, cut_note = graded_part(kept)
    return CleanAnswer(kept, graded, tuple(notes + ([cut_note] if cut_note else [])))


def graded_part(text: str) -> tuple[str, str]:
    """The first MAX_WORDS words of TEXT, at most MAX_CHARACTERS characters, and a note saying what was
    cut ('' when nothing was)."""
    end = word_end(text, MAX_WORDS)
    if end is not None and end <= MAX_CHARACTERS:
        return text[:end], (f"Long answer: graded the first {MAX_WORDS:,} words of {len(text.split()):,}; "
                            "the whole answer is kept in the history.")
    if len(text) <= MAX_CHARACTERS:
        return text, ""
    rest = text.lstrip()  # so that spaces before it cannot crowd the answer out
    if len(rest) <= MAX_CHARACTERS:
        return rest, ""
    graded = rest[:MAX_CHARACTERS]
    if not rest[MAX_CHARACTERS].isspace() and len(graded.rsplit(maxsplit=1)) == 2:
        graded = graded.rsplit(maxsplit=1)[0]  # the word cut in half is left out
    return graded, (f"Long answer: graded the first {len(graded):,} characters of {len(text):,} "
                    f"(at most {MAX_CHARACTERS:,}); the whole answer is kept in the history.")


def word_end(text: str, count: int) -> int | None:
    """Where the COUNT-th word of TEXT ends, or None when it has no more than COUNT words."""
    ends = [match.end() for match, _ in zip(WORD.finditer(text), range(count + 1))]
    return ends[count - 1] if len(ends) > count else None


def plural(count: int, noun: str) -> str:
    """'1 invalid byte', '2 invalid bytes'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"

"""Answers cleaned at the door (answer_text): invalid bytes replaced, control characters dropped, a long
answer graded on what fits, each change said in a note."""

from __future__ import annotations

from interviewer.answer_text import MAX_CHARACTERS, MAX_WORDS, clean_answer

INVALID_BYTE = b"\xff".decode("utf-8", "surrogateescape")  # as Python hands over argv and stdin


def test_an_ordinary_answer_passes_unchanged_with_no_note():
    text = "Adam keeps moving averages of the gradients.\n\tIt adapts each step size."
    cleaned = clean_answer(text)
    assert (cleaned.text, cleaned.graded, cleaned.notes) == (text, text, ())
    assert not cleaned.empty


def test_invalid_bytes_are_replaced_and_said():
    cleaned = clean_answer(f"a {INVALID_BYTE} b {INVALID_BYTE}{INVALID_BYTE}")
    assert cleaned.text == cleaned.graded == "a \ufffd b \ufffd\ufffd"
    assert cleaned.notes == ("Replaced 3 invalid bytes (not UTF-8 text) with “\ufffd”.",)
    assert clean_answer("\ud800 x").notes == ("Replaced 1 invalid byte (not UTF-8 text) with “\ufffd”.",)


def test_control_characters_are_dropped_but_newlines_and_tabs_kept():
    cleaned = clean_answer("one\x00 two\x07\r\nthree\rfour\tfive\x1b[31m red\x1b[0m\x9b")
    assert cleaned.text == "one two\nthree\nfour\tfive red"
    assert cleaned.notes == ("Dropped 5 control characters.",)  # an escape sequence counts as one


def test_nothing_but_spaces_or_control_characters_is_empty():
    for nothing in ("", "   \n\t", "\x00\x01\x02", "\x1b[D\x1b[C \r\n"):
        assert clean_answer(nothing).empty


def test_a_long_answer_is_graded_on_its_first_words_and_kept_whole():
    text = " ".join(f"w{n}" for n in range(12_345))
    cleaned = clean_answer(text)
    assert cleaned.text == text
    assert cleaned.graded.split() == text.split()[:MAX_WORDS]
    assert cleaned.notes == ("Long answer: graded the first 5,000 words of 12,345; the whole answer is kept "
                             "in the history.",)


def test_exactly_the_word_cap_is_not_cut():
    text = " ".join(["word"] * MAX_WORDS)
    assert clean_answer(text).graded == text and not clean_answer(text).notes


def test_a_paste_without_spaces_is_cut_at_the_character_cap():
    text = "x" * 1_000_000
    cleaned = clean_answer(text)
    assert cleaned.text == text and cleaned.graded == "x" * MAX_CHARACTERS
    assert cleaned.notes == ("Long answer: graded the first 40,000 characters of 1,000,000 (at most 40,000); "
                             "the whole answer is kept in the history.",)


def test_the_character_cap_leaves_out_a_word_cut_in_half_and_leading_spaces():
    word = "abcdefghijklmnopqrstuvwxyz"  # 27 characters with its space: the cap falls inside a word
    text = " " * 50_000 + f"{word} " * 3000
    cleaned = clean_answer(text)
    assert cleaned.graded.split() == [word] * (MAX_CHARACTERS // (len(word) + 1))
    assert len(cleaned.graded) <= MAX_CHARACTERS and cleaned.text == text
    assert cleaned.notes[0].startswith("Long answer: graded the first 39,986 characters of 131,000")


def test_every_note_at_once_in_order():
    text = f"{INVALID_BYTE}\x00 " + "word " * 6000
    assert [note.split()[0] for note in clean_answer(text).notes] == ["Replaced", "Dropped", "Long"]

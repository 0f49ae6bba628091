"""The parsers turn both seed formats into clean draft questions, none lost, none invented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interviewer.corpus import load_taxonomy
from interviewer.errors import CorpusError
from interviewer.ingest import parse_document
from interviewer.ingest.cleaning import clean_block, clean_line

from .conftest import CORPUS, SOURCES

NOISE = [
    "Login to view more content", "New cards", "Author: admin", "| Medium", "Medium", "on X:",
    "Chris Albon", "Quora", "Codecademy", "Download Scientific Diagram", "Explained", "Below shows",
    "The image below", "Step by Step", "Calculus in Action", "\\huge", "\\large", "Studied by",
]


@pytest.fixture(scope="module")
def drafts():
    taxonomy = list(load_taxonomy(CORPUS))
    return [q for path in sorted(SOURCES.glob("*.txt")) for q in parse_document(path, taxonomy)]


def expected_ids() -> list[str]:
    """Ids read straight off the raw documents: item headers, and the deck's 37 cards."""
    headers = re.compile(r"^\s*•\s+((?:ML|DL)\d{4})\s", re.MULTILINE)
    items = [m for path in SOURCES.glob("00[0-3]_*.txt") for m in headers.findall(path.read_text())]
    return items + [f"F004-{n:02d}" for n in range(1, 38)]


def test_every_seed_item_is_parsed_once(drafts):
    ids = [q.id for q in drafts]
    assert len(ids) == 77
    assert sorted(ids) == sorted(expected_ids())
    assert min(i for i in ids if i.startswith("ML")) == "ML0016"
    assert max(i for i in ids if i.startswith("ML")) == "ML0047"
    assert {i for i in ids if i.startswith("DL")} == {f"DL{n:04d}" for n in range(5, 19)}


def test_no_noise_survives(drafts):
    for question in drafts:
        text = "\n".join([question.question, question.reference, *question.key_points])
        for noise in NOISE:
            assert noise not in text, f"{question.id} still has {noise!r}"


def test_qa_items_keep_question_answer_and_numbered_points(drafts):
    by_id = {q.id: q for q in drafts}
    nan = by_id["DL0018"]
    assert nan.question == "What are the common causes for a deep learning model to output NaN values?"
    assert nan.title == "NaN Values"
    assert len(nan.key_points) == 5
    assert nan.key_points[0].startswith("Exploding Gradients:")
    assert by_id["ML0025"].key_points[0].startswith("Deep Architectures:")
    assert nan.source.file.startswith("000_") and nan.source.position > 0


def test_formulas_stay_readable(drafts):
    reference = {q.id: q for q in drafts}["ML0023"].reference
    assert "\\theta = \\theta - \\alpha \\nabla J(\\theta)" in reference
    assert "{\\huge" not in reference


def test_flashcards_are_numbered_by_card(drafts):
    by_id = {q.id: q for q in drafts}
    assert by_id["F004-01"].question == "What is deep learning?"
    assert by_id["F004-37"].question.startswith("What is Adam")
    assert "combines the best properties of the AdaGrad and RMSprop" in by_id["F004-37"].reference


def test_key_points_are_between_two_and_eight_where_the_answer_allows(drafts):
    for question in drafts:
        assert 1 <= len(question.key_points) <= 8, question.id


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("return zero.Vanishing Gradient Problem, ExplainedThe derivative", "return zero. The derivative"),
        ("Adam).Backpropagation Step by StepHere, w is a weight", "Adam). Here, w is a weight"),
        ("Adam combines the best properties of the AdaGrad and RMSprop algorithms",
         "Adam combines the best properties of the AdaGrad and RMSprop algorithms"),
        ("RNNAs you can see here", "As you can see here"),
        ("RMSprop adjusts the learning rate", "RMSprop adjusts the learning rate"),
        ("RMSProp divides by a running average", "RMSProp divides by a running average"),
        ("{\\large \\sigma(z) = \\displaystyle\\frac{1}{1 + e^{-z}}}", "\\sigma(z) = \\frac{1}{1 + e^{-z}}"),
    ],
)
def test_glued_captions_and_latex_sizing_are_removed(raw, clean):
    assert clean_line(raw) == clean


def test_caption_and_chrome_lines_are_dropped():
    lines = ["Text one.", "Below shows a perceptron diagram.", "Levi on X: \"4 Leaky ReLU ...",
             "A brief on activation functions | by Aarin Singh | Medium", "Login to view more content",
             "Text two."]
    assert clean_block(lines) == ["Text one.", "Text two."]


def test_a_users_own_qa_page_is_parsed(tmp_path: Path):
    page = tmp_path / "mine.txt"
    page.write_text(
        "  • ZZ0001 Dropout\n\n    What does dropout do?\n\n    Answer\n\n"
        "    Dropout zeroes random activations during training.\n"
        "    (1) Regularizes: It reduces co-adaptation of neurons.\n"
        "    (2) Inference: It is turned off at test time.\n\n    Login to view more content\n"
    )
    [question] = parse_document(page, list(load_taxonomy(CORPUS)))
    assert question.id == "ZZ0001"
    assert question.key_points == ("Regularizes: It reduces co-adaptation of neurons.",
                                   "Inference: It is turned off at test time.")
    assert "Login" not in question.reference


def test_unknown_format_names_the_file(tmp_path: Path):
    doc = tmp_path / "notes.txt"
    doc.write_text("just some prose without any questions\n")
    with pytest.raises(CorpusError, match="notes.txt: no questions found"):
        parse_document(doc, list(load_taxonomy(CORPUS)))


def test_a_deck_missing_cards_is_an_error(tmp_path: Path):
    deck = tmp_path / "007_deck.txt"
    deck.write_text("3 Terms\n\n1\nNew cards\n\nWhat is AI?\n\nMachines that think.\n\n"
                    "2\nNew cards\n\nWhat is ML?\n\nLearning from data.\n")
    with pytest.raises(CorpusError, match="says 3 terms but 2 were found"):
        parse_document(deck, list(load_taxonomy(CORPUS)))

"""The FAISS index is cached per bank content and model, rebuilt on any edit, and finds by meaning."""

from __future__ import annotations

import pytest
import yaml

from interviewer.corpus import load_bank
from interviewer.index import NOT_BUILT, check_index, index_folder, open_index
from interviewer.selection import UnknownTopicError, select_questions, tag_for


def test_index_is_cached_then_rebuilt_after_an_edit(bank_copy, embedder, tmp_path):
    cache = tmp_path / "cache"
    first = load_bank(bank_copy)
    assert check_index(first, embedder, cache) == [NOT_BUILT]
    open_index(first, embedder, cache)
    assert check_index(first, embedder, cache) == []
    assert (index_folder(first, embedder, cache) / "questions.faiss").is_file()

    path = bank_copy / "qa-000.yaml"
    entries = yaml.safe_load(path.read_text())
    entries[0]["question"] = "Why would a transformer's attention weights turn into NaN?"
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True))
    edited = load_bank(bank_copy)
    assert edited.content_hash != first.content_hash
    assert check_index(edited, embedder, cache) == [NOT_BUILT]

    rebuilt = open_index(edited, embedder, cache)
    assert check_index(edited, embedder, cache) == []
    assert rebuilt.search("attention weights becoming NaN", 1)[0].question.id == "DL0018"


def test_search_finds_by_meaning(index):
    assert index.search("What does the Adam optimizer do?", 1)[0].question.id == "F004-37"
    top = [h.question.id for h in index.search("stop training when validation loss stops improving", 3)]
    assert "ML0042" in top


@pytest.mark.parametrize("topic", ["optimizers", "Optimizer", "OPTIMIZERS", "optim"])
def test_topic_tags_match_loosely(bank, topic):
    assert tag_for(bank, topic) == "optimizers"


def test_tagged_topic_needs_no_index(bank):
    def no_index():
        raise AssertionError("a tagged topic must not load the index")

    chosen = select_questions(bank, ["optimizers"], no_index)
    assert chosen and all("optimizers" in q.topics for q in chosen)


@pytest.mark.parametrize(
    ("topic", "expected"),
    [("adam", "F004-37"), ("overfitting", "ML0042"), ("attention", "DL0012"),
     ("vanishing gradients", "ML0024"), ("weight initialization", "ML0033")],
)
def test_free_text_topics_pick_questions_by_meaning(bank, index, topic, expected):
    chosen = [q.id for q in select_questions(bank, [topic], lambda: index)]
    assert expected in chosen
    assert len(chosen) < len(bank.questions) / 2


def test_an_unknown_topic_lists_the_topics(bank, index):
    with pytest.raises(UnknownTopicError, match="topics are: optimizers, gradients-backprop"):
        select_questions(bank, ["medieval tapestry weaving"], lambda: index)

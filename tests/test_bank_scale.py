"""A large bank stays fast (issue 17): its questions are searched through an HNSW graph, the grading vectors
are embedded when a question is first graded, a build embeds shortest first and keeps the bank's order, and
benchmarks/bank_scale.py measures every figure. The real model and real FAISS; the threshold of a large bank
is lowered so that the shipped bank counts as one."""

from __future__ import annotations

import json
import subprocess
import sys

import faiss
import numpy as np

import interviewer.index as index_module
from interviewer.index import (
    HNSW_EF_SEARCH,
    LARGE_BANK,
    BankIndex,
    check_index,
    embed_with_progress,
    index_folder,
    open_index,
)
from interviewer.selection import select_questions

from .conftest import ROOT


def refuse_rebuild(message: str) -> None:
    raise AssertionError(f"the cached index should have loaded: {message}")


def test_a_large_bank_is_searched_through_an_hnsw_graph_that_is_cached(bank, embedder, tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "LARGE_BANK", 50)
    cache = tmp_path / "cache"
    built = open_index(bank, embedder, cache, quiet=True)
    assert isinstance(built.faiss_index, faiss.IndexHNSWFlat)
    assert built.faiss_index.metric_type == faiss.METRIC_INNER_PRODUCT
    assert built.faiss_index.hnsw.efSearch == HNSW_EF_SEARCH
    assert built.search("What does the Adam optimizer do?", 1)[0].question.id == "F004-37"
    folder = index_folder(bank, embedder, cache)
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "questions.faiss", "topics.npy"]

    reopened = open_index(bank, embedder, cache, warn=refuse_rebuild)
    assert isinstance(reopened.faiss_index, faiss.IndexHNSWFlat)
    assert reopened.search("What does the Adam optimizer do?", 1)[0].question.id == "F004-37"
    assert "F004-37" in [q.id for q in select_questions(bank, ["adam"], lambda: reopened)]

    monkeypatch.setattr(index_module, "LARGE_BANK", LARGE_BANK)
    assert check_index(bank, embedder, cache) == ["manifest.json: built from another bank, model or format"]


def test_ranking_the_whole_bank_through_a_graph_is_exact(index, monkeypatch):
    monkeypatch.setattr(index_module, "LARGE_BANK", 50)
    vectors = index.faiss_index.reconstruct_n(0, index.faiss_index.ntotal)
    graph = BankIndex(index.bank, index.embedder, index_module.question_index(vectors), index.topic_vectors)
    query = index.embedder.embed(["regularization and overfitting"])[0]
    ranked = graph.search_vector(query, len(index.bank.questions))
    assert len({h.question.id for h in ranked}) == len(index.bank.questions)
    assert np.allclose([h.score for h in ranked], np.sort(vectors @ query)[::-1], atol=1e-5)


class CountingEmbedder:
    """The real embedder, counting its calls."""

    def __init__(self, inner) -> None:
        self.inner, self.identity, self.calls = inner, inner.identity, 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return self.inner.embed(texts)


def test_grading_vectors_are_embedded_when_a_question_is_first_graded_and_kept(index, embedder):
    counting = CountingEmbedder(embedder)
    fresh = BankIndex(index.bank, counting, index.faiss_index, index.topic_vectors)
    assert counting.calls == 0
    question = index.bank.get("DL0018")
    key_points = fresh.texts_for("DL0018", "key_point")
    assert counting.calls == 1
    assert np.allclose(key_points, embedder.embed(list(question.key_points)), atol=1e-4)
    shapes = {kind: fresh.texts_for("DL0018", kind).shape for kind in ("question", "mistake", "reference")}
    assert shapes == {"question": (1, 384), "mistake": (4, 384), "reference": (9, 384)}
    assert fresh.texts_for("DL0018", "mistake") is fresh.texts_for("DL0018", "mistake")
    assert counting.calls == 1


def test_a_build_embeds_shortest_first_and_keeps_the_order_of_the_texts(embedder, monkeypatch):
    monkeypatch.setattr(index_module, "EMBED_BATCH", 2)
    texts = ["a much longer sentence about the Adam optimizer and its moments", "ReLU", "dropout layers",
             "batch normalization of activations", "loss"]
    assert np.allclose(embed_with_progress(embedder, texts, "Indexing", quiet=True), embedder.embed(texts),
                       atol=1e-4)


def test_the_bank_scale_benchmark_measures_every_figure(tmp_path):
    out = tmp_path / "bank_scale.json"
    subprocess.run([sys.executable, "benchmarks/bank_scale.py", "--questions", "60", "--queries", "10",
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True, text=True)
    result = json.loads(out.read_text())
    assert result["questions"] == 60 and result["index_type"] == "IndexFlatIP"
    build, load = result["build"], result["cached_load"]
    assert build["texts_embedded"] == 60 + 13 and build["ratio"] > 0 and build["cpu_ratio"] > 0
    assert build["grading_texts_per_question"] > 4
    assert set(build["on_disk_mb"]) == {"manifest.json", "questions.faiss", "topics.npy"}
    assert set(build["phases"]) == {"generate bank", "load bank", "load model", "raw encode", "build index",
                                    "save index"}
    assert set(load["phases"]) == {"load bank", "load model", "open cached index", "searches",
                                   "grading first use"}
    for row in [*build["phases"].values(), *load["phases"].values()]:
        assert row["seconds"] >= 0 and row["cpu_seconds"] >= 0 and row["peak_mb"] > 0
    for figures in (load["search_ms"]["faiss"], load["search_ms"]["whole"], load["grading_first_use_ms"]):
        assert 0 < figures["p50"] <= figures["p99"]
    assert load["recall_at_5"] == 1.0 and load["ef_search_sweep"] == {}  # exact search: no graph to tune
    assert load["grading_first_use_ms"]["questions"] == 1

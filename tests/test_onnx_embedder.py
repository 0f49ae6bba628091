"""The ONNX Runtime embedder: the same vectors as sentence-transformers, exported once and cached, and a
one-shot grade that never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interviewer.config import Settings, load_settings
from interviewer.embeddings import SentenceTransformerEmbedder, embedder_for, shipped_model_path
from interviewer.errors import ConfigError
from interviewer.index import grading_texts
from interviewer.onnx_embedder import OnnxEmbedder, onnx_path, runs_on_onnx

from .conftest import ROOT, shared_cache


@pytest.fixture(scope="module")
def torch_embedder():
    model = SentenceTransformerEmbedder()
    model.load()
    return model


def test_the_default_settings_embed_with_onnx_and_torch_when_asked_or_on_another_device(tmp_path):
    assert isinstance(embedder_for(Settings(cache_dir=tmp_path)), OnnxEmbedder)
    torch_one = embedder_for(Settings(cache_dir=tmp_path, embedding_runtime="torch"))
    on_gpu = embedder_for(Settings(cache_dir=tmp_path, device="cuda"))
    assert isinstance(torch_one, SentenceTransformerEmbedder)
    assert isinstance(on_gpu, SentenceTransformerEmbedder)
    assert torch_one.identity == embedder_for(Settings(cache_dir=tmp_path)).identity  # one cached index


def test_a_model_onnx_does_not_reproduce_embeds_with_torch(tmp_path):
    """A model pooled by its first token, not the mean, is left to sentence-transformers."""
    folder = tmp_path / "cls-model"
    for file in shipped_model_path().rglob("*"):
        target = folder / file.relative_to(shipped_model_path())
        if file.is_dir():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(file)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.unlink()
    pooling.write_text(json.dumps(config))
    assert runs_on_onnx(str(shipped_model_path())) and not runs_on_onnx(str(folder))
    chosen = embedder_for(Settings(model=str(folder), cache_dir=tmp_path))
    assert isinstance(chosen, SentenceTransformerEmbedder)


def test_an_unknown_runtime_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("INTERVIEWER_EMBEDDING_RUNTIME", "tensorflow")
    with pytest.raises(ConfigError, match="embedding_runtime.*onnx.*torch"):
        load_settings()


def test_onnx_gives_the_vectors_and_word_pieces_of_sentence_transformers(embedder, torch_embedder, bank):
    assert isinstance(embedder, OnnxEmbedder)
    odd = ["", "x" * 3000, "ReLU(x) = max(0, x) ≠ σ(x)"]
    grading = [text for q in bank.questions for group in grading_texts(q).values() for text in group]
    texts = grading[:300] + odd
    assert np.abs(embedder.embed(texts) - torch_embedder.embed(texts)).max() < 1e-5
    assert embedder.embed([]).shape == (0, 384)
    some = texts[:80] + odd
    ours, theirs = embedder.embed_tokens(some), torch_embedder.embed_tokens(some)
    assert [t.pieces for t in ours] == [t.pieces for t in theirs]
    assert max(np.abs(a.vectors - b.vectors).max() for a, b in zip(ours, theirs) if a.pieces) < 1e-5
    sentences = np.vstack([t.sentence for t in ours + theirs])  # each text's vector from the same pass
    assert np.abs(sentences - np.vstack([embedder.embed(some)] * 2)).max() < 1e-5
    assert len(ours[-2].pieces) < 256  # truncated as sentence-transformers truncates


def test_the_export_is_made_once_and_a_damaged_one_made_again(tmp_path, capfd):
    first = OnnxEmbedder("all-MiniLM-L6-v2", tmp_path)
    first.load()
    assert "Exporting the embedding model to ONNX" in capfd.readouterr().err
    path = onnx_path(first.location, tmp_path)
    made = path.stat().st_mtime_ns
    OnnxEmbedder("all-MiniLM-L6-v2", tmp_path).load()
    assert path.stat().st_mtime_ns == made and "Exporting" not in capfd.readouterr().err

    path.write_bytes(path.read_bytes()[: 1000])  # a disk that filled up half way through
    damaged = OnnxEmbedder("all-MiniLM-L6-v2", tmp_path)
    vector = damaged.embed(["Momentum keeps a moving average of past gradients."])
    assert "Exporting" in capfd.readouterr().err
    assert np.allclose(vector, first.embed(["Momentum keeps a moving average of past gradients."]), atol=1e-6)
    assert not list(path.parent.glob("*.partial-*"))


def test_a_one_shot_grade_never_imports_torch_once_the_model_is_exported(embedder, tmp_path_factory):
    """What makes `interviewer grade` start fast: neither torch nor sentence-transformers is imported."""
    script = ("import sys\nfrom interviewer.cli import cli\n"
              "try:\n    cli(['grade', '--question', 'F004-36', '--json', '--answer', "
              "'RMSProp divides the learning rate by a moving average of squared gradients.'])\n"
              "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
              "heavy = ('torch', 'sentence_transformers', 'transformers')\n"
              "print(sorted(m for m in heavy if m in sys.modules))")
    env = {**os.environ, "INTERVIEWER_CACHE_DIR": str(shared_cache(tmp_path_factory))}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    grade_json, imported = run.stdout.rsplit("\n", 2)[0], run.stdout.rsplit("\n", 2)[1]
    assert json.loads(grade_json)["score"] > 0
    assert imported == "[]"


def test_the_exported_file_lives_in_the_cache_folder_per_model(tmp_path):
    path = onnx_path(str(shipped_model_path()), tmp_path)
    assert path.is_relative_to(tmp_path) and path.name == "model.onnx"
    assert Path(str(path)).parent.name.startswith("model-")

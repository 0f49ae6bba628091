"""Shared fixtures: user folders in a temp dir, and one real model and index per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from interviewer.corpus import load_bank  # noqa: E402
from interviewer.embeddings import SentenceTransformerEmbedder  # noqa: E402
from interviewer.grading.offline import OfflineGrader  # noqa: E402
from interviewer.index import open_index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SOURCES = CORPUS / "sources"


@pytest.fixture(autouse=True)
def user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point config, data and cache folders at a temp dir and forget the user's settings and LLM server."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for name in list(os.environ):
        if name.startswith("INTERVIEWER_") or name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(shared_cache(tmp_path_factory)))
    return home


def shared_cache(factory: pytest.TempPathFactory) -> Path:
    """One index cache for the whole session, so the shipped bank is embedded once."""
    path = factory.getbasetemp() / "shared-cache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def bank():
    return load_bank(CORPUS)


@pytest.fixture(scope="session")
def embedder():
    model = SentenceTransformerEmbedder()
    model.load()
    return model


@pytest.fixture(scope="session")
def index(bank, embedder, tmp_path_factory):
    return open_index(bank, embedder, shared_cache(tmp_path_factory))


@pytest.fixture(scope="session")
def grader(index):
    return OfflineGrader(index)


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    """A copy of the shipped bank that a test may edit."""
    folder = tmp_path / "bank"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("sources"))
    return folder

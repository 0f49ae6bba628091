"""The bank's FAISS index: built once per bank content and model, cached on disk, searched by meaning."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interviewer.corpus import Bank
from interviewer.embeddings import Embedder
from interviewer.errors import BackendError
from interviewer.models import Question

FORMAT_VERSION = 4  # raised whenever what is indexed changes (here: how references are cut into sentences)
BATCH = 32


@dataclass(frozen=True)
class Hit:
    """A question found by a search, with its cosine similarity to the query."""

    question: Question
    score: float


def question_text(question: Question) -> str:
    """What a question is found by: its title, question and key points."""
    parts = [question.title, question.question, *question.key_points]
    return " ".join(p for p in parts if p)


def grading_texts(bank: Bank) -> list[tuple[str, str, str]]:
    """(question id, kind, text) for every key point, mistake and question the grader compares with."""
    rows = []
    for q in bank.questions:
        rows.append((q.id, "question", q.question))
        rows.extend((q.id, "key_point", text) for text in q.key_points)
        rows.extend((q.id, "mistake", text) for text in q.mistakes)
        rows.extend((q.id, "reference", text) for text in q.reference_sentences)
    return rows


def embed_with_progress(embedder: Embedder, texts: list[str], label: str, quiet: bool) -> np.ndarray:
    """Embed in batches behind a progress bar on stderr (none when quiet)."""
    from tqdm import tqdm

    chunks = []
    with tqdm(total=len(texts), desc=label, unit="text", file=sys.stderr, leave=False,
              disable=quiet) as bar:
        for start in range(0, len(texts), BATCH):
            chunk = texts[start : start + BATCH]
            chunks.append(embedder.embed(chunk))
            bar.update(len(chunk))
    return np.vstack(chunks) if chunks else np.zeros((0, 1), dtype=np.float32)


class BankIndex:
    """Vectors of a bank's questions, topics and grading texts, with a FAISS index over the questions."""

    def __init__(self, bank: Bank, embedder: Embedder, vectors: dict[str, np.ndarray]) -> None:
        import faiss

        self.bank = bank
        self.embedder = embedder
        self.vectors = vectors
        self.faiss_index = faiss.IndexFlatIP(vectors["questions"].shape[1])
        self.faiss_index.add(vectors["questions"])
        self._rows = {}
        for row, (qid, kind, _) in enumerate(grading_texts(bank)):
            self._rows.setdefault((qid, kind), []).append(row)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The k questions nearest in meaning to the query."""
        return self.search_vector(self.embedder.embed([query])[0], k)

    def search_vector(self, vector: np.ndarray, k: int) -> list[Hit]:
        """The k questions nearest to a unit vector."""
        k = min(k, len(self.bank.questions))
        scores, rows = self.faiss_index.search(vector.reshape(1, -1).astype(np.float32), k)
        return [Hit(self.bank.questions[r], float(s)) for s, r in zip(scores[0], rows[0]) if r >= 0]

    def topic_similarities(self, query_vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of a query to each topic's description."""
        scores = self.vectors["topics"] @ query_vector
        return {t.name: float(s) for t, s in zip(self.bank.taxonomy, scores)}

    def texts_for(self, question_id: str, kind: str) -> np.ndarray:
        """Cached vectors of a question's key points, mistakes, reference sentences or question text."""
        rows = self._rows.get((question_id, kind), [])
        return self.vectors["grading"][rows]


def cache_key(bank: Bank, embedder: Embedder) -> str:
    """A folder name that changes with the bank's content, the model, or the format."""
    safe_model = "".join(c if c.isalnum() or c in "-_." else "_" for c in embedder.identity)
    return f"v{FORMAT_VERSION}-{bank.content_hash}-{safe_model[-60:]}"


def build_vectors(bank: Bank, embedder: Embedder, quiet: bool = False) -> dict[str, np.ndarray]:
    """Embed everything the index holds."""
    texts = {
        "questions": [question_text(q) for q in bank.questions],
        "topics": [f"{t.name}: {t.description}" for t in bank.taxonomy],
        "grading": [text for _, _, text in grading_texts(bank)],
    }
    labels = {"questions": "Indexing questions", "topics": "Indexing topics",
              "grading": "Indexing key points"}
    return {name: embed_with_progress(embedder, rows, labels[name], quiet) for name, rows in texts.items()}


def save_vectors(folder: Path, vectors: dict[str, np.ndarray], manifest: dict) -> None:
    """Write the index folder atomically, so a crash never leaves a half-written cache."""
    import faiss

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".building-"))
    try:
        index = faiss.IndexFlatIP(vectors["questions"].shape[1])
        index.add(vectors["questions"])
        faiss.write_index(index, str(staging / "questions.faiss"))
        np.save(staging / "topics.npy", vectors["topics"])
        np.save(staging / "grading.npy", vectors["grading"])
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_vectors(folder: Path, manifest: dict) -> dict[str, np.ndarray] | None:
    """The cached vectors if the folder holds exactly this manifest's index, else None."""
    import faiss

    try:
        if json.loads((folder / "manifest.json").read_text()) != manifest:
            return None
        index = faiss.read_index(str(folder / "questions.faiss"))
        questions = index.reconstruct_n(0, index.ntotal)
        return {
            "questions": questions,
            "topics": np.load(folder / "topics.npy"),
            "grading": np.load(folder / "grading.npy"),
        }
    except (OSError, ValueError, RuntimeError):
        return None


def index_status(bank: Bank, embedder: Embedder, cache_dir: Path) -> tuple[Path, bool]:
    """The index folder for this bank and model, and whether a valid one is cached there."""
    folder = cache_dir / "index" / cache_key(bank, embedder)
    manifest = make_manifest(bank, embedder)
    try:
        fresh = json.loads((folder / "manifest.json").read_text()) == manifest
    except (OSError, ValueError):
        fresh = False
    return folder, fresh


def make_manifest(bank: Bank, embedder: Embedder) -> dict:
    """What an index folder must record to be reused."""
    return {
        "format": FORMAT_VERSION,
        "bank_hash": bank.content_hash,
        "model": embedder.identity,
        "questions": [q.id for q in bank.questions],
        "topics": [t.name for t in bank.taxonomy],
        "grading": [[qid, kind] for qid, kind, _ in grading_texts(bank)],
    }


def open_index(
    bank: Bank, embedder: Embedder, cache_dir: Path, rebuild: bool = False, quiet: bool = False
) -> BankIndex:
    """Load the cached index for this bank and model, building it first if absent or stale."""
    folder = cache_dir / "index" / cache_key(bank, embedder)
    manifest = make_manifest(bank, embedder)
    vectors = None if rebuild else load_vectors(folder, manifest)
    if vectors is None:
        vectors = build_vectors(bank, embedder, quiet)
        try:
            save_vectors(folder, vectors, manifest)
        except OSError as exc:
            raise BackendError(f"cannot write the index cache at {folder}: {exc}") from exc
    return BankIndex(bank, embedder, vectors)

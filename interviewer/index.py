"""The bank's FAISS index: built once per bank content and model, cached on disk, checked before it is
trusted, searched by meaning."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from interviewer.corpus import Bank
from interviewer.embeddings import Embedder
from interviewer.errors import BackendError
from interviewer.models import Question

# Raised whenever what is indexed or how it is stored changes (5: the manifest records sizes and checksums).
FORMAT_VERSION = 5
BATCH = 32
MANIFEST = "manifest.json"
FILES = {"questions": "questions.faiss", "topics": "topics.npy", "grading": "grading.npy"}
NOT_BUILT = "no index has been built there yet"


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
    return np.vstack(chunks) if chunks else embedder.embed([])


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


@dataclass(frozen=True)
class Manifest:
    """What an index folder records: what it was built from, and each file's size and sha256."""

    source: dict
    files: dict[str, dict]

    @classmethod
    def parse(cls, text: str) -> Manifest:
        """The manifest in TEXT; ValueError if it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict) or set(data) != {"source", "files"} \
                or not isinstance(data["files"], dict):
            raise ValueError("not an index manifest")
        return cls(**data)


def index_folder(bank: Bank, embedder: Embedder, cache_dir: Path) -> Path:
    """The folder of this bank folder's index with this model: named by the format, where the bank is, the
    model, and last the bank's content, which changes with any edit (see remove_stale)."""
    safe_model = "".join(c if c.isalnum() or c in "-_." else "_" for c in embedder.identity)
    place = hashlib.sha256(str(Path(bank.folder).resolve()).encode()).hexdigest()[:12]
    return Path(cache_dir) / "index" / f"v{FORMAT_VERSION}-{place}-{safe_model[-60:]}-{bank.content_hash}"


def make_source(bank: Bank, embedder: Embedder) -> dict:
    """What an index was built from; a cached one is used only if it records exactly this."""
    return {
        "format": FORMAT_VERSION,
        "bank_hash": bank.content_hash,
        "model": embedder.identity,
        "questions": [q.id for q in bank.questions],
        "topics": [t.name for t in bank.taxonomy],
        "grading": [[qid, kind] for qid, kind, _ in grading_texts(bank)],
    }


def build_index(bank: Bank, embedder: Embedder, quiet: bool = False) -> BankIndex:
    """Embed everything the index holds, in memory."""
    texts = {
        "questions": [question_text(q) for q in bank.questions],
        "topics": [f"{t.name}: {t.description}" for t in bank.taxonomy],
        "grading": [text for _, _, text in grading_texts(bank)],
    }
    labels = {"questions": "Indexing questions", "topics": "Indexing topics",
              "grading": "Indexing key points"}
    vectors = {name: embed_with_progress(embedder, rows, labels[name], quiet) for name, rows in texts.items()}
    return BankIndex(bank, embedder, vectors)


def serialize(name: str, vectors: np.ndarray) -> bytes:
    """The bytes of one cached file: a FAISS index of the questions, the other vectors as .npy."""
    import faiss

    if name == "questions":
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return faiss.serialize_index(index).tobytes()
    out = io.BytesIO()
    np.save(out, vectors, allow_pickle=False)
    return out.getvalue()


def deserialize(name: str, data: bytes) -> np.ndarray:
    """The vectors in one cached file's bytes."""
    import faiss

    if name == "questions":
        index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        return index.reconstruct_n(0, index.ntotal)
    return np.load(io.BytesIO(data), allow_pickle=False)


def save_index(index: BankIndex, cache_dir: Path) -> Path:
    """Write INDEX to its cache folder and remove the stale ones; BackendError if it cannot be written.

    The files are written to a temporary folder that then replaces the old one, the manifest (sizes and
    sha256 of every file) last: an interrupted write never leaves a folder that checks as current.
    """
    folder = index_folder(index.bank, index.embedder, cache_dir)
    blobs = {FILES[name]: serialize(name, index.vectors[name]) for name in FILES}
    records = {file: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
               for file, data in blobs.items()}
    manifest = Manifest(make_source(index.bank, index.embedder), records)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".writing-"))
        try:
            for file, data in blobs.items():
                (staging / file).write_bytes(data)
            (staging / MANIFEST).write_text(json.dumps(asdict(manifest), indent=1), encoding="utf-8")
            if folder.exists():
                os.replace(folder, folder.parent / f".old{staging.name}")
            os.replace(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise BackendError(f"cannot write the index cache at {folder}: {exc.strerror or exc}") from exc
    remove_stale(folder)
    return folder


def remove_stale(folder: Path) -> None:
    """Remove the index folders FOLDER replaces: those of the same bank folder and model built from an
    earlier content of the bank, those of older formats, and interrupted writes. The indexes of other
    banks and models stay, so switching between them does not rebuild. What cannot be removed stays."""
    current_format = f"v{FORMAT_VERSION}-"
    same_bank_and_model = folder.name.rsplit("-", 1)[0]
    for other in folder.parent.iterdir():
        replaced = other.name.rsplit("-", 1)[0] == same_bank_and_model
        if other == folder or (other.name.startswith(current_format) and not replaced):
            continue
        with contextlib.suppress(OSError):
            if other.is_dir() and not other.is_symlink():
                shutil.rmtree(other)
            else:
                other.unlink()


def read_file(path: Path, record: object) -> tuple[bytes | None, str | None]:
    """PATH's bytes if their size and sha256 are those RECORD (from the manifest) gives, else the problem."""
    if not isinstance(record, dict):
        return None, f"{path.name}: not in {MANIFEST}"
    try:
        size = path.stat().st_size
        if size != record.get("size"):
            return None, f"{path.name}: size {size}, expected {record.get('size')}"
        data = path.read_bytes()
    except FileNotFoundError:
        return None, f"{path.name}: missing"
    except OSError as exc:
        return None, f"{path.name}: unreadable ({exc.strerror or exc})"
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        return None, f"{path.name}: checksum differs from {MANIFEST}"
    return data, None


def load_file(folder: Path, name: str, record: object, shape: tuple[int, int]
              ) -> tuple[np.ndarray | None, str | None]:
    """The vectors of one cached file if its size, sha256 and SHAPE are right, else the problem."""
    file = FILES[name]
    data, problem = read_file(folder / file, record)
    if data is None:
        return None, problem
    try:
        vectors = deserialize(name, data)
    except Exception as exc:  # numpy and FAISS raise many kinds on a damaged file
        return None, f"{file}: cannot be loaded ({type(exc).__name__}: {' '.join(str(exc).split())[:100]})"
    if vectors.shape != shape or vectors.dtype != np.float32:
        return None, f"{file}: shape {vectors.shape} of {vectors.dtype}, expected {shape} of float32"
    return vectors, None


def load_vectors(bank: Bank, embedder: Embedder, folder: Path
                 ) -> tuple[dict[str, np.ndarray] | None, list[str]]:
    """The vectors cached in FOLDER if every check passes (manifest, sizes, checksums, shapes), else None
    and the problems found."""
    if not os.path.exists(folder):  # unlike Path.exists, False for a folder it may not look into
        return None, [NOT_BUILT]
    try:
        manifest = Manifest.parse((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [f"{MANIFEST}: missing"]
    except (OSError, ValueError, TypeError, RecursionError) as exc:
        return None, [f"{MANIFEST}: unreadable ({getattr(exc, 'strerror', None) or exc})"]
    if manifest.source != make_source(bank, embedder):
        return None, [f"{MANIFEST}: built from another bank, model or format"]
    dimension = embedder.embed([]).shape[1]
    rows = {"questions": len(bank.questions), "topics": len(bank.taxonomy),
            "grading": len(grading_texts(bank))}
    vectors, problems = {}, []
    for name, file in FILES.items():
        vectors[name], problem = load_file(folder, name, manifest.files.get(file), (rows[name], dimension))
        if problem:
            problems.append(problem)
    return (None if problems else vectors), problems


def check_index(bank: Bank, embedder: Embedder, cache_dir: Path) -> list[str]:
    """What stops the cached index for this bank and model from loading as it is; none when it is current."""
    return load_vectors(bank, embedder, index_folder(bank, embedder, cache_dir))[1]


def warn_on_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def open_index(bank: Bank, embedder: Embedder, cache_dir: Path, quiet: bool = False,
               warn: Callable[[str], None] = warn_on_stderr) -> BankIndex:
    """The cached index for this bank and model if it passes every check, else a new one, saved if the
    cache folder can be written; WARN says why a cache was rebuilt or not written (one line each)."""
    folder = index_folder(bank, embedder, cache_dir)
    vectors, problems = load_vectors(bank, embedder, folder)
    if vectors is not None:
        return BankIndex(bank, embedder, vectors)
    if problems != [NOT_BUILT]:
        warn(f"Index cache at {folder} was damaged ({'; '.join(problems)}); rebuilding.")
    index = build_index(bank, embedder, quiet)
    try:
        save_index(index, cache_dir)
    except BackendError as exc:
        warn(f"Warning: {exc}; the index is kept in memory for this run.")
    return index

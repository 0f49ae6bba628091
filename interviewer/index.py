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
from typing import TYPE_CHECKING

import numpy as np

from interviewer.corpus import Bank
from interviewer.embeddings import Embedder
from interviewer.errors import BackendError
from interviewer.models import Question

if TYPE_CHECKING:
    import faiss

# Raised whenever what is indexed or how it is stored changes (5: the manifest records sizes and checksums;
# 6: grading vectors are embedded on first use instead of stored, and a large bank's questions are searched
# through an HNSW graph).
FORMAT_VERSION = 6
MANIFEST = "manifest.json"
FILES = {"questions": "questions.faiss", "topics": "topics.npy"}
NOT_BUILT = "no index has been built there yet"

# Every tuned number of the index, and where it came from: benchmarks/bank_scale.py (see "Bank scale" in
# benchmarks/README.md) and probes of FAISS on the development machine, 2 cores shared with other work
# (faiss-cpu 1.15.1, all-MiniLM-L6-v2, 384 dimensions).
# Texts go to the embedder shortest first, EMBED_BATCH at a time, so a batch pads little: 4 of the
# sentence-transformers embedder's own batches of 64, enough that the cost of a call vanishes, few enough
# that the progress bar moves every few seconds even at 15 texts a second.
EMBED_BATCH = 256
# From LARGE_BANK questions on, the questions are searched through an HNSW graph instead of exactly. Exact
# search of one query took 0.2 ms at 5,000 rows and 0.6 ms at 9,000; from 10,000 rows on FAISS splits it
# over its threads, and with the other core busy a query then took a median of 6 to 24 ms (p99 14 to 36 ms)
# at 10,000 to 20,000 rows and 40 ms (p99 56 ms) at 100,000; even on one thread it grows with the bank (p99
# 4 ms at 30,000 random rows, 17 ms at 100,000). A query through the graph runs on one thread: p99 under
# 1 ms at 10,000 generated questions.
LARGE_BANK = 10_000
# The graph, chosen on the 10,000 questions of bank_scale.py against exact search (1,000 key points as
# queries; a fifth of them have their 5th and 6th questions within 0.001 of each other): 32 neighbours a
# node; 200 candidates while building (recall@5 0.996 at efSearch 128, against 0.992 with FAISS's default
# of 40, for 2.4 s of building instead of 0.7 s); 128 while searching (recall@5 0.957 at 32, 0.986 at 64,
# 0.996 at 128, 0.999 at 256; p50 0.37 ms, p99 0.55 ms at 128). M 16 and 48 recalled less or no more.
# Searches for more than HNSW_EF_SEARCH questions are exact (see BankIndex.search_vector).
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 128


@dataclass(frozen=True)
class Hit:
    """A question found by a search, with its cosine similarity to the query."""

    question: Question
    score: float


def question_text(question: Question) -> str:
    """What a question is found by: its title, question and key points."""
    parts = [question.title, question.question, *question.key_points]
    return " ".join(p for p in parts if p)


def grading_texts(question: Question) -> dict[str, tuple[str, ...]]:
    """The texts the grader compares an answer with, by kind: the question, its key points, known mistakes
    and reference sentences."""
    return {"question": (question.question,), "key_point": question.key_points,
            "mistake": question.mistakes, "reference": question.reference_sentences}


def embed_grading_texts(embedder: Embedder, question: Question) -> dict[str, np.ndarray]:
    """The vectors of a question's grading texts, by kind, embedded in one call."""
    groups = grading_texts(question)
    vectors = embedder.embed([text for texts in groups.values() for text in texts])
    ends = np.cumsum([len(texts) for texts in groups.values()])[:-1]
    return dict(zip(groups, np.split(vectors, ends)))


def embed_with_progress(embedder: Embedder, texts: list[str], label: str, quiet: bool,
                        batch: int = EMBED_BATCH) -> np.ndarray:
    """Embed shortest first, BATCH texts at a time, behind a progress bar on stderr (none when quiet);
    the rows come back in the order of TEXTS."""
    from tqdm import tqdm

    order = sorted(range(len(texts)), key=lambda row: len(texts[row]))
    chunks = []
    with tqdm(total=len(texts), desc=label, unit="text", file=sys.stderr, leave=False,
              disable=quiet) as bar:
        for start in range(0, len(order), batch):
            chunk = [texts[row] for row in order[start : start + batch]]
            chunks.append(embedder.embed(chunk))
            bar.update(len(chunk))
    if not chunks:
        return embedder.embed([])
    vectors = np.empty_like(chunks[0], shape=(len(texts), chunks[0].shape[1]))
    vectors[order] = np.vstack(chunks)
    return vectors


def question_index_type(count: int) -> str:
    """The FAISS index a bank of COUNT questions is searched through (see LARGE_BANK)."""
    return "IndexHNSWFlat" if count >= LARGE_BANK else "IndexFlatIP"


def question_index(vectors: np.ndarray) -> faiss.Index:
    """A FAISS index over the question vectors, by inner product: exact, or an HNSW graph for a large bank."""
    import faiss

    if question_index_type(len(vectors)) == "IndexFlatIP":
        index = faiss.IndexFlatIP(vectors.shape[1])
    else:
        index = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(vectors)
    return index


class BankIndex:
    """A FAISS index over a bank's questions, its topics' vectors, and each question's grading vectors,
    embedded when the question is first graded and kept."""

    def __init__(self, bank: Bank, embedder: Embedder, questions: faiss.Index, topics: np.ndarray) -> None:
        import faiss

        self.bank = bank
        self.embedder = embedder
        self.faiss_index = questions
        self.topic_vectors = topics
        self.exact_index = questions
        if isinstance(questions, faiss.IndexHNSW):
            questions.hnsw.efSearch = HNSW_EF_SEARCH
            self.exact_index = faiss.downcast_index(questions.storage)  # the graph's own flat vectors
        self._grading: dict[str, dict[str, np.ndarray]] = {}

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The k questions nearest in meaning to the query."""
        return self.search_vector(self.embedder.embed([query])[0], k)

    def search_vector(self, vector: np.ndarray, k: int) -> list[Hit]:
        """The k questions nearest to a unit vector: through the index, or exactly when k is more than an
        HNSW graph searches well (choosing by meaning ranks the whole bank)."""
        k = min(k, len(self.bank.questions))
        index = self.faiss_index if k <= HNSW_EF_SEARCH else self.exact_index
        scores, rows = index.search(vector.reshape(1, -1).astype(np.float32), k)
        return [Hit(self.bank.questions[r], float(s)) for s, r in zip(scores[0], rows[0]) if r >= 0]

    def topic_similarities(self, query_vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of a query to each topic's description."""
        scores = self.topic_vectors @ query_vector
        return {t.name: float(s) for t, s in zip(self.bank.taxonomy, scores)}

    def texts_for(self, question_id: str, kind: str) -> np.ndarray:
        """Vectors of a question's key points, mistakes, reference sentences or question text; all of the
        question's are embedded together the first time one is asked for."""
        if question_id not in self._grading:
            self._grading[question_id] = embed_grading_texts(self.embedder, self.bank.get(question_id))
        return self._grading[question_id][kind]


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
        "question_index": question_index_type(len(bank.questions)),
    }


def index_texts(bank: Bank) -> dict[str, list[str]]:
    """The texts a build embeds: each question's, and each topic's name and description."""
    return {"questions": [question_text(q) for q in bank.questions],
            "topics": [f"{t.name}: {t.description}" for t in bank.taxonomy]}


def build_index(bank: Bank, embedder: Embedder, quiet: bool = False) -> BankIndex:
    """Embed the questions and topics and index the questions, in memory."""
    texts = index_texts(bank)
    questions = embed_with_progress(embedder, texts["questions"], "Indexing questions", quiet)
    topics = embed_with_progress(embedder, texts["topics"], "Indexing topics", quiet)
    return BankIndex(bank, embedder, question_index(questions), topics)


def serialize(index: BankIndex) -> dict[str, bytes]:
    """The bytes of each cached file: the questions' FAISS index, the topics' vectors as .npy."""
    import faiss

    topics = io.BytesIO()
    np.save(topics, index.topic_vectors, allow_pickle=False)
    return {FILES["questions"]: faiss.serialize_index(index.faiss_index).tobytes(),
            FILES["topics"]: topics.getvalue()}


def deserialize(name: str, data: bytes) -> faiss.Index | np.ndarray:
    """What one cached file's bytes hold: the questions' FAISS index, or the topics' vectors."""
    import faiss

    if name == "questions":
        return faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
    return np.load(io.BytesIO(data), allow_pickle=False)


def layout(loaded: faiss.Index | np.ndarray) -> str:
    """What a loaded file holds, in words: a FAISS index or an array, and its shape."""
    if isinstance(loaded, np.ndarray):
        return f"{loaded.dtype} array of shape {loaded.shape}"
    return f"{type(loaded).__name__} of shape ({loaded.ntotal}, {loaded.d})"


def save_index(index: BankIndex, cache_dir: Path) -> Path:
    """Write INDEX to its cache folder and remove the stale ones; BackendError if it cannot be written.

    The files are written to a temporary folder that then replaces the old one, the manifest (sizes and
    sha256 of every file) last: an interrupted write never leaves a folder that checks as current.
    """
    folder = index_folder(index.bank, index.embedder, cache_dir)
    blobs = serialize(index)
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


def load_file(folder: Path, name: str, record: object, expected: str
              ) -> tuple[faiss.Index | np.ndarray | None, str | None]:
    """What one cached file holds if its size, sha256 and layout (see layout) are right, else the problem."""
    file = FILES[name]
    data, problem = read_file(folder / file, record)
    if data is None:
        return None, problem
    try:
        loaded = deserialize(name, data)
    except Exception as exc:  # numpy and FAISS raise many kinds on a damaged file
        return None, f"{file}: cannot be loaded ({type(exc).__name__}: {' '.join(str(exc).split())[:100]})"
    if layout(loaded) != expected:
        return None, f"{file}: {layout(loaded)}, expected {expected}"
    return loaded, None


def load_cached(bank: Bank, embedder: Embedder, folder: Path) -> tuple[BankIndex | None, list[str]]:
    """The index cached in FOLDER if every check passes (manifest, sizes, checksums, layouts), else None and
    the problems found."""
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
    expected = {"questions": f"{question_index_type(len(bank.questions))} of shape "
                             f"({len(bank.questions)}, {dimension})",
                "topics": f"float32 array of shape ({len(bank.taxonomy)}, {dimension})"}
    loaded, problems = {}, []
    for name, file in FILES.items():
        loaded[name], problem = load_file(folder, name, manifest.files.get(file), expected[name])
        if problem:
            problems.append(problem)
    if problems:
        return None, problems
    return BankIndex(bank, embedder, loaded["questions"], loaded["topics"]), []


def check_index(bank: Bank, embedder: Embedder, cache_dir: Path) -> list[str]:
    """What stops the cached index for this bank and model from loading as it is; none when it is current."""
    return load_cached(bank, embedder, index_folder(bank, embedder, cache_dir))[1]


def warn_on_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def open_index(bank: Bank, embedder: Embedder, cache_dir: Path, quiet: bool = False,
               warn: Callable[[str], None] = warn_on_stderr) -> BankIndex:
    """The cached index for this bank and model if it passes every check, else a new one, saved if the
    cache folder can be written; WARN says why a cache was rebuilt or not written (one line each)."""
    folder = index_folder(bank, embedder, cache_dir)
    cached, problems = load_cached(bank, embedder, folder)
    if cached is not None:
        return cached
    if problems != [NOT_BUILT]:
        warn(f"Index cache at {folder} was damaged ({'; '.join(problems)}); rebuilding.")
    index = build_index(bank, embedder, quiet)
    try:
        save_index(index, cache_dir)
    except BackendError as exc:
        warn(f"Warning: {exc}; the index is kept in memory for this run.")
    return index

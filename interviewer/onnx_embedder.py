"""The Embedder on ONNX Runtime: the vectors of sentence-transformers (mean pooling, unit length) without
importing torch, from the model exported to ONNX once, with torch, and kept in the cache folder."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from interviewer.embeddings import (
    SentenceTransformerEmbedder,
    TokenVectors,
    model_identity,
    resolve_model,
    token_vectors,
)
from interviewer.errors import BackendError

ONNX_FOLDER = "onnx"
ONNX_FILE = "model.onnx"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# As sentence-transformers encodes: texts sorted by length, 64 a batch, so a batch pads little.
BATCH = 64
MEAN_POOLING = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False,
                "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}
MODULES = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
           "sentence_transformers.models.Normalize")


def runs_on_onnx(location: str) -> bool:
    """True when LOCATION is a sentence-transformers folder this embedder reproduces: a transformer with a
    fast tokenizer, then mean pooling (and, or not, normalisation); other models embed with torch."""
    folder = Path(location)
    try:
        modules = json.loads((folder / "modules.json").read_text())
        kinds = [m["type"] for m in modules]
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return False
    return (kinds[:2] == list(MODULES[:2]) and set(kinds[2:]) <= {MODULES[2]}
            and all(pooling.get(k, False) == v for k, v in MEAN_POOLING.items())
            and (folder / "tokenizer.json").is_file() and (folder / "sentence_bert_config.json").is_file())


def onnx_path(location: str, cache_dir: Path) -> Path:
    """Where the model at LOCATION is kept as ONNX: one file per model identity."""
    return cache_dir / ONNX_FOLDER / model_identity(location) / ONNX_FILE


def export_onnx(location: str, path: Path) -> None:
    """Export the transformer at LOCATION to PATH as ONNX (imports torch; about 15 s), atomically."""
    print("Exporting the embedding model to ONNX once, for fast starts (about 20 s)...", file=sys.stderr)
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # e.g. "torchvision is not installed"

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = LastHiddenState(AutoModel.from_pretrained(location)).eval()
    example = tuple(torch.ones(2, 8, dtype=torch.long) for _ in INPUTS)
    batch, length = torch.export.Dim("batch"), torch.export.Dim("length")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".partial-{os.getpid()}")
    try:
        # the exporter reports its steps on stdout, and warns of what does not concern a user
        with contextlib.redirect_stdout(sys.stderr), warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, example, str(partial), input_names=list(INPUTS),
                              output_names=["last_hidden_state"], dynamo=True, external_data=False,
                              dynamic_shapes={name: {0: batch, 1: length} for name in INPUTS}, verbose=False)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


class OnnxEmbedder:
    """Embeds with the model exported to ONNX (exported on first use when the cache lacks it).

    Safe to share between threads: the tokenizer's settings are fixed when it loads, and an ONNX Runtime
    session may run several batches at once. Where the export cannot be written (a read-only cache), it
    embeds with torch for the run, as the SentenceTransformerEmbedder does.
    """

    def __init__(self, model: str, cache_dir: Path, threads: int | None = None) -> None:
        self.location = resolve_model(model)
        self.threads = threads  # per call (None: one per core)
        self.identity = model_identity(self.location)  # the same vectors as the torch model's
        self.path = onnx_path(self.location, cache_dir)
        self._session = None
        self._tokenizer = None
        self._special: set[str] = set()
        self._torch: SentenceTransformerEmbedder | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the exported model now, exporting it first if it is not cached; later calls do nothing."""
        if self._session is not None or self._torch is not None:
            return  # loaded: calls run at once, unlocked
        with self._lock:
            if self._session is None and self._torch is None:
                try:
                    self._load()
                except OSError as exc:
                    print(f"Warning: cannot write the embedding model's ONNX export at {self.path}: "
                          f"{exc.strerror or exc}; embedding with torch for this run.", file=sys.stderr)
                    self._torch = SentenceTransformerEmbedder(self.location, threads=self.threads)
                    self._torch.load()

    def _load(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        folder = Path(self.location)
        limit = json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", 512)
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=limit)
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only
        options.intra_op_num_threads = self.threads or 0
        # Idle worker threads sleep instead of spinning, leaving the CPU to the grader's other threads
        # (benchmarks/speed.py, row "together").
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        for attempt in ("cached", "exported"):
            if attempt == "exported" or not self.path.is_file():
                export_onnx(self.location, self.path)
            try:
                session = onnxruntime.InferenceSession(str(self.path), options,
                                                       providers=["CPUExecutionProvider"])
                break
            except Exception as exc:  # a damaged cached file is exported again, once
                if attempt == "exported":
                    raise BackendError(f"cannot load the embedding model exported to {self.path}: {exc}") \
                        from exc
                self.path.unlink(missing_ok=True)
        special = json.loads((folder / "special_tokens_map.json").read_text()) \
            if (folder / "special_tokens_map.json").is_file() else {}
        self._special = {v if isinstance(v, str) else v.get("content", "") for v in special.values()}
        self._tokenizer = tokenizer
        self._session = session  # last: a thread that sees it loaded finds the rest in place

    @property
    def dimension(self) -> int:
        self.load()
        return self._session.get_outputs()[0].shape[-1]

    def _hidden_states(self, texts: list[str]) -> Iterator[tuple[list[int], list, np.ndarray, np.ndarray]]:
        """For each batch of TEXTS, longest first: their positions, encodings, attention masks and the
        transformer's last hidden states."""
        self.load()
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            encodings = self._tokenizer.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            (hidden,) = self._session.run(None, feed)
            yield rows, encodings, mask, hidden

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors for the texts: the mean of each text's token vectors."""
        self.load()
        if self._torch is not None:
            return self._torch.embed(texts)
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for rows, _, mask, hidden in self._hidden_states(texts):
            summed = (hidden * mask[..., None]).sum(axis=1)
            means = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            result[rows] = means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return result

    def embed_tokens(self, texts: list[str]) -> list[TokenVectors]:
        """Each text's word pieces with the model's last-layer vectors for them, L2-normalised."""
        self.load()
        if self._torch is not None:
            return self._torch.embed_tokens(texts)
        result: list[TokenVectors | None] = [None] * len(texts)
        for rows, encodings, mask, hidden in self._hidden_states(texts):
            for row, encoding, length, vectors in zip(rows, encodings, mask.sum(axis=1), hidden):
                result[row] = token_vectors(encoding.tokens[:length], vectors[:length], self._special)
        return result

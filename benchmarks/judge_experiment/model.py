"""The pair judge: does a text (an answer, or one of its statements) entail a claim, contradict it, or
not address it?

A cross-encoder on the shipped all-MiniLM-L6-v2: the text and the claim are read together, the token
vectors of the last layer are averaged, and a linear head gives the three outcomes. Only the top
TRAINED_LAYERS layers and the head are trained (train.py, which says on what); the weights are loaded
over the shipped model. An experiment for issue 11, third round, not shipped: see "A learned pair judge,
third round" in benchmarks/README.md. torch is imported only when the first pair is judged.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from interviewer.embeddings import shipped_model_path
from interviewer.errors import BackendError

OUTCOMES = ("entailed", "contradicted", "not addressed")
ENTAILED, CONTRADICTED, NOT_ADDRESSED = range(3)
TRAINED_LAYERS = 3  # the top encoder layers fine-tuned; the lower ones stay as shipped
MAX_TOKENS = 256  # text and claim together, cut from the text's end: the dev answers' 99th percentile is 280
BATCH_SIZE = 32
WEIGHTS = Path(__file__).resolve().parents[2] / ".experiments" / "judge" / "judge.safetensors"  # uncommitted


def build_model(base: Path):
    """The shipped encoder with a fresh three-way head."""
    import torch
    from transformers import AutoModel

    class PairClassifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base))
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(OUTCOMES))

        def forward(self, input_ids, attention_mask, token_type_ids):
            tokens = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return self.head(pooled)

    return PairClassifier()


def trained_names(model, trained_layers: int = TRAINED_LAYERS) -> list[str]:
    """The parameters that are trained and shipped: the top TRAINED_LAYERS layers and the head."""
    layers = model.encoder.config.num_hidden_layers
    top = tuple(f"encoder.encoder.layer.{i}." for i in range(layers - trained_layers, layers))
    return [name for name, _ in model.named_parameters() if name.startswith(top) or name.startswith("head.")]


class PairJudge:
    """Judges (text, claim) pairs in batches. Safe to share between threads; loaded on first use."""

    def __init__(self, weights: Path = WEIGHTS, base: Path | None = None) -> None:
        self.weights = Path(weights)
        self.base = base
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        import torch
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        if not self.weights.is_file():
            raise BackendError(f"{self.weights}: no judge weights; train them with train.py")
        base = self.base or shipped_model_path()
        model = build_model(base)
        trained = load_file(str(self.weights))
        missing = set(trained_names(model)) - set(trained)
        if missing:
            raise BackendError(f"{self.weights}: the judge's weights lack {sorted(missing)[0]}")
        model.load_state_dict({k: v.float() for k, v in trained.items()}, strict=False)
        model.eval()
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(str(base))
        self._model = model

    def probabilities(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """For each (text, claim): the probabilities of OUTCOMES, one row per pair."""
        if not pairs:
            return np.zeros((0, len(OUTCOMES)), dtype=np.float32)
        with self._lock:
            if self._model is None:
                self._load()
            torch = self._torch
            rows = []
            with torch.inference_mode():
                for start in range(0, len(pairs), BATCH_SIZE):
                    batch = pairs[start : start + BATCH_SIZE]
                    encoded = self._tokenizer(
                        [text for text, _ in batch],
                        [claim for _, claim in batch],
                        padding=True,
                        truncation="only_first",
                        max_length=MAX_TOKENS,
                        return_tensors="pt",
                    )
                    logits = self._model(
                        encoded["input_ids"], encoded["attention_mask"], encoded["token_type_ids"]
                    )
                    rows.append(torch.softmax(logits, dim=-1).numpy())
        return np.concatenate(rows).astype(np.float32)

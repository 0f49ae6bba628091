"""The pair judge: does a statement entail a claim, contradict it, or not address it?

A cross-encoder on the shipped all-MiniLM-L6-v2: the statement and the claim are read together, the
token vectors of the last layer are averaged, and a linear head gives the three outcomes. Only the top
TRAINED_LAYERS layers and the head were trained (benchmarks/train_judge.py); they ship in
a safetensors file loaded over the shipped model, so nothing is downloaded.

An experiment for issue 11, not shipped: see "A learned pair judge, second round" in benchmarks/README.md.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

OUTCOMES = ("entailed", "contradicted", "not addressed")
ENTAILED, CONTRADICTED, NOT_ADDRESSED = range(3)
TRAINED_LAYERS = 3  # the top encoder layers fine-tuned; the lower ones stay as shipped
MAX_TOKENS = 160  # statement and claim together; longer pairs are cut from the statement's end
WEIGHTS = Path(__file__).resolve().parents[2] / ".experiments" / "judge.safetensors"  # never committed


def build_model(base: Path):
    """The shipped encoder with a fresh three-way head (torch imported only when a judge is built)."""
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


def trained_names(model) -> list[str]:
    """The parameters that are trained and shipped: the top layers and the head."""
    layers = model.encoder.config.num_hidden_layers
    top = tuple(f"encoder.encoder.layer.{i}." for i in range(layers - TRAINED_LAYERS, layers))
    return [name for name, _ in model.named_parameters() if name.startswith(top) or name.startswith("head.")]


class PairJudge:
    """Judges (statement, claim) pairs in batches; the model is loaded on first use."""

    def __init__(
        self, base: Path, weights: Path = WEIGHTS, batch_size: int = 64, max_tokens: int = MAX_TOKENS
    ) -> None:
        self.base = Path(base)
        self.weights = Path(weights)
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        import torch
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        model = build_model(self.base)
        trained = load_file(str(self.weights))
        missing = set(trained_names(model)) - set(trained)
        if missing:
            raise ValueError(f"{self.weights}: the judge's weights lack {sorted(missing)[0]}")
        model.load_state_dict({k: v.float() for k, v in trained.items()}, strict=False)
        model.eval()
        self._tokenizer = AutoTokenizer.from_pretrained(str(self.base))
        self._model = model
        self._torch = torch

    def probabilities(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """For each (statement, claim): the probabilities of OUTCOMES, one row per pair."""
        if not pairs:
            return np.zeros((0, len(OUTCOMES)), dtype=np.float32)
        with self._lock:
            if self._model is None:
                self._load()
        torch = self._torch
        rows = []
        with torch.inference_mode():
            for start in range(0, len(pairs), self.batch_size):
                batch = pairs[start : start + self.batch_size]
                encoded = self._tokenizer(
                    [s for s, _ in batch],
                    [c for _, c in batch],
                    padding=True,
                    truncation="only_first",
                    max_length=self.max_tokens,
                    return_tensors="pt",
                )
                logits = self._model(
                    encoded["input_ids"], encoded["attention_mask"], encoded["token_type_ids"]
                )
                rows.append(torch.softmax(logits, dim=-1).numpy())
        return np.concatenate(rows).astype(np.float32)

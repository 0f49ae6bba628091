"""Train the pair judge (model.py) on CPU, reproducibly, and write its weights.

    .venv/bin/python benchmarks/judge_experiment/train.py [--out .experiments/judge.safetensors] [--epochs 1]

The data is pairs.py's: SemEval-2013's training splits and pairs made from the bank.
Only the top TRAINED_LAYERS encoder layers and the head are trained and saved (float16); the rest is
the shipped all-MiniLM-L6-v2. Fixed seeds; on the 2-core development machine 2 epochs take about
25 minutes. Test splits are never read here.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

import numpy as np  # noqa: E402
import torch  # noqa: E402
from model import MAX_TOKENS, WEIGHTS, build_model, trained_names  # noqa: E402
from pairs import training_pairs  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from tqdm import tqdm  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

from interviewer.embeddings import SentenceTransformerEmbedder, shipped_model_path  # noqa: E402
from interviewer.evaluation.datasets import default_data_dir  # noqa: E402

SEED = 13
BATCH_SIZE = 32
LAYER_LEARNING_RATE = 4e-5
HEAD_LEARNING_RATE = 1e-3
WARMUP_SHARE = 0.06


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--limit", type=int, default=0, help="train on the first N pairs only (a smoke test)")
    args = parser.parse_args()

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    pairs = training_pairs(args.data, SEED, SentenceTransformerEmbedder(str(shipped_model_path())))
    if args.limit:
        pairs = pairs[: args.limit]
    base = shipped_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = build_model(base)
    trained = set(trained_names(model))
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name in trained
    optimizer = torch.optim.AdamW(
        [
            {
                "params": [
                    p for n, p in model.named_parameters() if n in trained and not n.startswith("head.")
                ],
                "lr": LAYER_LEARNING_RATE,
            },
            {"params": model.head.parameters(), "lr": HEAD_LEARNING_RATE},
        ],
        weight_decay=0.01,
    )
    steps = args.epochs * math.ceil(len(pairs) / BATCH_SIZE)
    warmup = int(WARMUP_SHARE * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / max(1, warmup)) * max(0.0, (steps - step) / steps)
    )
    loss_function = torch.nn.CrossEntropyLoss()
    print(f"{len(pairs)} pairs, {args.epochs} epochs, {steps} steps, {len(trained)} trained tensors")
    started = time.time()
    model.train()
    progress = tqdm(total=steps, unit="batch")
    for epoch in range(args.epochs):
        order = list(range(len(pairs)))
        random.Random(SEED + epoch).shuffle(order)
        running = 0.0
        for count, start in enumerate(range(0, len(order), BATCH_SIZE), 1):
            batch = [pairs[i] for i in order[start : start + BATCH_SIZE]]
            encoded = tokenizer(
                [p.statement for p in batch],
                [p.claim for p in batch],
                padding=True,
                truncation="longest_first",
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            logits = model(encoded["input_ids"], encoded["attention_mask"], encoded["token_type_ids"])
            loss = loss_function(logits, torch.tensor([p.outcome for p in batch]))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            running += loss.item()
            progress.update(1)
            progress.set_postfix(epoch=epoch + 1, loss=f"{running / count:.3f}")
    progress.close()
    state = {
        name: tensor.detach().to(torch.float16).contiguous()
        for name, tensor in model.state_dict().items()
        if name in trained
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_file(
        state,
        str(args.out),
        metadata={"seed": str(SEED), "pairs": str(len(pairs)), "epochs": str(args.epochs)},
    )
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB) in {(time.time() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()

"""Time the offline grader per answer on the shipped bank; prints a table and writes JSON.

    .venv/bin/python benchmarks/grader_speed.py [--out benchmarks/results/grader_speed.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from interviewer.config import load_settings  # noqa: E402
from interviewer.corpus import load_bank  # noqa: E402
from interviewer.embeddings import embedder_for  # noqa: E402
from interviewer.grading.offline import OfflineGrader  # noqa: E402
from interviewer.index import open_index  # noqa: E402

KINDS = ("one sentence", "key points joined", "whole reference")


def answers_for(bank) -> list[tuple[str, object, str]]:
    """Three answers per question: its first key point, its key points joined, its reference."""
    rows = []
    for q in bank.questions:
        texts = (q.key_points[0], " ".join(q.key_points), q.reference)
        rows += [(kind, q, text) for kind, text in zip(KINDS, texts)]
    return rows


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/grader_speed.json"))
    args = parser.parse_args()
    settings = load_settings()
    started = time.perf_counter()
    embedder = embedder_for(settings)
    embedder.load()
    load_s = time.perf_counter() - started
    bank = load_bank(settings.bank)
    started = time.perf_counter()
    grader = OfflineGrader(open_index(bank, embedder, settings.cache_dir))
    index_s = time.perf_counter() - started
    rows = answers_for(bank)
    grader.grade(*rows[0][1:])  # warm-up
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for kind, question, answer in rows:
        started = time.perf_counter()
        grader.grade(question, answer)
        timings[kind].append((time.perf_counter() - started) * 1000)
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "model": embedder.identity,
        "model_load_s": round(load_s, 2),
        "index_open_s": round(index_s, 2),
        "per_answer_ms": {
            kind: {"answers": len(ms), "median": round(statistics.median(ms), 1),
                   "p90": round(percentile(ms, 0.9), 1), "max": round(max(ms), 1)}
            for kind, ms in timings.items()
        },
    }
    print(f"{result['machine']}; model {result['model']}; load {load_s:.1f} s; index {index_s:.1f} s")
    print(f"{'answer':18s} {'n':>4s} {'median ms':>10s} {'p90 ms':>8s} {'max ms':>8s}")
    for kind, row in result["per_answer_ms"].items():
        print(f"{kind:18s} {row['answers']:4d} {row['median']:10.1f} {row['p90']:8.1f} {row['max']:8.1f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

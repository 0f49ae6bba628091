"""Time and memory of the index of a large generated bank; prints a table and writes JSON.

    .venv/bin/python benchmarks/bank_scale.py [--questions 100000] [--queries 1000]
                                              [--out benchmarks/results/bank_scale.json]

The bank is written to a temporary folder, removed afterwards: each question recombines the shipped bank's
questions, key points and mistakes (the first words of one and the last words of another, cut at random with
a seeded RNG), with 2 to 4 key points, 0 to 2 mistakes and its key points as its reference. One process
loads it and the embedding model, then times a raw encode of exactly the texts a build embeds (shortest
first, RAW_BATCH a call), the build (`build_index`) and saving it (`save_index`), sampling each phase's peak
resident size. A fresh process, as at a user's next start, loads the bank and the model and opens the cached
index (`open_index`), then times searches for QUERIES key points of the bank: FAISS alone (`search_vector`)
and whole (`search`, which embeds the query), their recall@5 against exact search, and the first use of a
tenth as many questions' grading vectors (`texts_for`, embedded then).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from interviewer.config import load_settings  # noqa: E402
from interviewer.corpus import TAXONOMY_FILE, load_bank  # noqa: E402
from interviewer.embeddings import Embedder, embedder_for  # noqa: E402
from interviewer.index import (  # noqa: E402
    BankIndex,
    build_index,
    grading_texts,
    index_texts,
    open_index,
    save_index,
)
from interviewer.shipped import shipped_folder  # noqa: E402

SEED = 17
QUESTIONS_PER_FILE = 250  # about 7,750 values and 250 KB a file, within a bank file's limits (yaml_files.py)
RAW_BATCH = 4096  # texts a call in the raw encode; the embedder batches within a call
K = 5
EF_SEARCH_SWEEP = (32, 64, 128, 256)  # an HNSW graph's recall and speed are also measured at these


def crossed(texts: list[str], rng: random.Random) -> str:
    """The first words of one of TEXTS and the last words of another, each cut a third to two thirds in."""
    first, second = rng.choice(texts).split(), rng.choice(texts).split()
    cut_first = rng.randint(max(1, len(first) // 3), max(1, 2 * len(first) // 3))
    cut_second = rng.randint(len(second) // 3, max(len(second) // 3, 2 * len(second) // 3))
    return " ".join(first[:cut_first] + second[cut_second:])


def generate_bank(folder: Path, count: int) -> None:
    """Write a bank of COUNT questions recombined from the shipped bank's texts to FOLDER."""
    shipped = shipped_folder("corpus")
    bank = load_bank(shipped)
    pools = {"question": [q.question for q in bank.questions],
             "key_point": [k for q in bank.questions for k in q.key_points],
             "mistake": [m for q in bank.questions for m in q.mistakes],
             "title": [q.title for q in bank.questions if q.title]}
    topics = bank.topic_names()
    rng = random.Random(SEED)
    folder.mkdir(parents=True)
    (folder / TAXONOMY_FILE).write_bytes((shipped / TAXONOMY_FILE).read_bytes())
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for start in range(0, count, QUESTIONS_PER_FILE):
        entries = []
        for number in range(start, min(count, start + QUESTIONS_PER_FILE)):
            key_points = [crossed(pools["key_point"], rng) for _ in range(rng.randint(2, 4))]
            entries.append({
                "id": f"GEN{number:06d}", "title": rng.choice(pools["title"]),
                "question": crossed(pools["question"], rng), "reference": " ".join(key_points),
                "key_points": key_points, "topics": rng.sample(topics, rng.randint(1, 2)),
                "source": {"file": "generated.txt", "position": number}, "related": [],
                "mistakes": [crossed(pools["mistake"], rng) for _ in range(rng.randint(0, 2))]})
        text = yaml.dump(entries, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)
        (folder / f"generated-{start // QUESTIONS_PER_FILE:04d}.yaml").write_text(text, encoding="utf-8")


def rss_mb() -> float:
    """This process's resident size now, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def phase(phases: dict, name: str) -> Iterator[None]:
    """Record the block's seconds, the CPU seconds of all this process's threads (steadier than seconds on a
    busy machine) and its peak resident size (sampled every 10 ms) as PHASES[NAME]."""
    peak, done = [rss_mb()], threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    yield
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    done.set()
    sampler.join()
    phases[name] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
                    "peak_mb": round(max(peak[0], rss_mb()))}


def loaded_embedder() -> Embedder:
    """The embedder the settings name, loaded and warmed up by a first call."""
    embedder = embedder_for(load_settings())
    embedder.embed(["warm up"])
    return embedder


def raw_encode(embedder: Embedder, texts: list[str]) -> None:
    """Embed TEXTS as fast as the embedder can: shortest first, RAW_BATCH a call, nothing kept."""
    ordered = sorted(texts, key=len)
    for start in range(0, len(ordered), RAW_BATCH):
        embedder.embed(ordered[start : start + RAW_BATCH])


def build_and_save(bank_dir: Path, cache_dir: Path) -> dict:
    """Load the bank and model, raw-encode the build's texts, build and save the index: the measurements."""
    phases: dict = {}
    with phase(phases, "load bank"):
        bank = load_bank(bank_dir)
    with phase(phases, "load model"):
        embedder = loaded_embedder()
    texts = [text for rows in index_texts(bank).values() for text in rows]
    with phase(phases, "raw encode"):
        raw_encode(embedder, texts)
    with phase(phases, "build index"):
        index = build_index(bank, embedder, quiet=True)
    with phase(phases, "save index"):
        folder = save_index(index, cache_dir)
    grading = [sum(len(texts) for texts in grading_texts(q).values()) for q in bank.questions]
    return {"model": embedder.identity, "texts_embedded": len(texts),
            "grading_texts_per_question": round(sum(grading) / len(grading), 1),
            "index_type": type(index.faiss_index).__name__,
            "on_disk_mb": {p.name: round(p.stat().st_size / 2**20, 1) for p in sorted(folder.iterdir())},
            "phases": phases}


def percentiles(ms: list[float]) -> dict:
    ordered = sorted(ms)
    return {"p50": round(ordered[len(ordered) // 2], 3),
            "p99": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 3)}


def timed_ms(calls: list) -> list[float]:
    """The milliseconds each of CALLS (functions of no arguments) took, run in turn."""
    ms = []
    for call in calls:
        started = time.perf_counter()
        call()
        ms.append((time.perf_counter() - started) * 1000)
    return ms


def recall_at_k(index: BankIndex, vectors: np.ndarray) -> float:
    """The share of the exact top K (an exhaustive search of the same vectors) that search_vector finds."""
    _, exact = index.exact_index.search(vectors, K)
    rows = {q.id: row for row, q in enumerate(index.bank.questions)}
    found = [{rows[h.question.id] for h in index.search_vector(v, K)} for v in vectors]
    return round(float(np.mean([len(f & set(e)) / K for f, e in zip(found, exact)])), 4)


def ef_search_sweep(index: BankIndex, vectors: np.ndarray) -> dict:
    """Recall@5 and FAISS p50/p99 ms at each of EF_SEARCH_SWEEP (none for exact search)."""
    graph = getattr(index.faiss_index, "hnsw", None)
    if graph is None:
        return {}
    chosen, sweep = graph.efSearch, {}
    for ef_search in EF_SEARCH_SWEEP:
        graph.efSearch = ef_search
        ms = timed_ms([lambda v=v: index.search_vector(v, K) for v in vectors])
        sweep[ef_search] = {"recall_at_5": recall_at_k(index, vectors), **percentiles(ms)}
    graph.efSearch = chosen
    return sweep


def refuse_rebuild(message: str) -> None:
    raise SystemExit(f"the cached index did not load: {message}")


def open_and_search(bank_dir: Path, cache_dir: Path, queries: int) -> dict:
    """In a fresh process: load the bank and model, open the cached index, time searches and grading
    vectors' first use: the measurements."""
    phases: dict = {}
    with phase(phases, "load bank"):
        bank = load_bank(bank_dir)
    with phase(phases, "load model"):
        embedder = loaded_embedder()
    with phase(phases, "open cached index"):
        index = open_index(bank, embedder, cache_dir, quiet=True, warn=refuse_rebuild)
    rng = random.Random(SEED)
    texts = [rng.choice(rng.choice(bank.questions).key_points) for _ in range(queries)]
    vectors = embedder.embed(texts)
    graded = rng.sample(bank.questions, max(1, min(len(bank.questions), queries // 10)))
    with phase(phases, "searches"):
        faiss_ms = timed_ms([lambda v=v: index.search_vector(v, K) for v in vectors])
        whole_ms = timed_ms([lambda t=t: index.search(t, K) for t in texts])
        recall = recall_at_k(index, vectors)
        sweep = ef_search_sweep(index, vectors)
    with phase(phases, "grading first use"):
        grading_ms = timed_ms([lambda q=q: index.texts_for(q.id, "key_point") for q in graded])
    return {"queries": queries, "search_ms": {"faiss": percentiles(faiss_ms), "whole": percentiles(whole_ms)},
            "recall_at_5": recall, "ef_search_sweep": sweep,
            "grading_first_use_ms": {"questions": len(graded), **percentiles(grading_ms)}, "phases": phases}


def print_table(result: dict) -> None:
    build, load = result["build"], result["cached_load"]
    print(f"{result['machine']}; model {result['model']}; {result['questions']:,} questions, "
          f"{build['texts_embedded']:,} texts embedded; {result['index_type']}")
    print(f"{'phase':34s} {'seconds':>9s} {'CPU s':>9s} {'peak MB':>8s}")
    for process, phases in (("build", build["phases"]), ("fresh process", load["phases"])):
        for name, row in phases.items():
            print(f"{process + ': ' + name:34s} {row['seconds']:9.2f} {row['cpu_seconds']:9.2f} "
                  f"{row['peak_mb']:8,d}")
    search = load["search_ms"]
    on_disk = sum(build["on_disk_mb"].values())
    print(f"build / raw encode: {build['ratio']:.2f} (CPU {build['cpu_ratio']:.2f}); "
          f"index on disk: {on_disk:.1f} MB")
    print(f"search p50/p99 ms: FAISS {search['faiss']['p50']:.3f}/{search['faiss']['p99']:.3f}, "
          f"whole {search['whole']['p50']:.1f}/{search['whole']['p99']:.1f}; recall@5 {load['recall_at_5']}; "
          f"grading vectors' first use p50/p99 ms {load['grading_first_use_ms']['p50']:.0f}/"
          f"{load['grading_first_use_ms']['p99']:.0f}")
    for ef_search, row in load["ef_search_sweep"].items():
        print(f"efSearch {ef_search}: recall@5 {row['recall_at_5']}, FAISS p50/p99 ms {row['p50']:.3f}/"
              f"{row['p99']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000, help="Questions in the generated bank.")
    parser.add_argument("--queries", type=int, default=1_000, help="Searches timed in the fresh process.")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/bank_scale.json"))
    parser.add_argument("--open", nargs=2, type=Path, help=argparse.SUPPRESS)  # bank, cache: the child
    args = parser.parse_args()
    if args.open:
        print(json.dumps(open_and_search(*args.open, args.queries)))
        return
    phases: dict = {}
    with tempfile.TemporaryDirectory(prefix="bank-scale-") as tmp:
        bank_dir, cache_dir = Path(tmp) / "bank", Path(tmp) / "cache"
        with phase(phases, "generate bank"):
            generate_bank(bank_dir, args.questions)
        build = build_and_save(bank_dir, cache_dir)
        child = subprocess.run([sys.executable, __file__, "--open", str(bank_dir), str(cache_dir),
                                "--queries", str(args.queries)], capture_output=True, text=True)
    if child.returncode:
        raise SystemExit(f"the fresh process failed:\n{child.stderr[-3000:]}")
    build["phases"] = {**phases, **build["phases"]}
    build_phase, raw_phase = build["phases"]["build index"], build["phases"]["raw encode"]
    build["ratio"] = round(build_phase["seconds"] / raw_phase["seconds"], 3)
    build["cpu_ratio"] = round(build_phase["cpu_seconds"] / raw_phase["cpu_seconds"], 3)
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "model": build.pop("model"), "questions": args.questions, "index_type": build.pop("index_type"),
              "build": build, "cached_load": json.loads(child.stdout.splitlines()[-1])}
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Time and memory of grading long answers through the interview engine (cleaned, capped, offline grader);
prints a table and writes JSON.

    .venv/bin/python benchmarks/long_answers.py [--out benchmarks/results/long_answers.json]

Each answer is graded in a fresh process, so its peak memory is its own: the process's peak resident size
with the model and index loaded, and how much grading added to it. The answers are the interview dev set's
answers (../shared/benchmarks/interview/dev.jsonl) cut into sentences and read in turn until long enough,
graded as answers to ML0044; the 1 MB paste is the same text cut at 1,000,000 characters.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUESTION = "ML0044"
ROWS = {"100 words": 100, "1,000 words": 1_000, "5,000 words": 5_000, "10,000 words": 10_000,
        "1 MB paste": None}
PASTE_CHARACTERS = 1_000_000


def dev_sentences() -> list[str]:
    """The interview dev set's answers, cut into sentences."""
    from interviewer.evaluation.datasets import default_data_dir

    path = default_data_dir() / "interview" / "dev.jsonl"
    answers = [json.loads(line)["answer"] for line in path.read_text(encoding="utf-8").splitlines()]
    return [s for answer in answers for s in re.split(r"(?<=[.!?])\s+", answer) if s.strip()]


def long_answer(words: int | None) -> str:
    """Dev-set sentences in turn until WORDS words (None: PASTE_CHARACTERS characters, cut there)."""
    sentences, chosen, count, length = dev_sentences(), [], 0, 0
    while (count < words) if words is not None else (length <= PASTE_CHARACTERS):
        sentence = sentences[len(chosen) % len(sentences)]
        chosen.append(sentence)
        count, length = count + len(sentence.split()), length + len(sentence) + 1
    text = " ".join(chosen)
    return text if words is not None else text[:PASTE_CHARACTERS]


def peak_mb() -> float:
    """This process's peak resident size so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def grade_one(label: str) -> dict:
    """Grade one row's answer through the engine, in this process; its measurements."""
    from interviewer.config import load_settings
    from interviewer.runtime import Runtime

    settings = load_settings()
    with tempfile.TemporaryDirectory() as data_dir:
        runtime = Runtime(settings.with_overrides(data_dir=Path(data_dir)))
        question = runtime.bank.get(QUESTION)
        runtime.interview([question], "offline").answer("A perceptron is a linear classifier.")  # warm-up
        answer = long_answer(ROWS[label])
        loaded_mb = peak_mb()
        interview = runtime.interview([question], "offline")
        started = time.perf_counter()
        grade = interview.answer(answer)
        seconds = time.perf_counter() - started
    return {"answer": label, "words": len(answer.split()), "characters": len(answer),
            "seconds": round(seconds, 2), "peak_mb": round(peak_mb()),
            "added_mb": round(peak_mb() - loaded_mb), "words_graded": len(interview.last_turn.answer.split()),
            "score": grade.score, "notes": list(grade.notes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/long_answers.json"))
    parser.add_argument("--row", choices=ROWS, help=argparse.SUPPRESS)  # one row, in a child process
    args = parser.parse_args()
    if args.row:
        print(json.dumps(grade_one(args.row)))
        return
    rows = []
    for label in ROWS:
        child = subprocess.run([sys.executable, __file__, "--row", label], capture_output=True, text=True,
                               check=True)
        rows.append(json.loads(child.stdout.splitlines()[-1]))
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "question": QUESTION, "rows": rows}
    print(f"{'answer':14s} {'words':>8s} {'seconds':>8s} {'peak MB':>8s} {'added MB':>9s} "
          f"{'words graded':>13s}")
    for row in rows:
        print(f"{row['answer']:14s} {row['words']:8,d} {row['seconds']:8.2f} {row['peak_mb']:8,d} "
              f"{row['added_mb']:9,d} {row['words_graded']:13,d}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

"""The data behind the two numbers that check the LLM grader against the answer and the offline grader.

    .venv/bin/python benchmarks/fit_llm_checks.py [--data-dir DIR]

evidence.QUOTE_SAYS_KEY_POINT: on the interview dev set, the cosine of each key point with the answer's
statement closest to it, by the human's status of the key point (percentiles). choice.MAX_ABOVE_OFFLINE:
on honest answers (the dev set without its injections, scores doubled to 0-10, and
benchmarks/correct_answers.jsonl), how far the human score exceeds the offline grade, and how many answers
each gap would cap. Prints both; takes a few minutes (the offline grader grades 257 answers).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from interviewer.config import Settings  # noqa: E402
from interviewer.corpus import load_bank  # noqa: E402
from interviewer.embeddings import SentenceTransformerEmbedder  # noqa: E402
from interviewer.evaluation.datasets import default_data_dir  # noqa: E402
from interviewer.grading.offline import OfflineGrader  # noqa: E402
from interviewer.index import open_index  # noqa: E402
from interviewer.text import split_units  # noqa: E402

PERCENTILES = (1, 5, 10, 25, 50)
GAPS = (3.0, 4.0, 5.0, 6.0)


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def closest_statement_cosines(dev: list[dict], bank, embedder) -> dict[str, list[float]]:
    """Per human status, each key point's cosine with the answer statement closest to it."""
    found: dict[str, list[float]] = {}
    for row in dev:
        question = bank.get(row["question_id"])
        units = split_units(row["answer"], word_lists=False) or [row["answer"]]
        similarity = embedder.embed(units) @ embedder.embed(list(question.key_points)).T
        for column, item in enumerate(row["checklist"]):
            found.setdefault(item["status"], []).append(float(similarity[:, column].max()))
    return found


def human_above_offline(answers: list[dict], bank, grader: OfflineGrader) -> list[float]:
    """For each answer, its human score (0-10) less its offline grade."""
    return [10 * a["score"] / a["max_score"] - grader.grade(bank.get(a["question_id"]), a["answer"]).score
            for a in answers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    args = parser.parse_args()
    bank = load_bank(ROOT / "corpus")
    embedder = SentenceTransformerEmbedder()
    dev = rows(args.data_dir / "interview" / "dev.jsonl")

    print("cosine of a key point with the closest statement of the answer, by the human's status:")
    for status, values in closest_statement_cosines(dev, bank, embedder).items():
        cells = " ".join(f"p{p} {np.percentile(values, p):.3f}" for p in PERCENTILES)
        print(f"  {status:8s} n={len(values):4d}  {cells}")

    grader = OfflineGrader(open_index(bank, embedder, Settings().cache_dir, quiet=True))
    correct = rows(ROOT / "benchmarks" / "correct_answers.jsonl")
    honest = [r for r in dev if r["kind"] != "injection"] + correct
    gaps = human_above_offline(honest, bank, grader)
    cells = " ".join(f"p{p} {np.percentile(gaps, p):.2f}" for p in (50, 90, 95, 99, 100))
    print(f"human score less offline grade, {len(gaps)} honest answers: {cells}")
    for gap in GAPS:
        capped = [g for g in gaps if g > gap]
        print(f"  gap {gap:g}: {len(capped)} capped, by at most {max(capped, default=gap) - gap:.1f}")


if __name__ == "__main__":
    main()

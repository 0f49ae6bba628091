"""How well the offline grader agrees with human grades, next to a plain cosine-similarity baseline.

    .venv/bin/python benchmarks/grader_quality.py [--data-dir DIR] [--quick]

Grades the held-out splits of SAF and SemEval-2013 (SciEntsBank, Beetle; 2-way and 3-way), the
bank's cheap-trick answers, and its misconceptions beside correct answers in candidates' own words;
prints a table and writes benchmarks/results/grader_quality.json. The same numbers come from
`interviewer eval`, one at a time. The baseline scores an answer by its cosine similarity to the
reference (all-MiniLM-L6-v2), its pass mark chosen on the training split, as in the issue that set
the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from interviewer.corpus import load_bank  # noqa: E402
from interviewer.embeddings import CachingEmbedder, SentenceTransformerEmbedder  # noqa: E402
from interviewer.evaluation import metrics  # noqa: E402
from interviewer.evaluation.datasets import default_data_dir, load_dataset  # noqa: E402
from interviewer.evaluation.prefetch import prefetch_dataset  # noqa: E402
from interviewer.evaluation.runner import default_pass_mark, evaluate  # noqa: E402
from interviewer.grading.offline import OfflineGrader  # noqa: E402
from interviewer.models import Grade, Question  # noqa: E402

HELD_OUT = [
    ("saf", "unseen_answers", 2),
    ("semeval-sciEntsBank", "test-unseen-answers", 2),
    ("semeval-sciEntsBank", "test-unseen-questions", 2),
    ("semeval-sciEntsBank", "test-unseen-domains", 2),
    ("semeval-beetle", "test-unseen-answers", 2),
    ("semeval-beetle", "test-unseen-questions", 2),
    ("semeval-sciEntsBank", "test-unseen-answers", 3),
    ("semeval-beetle", "test-unseen-answers", 3),
]
SHOWN = ("n", "pearson", "spearman", "rmse", "accuracy", "macro_f1", "weighted_f1")


class CosineBaseline:
    """Score = 10 x cosine(answer, reference): the plain embedding baseline."""

    name = "cosine-baseline"

    def __init__(self, embedder: CachingEmbedder) -> None:
        self.embedder = embedder
        self.pass_marks: dict[str, float] = {}

    def grade(self, question: Question, answer: str) -> Grade:
        vectors = self.embedder.embed([answer or ".", question.reference])
        score = float(np.clip(10 * vectors[0] @ vectors[1], 0, 10))
        return Grade(question.id, score, self.name, (), "", question.reference)

    def fit_pass_mark(self, name: str, data_dir: Path, sample: int) -> None:
        """Pick the pass mark with the best 2-way macro-F1 on a sample of the training split."""
        items = list(load_dataset(name, data_dir, "training", ways=2).items)
        random.Random(13).shuffle(items)
        items = items[:sample]
        prefetch_dataset(self.embedder, items, quiet=True)
        scores = [max(self.grade(q, i.answer).score for q in i.questions) for i in items]
        labels = [i.label for i in items]
        self.pass_marks[name] = max(
            np.arange(0.1, 10, 0.1),
            key=lambda m: metrics.macro_f1(["correct" if s >= m else "incorrect" for s in scores], labels,
                                           ("correct", "incorrect")),
        )


def run(grader, dataset, embedder) -> dict:
    prefetch_dataset(embedder, dataset.items)
    return evaluate(grader, dataset, default_pass_mark(grader, dataset)).metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--quick", action="store_true", help="only SAF and SciEntsBank unseen answers")
    args = parser.parse_args()

    embedder = CachingEmbedder(SentenceTransformerEmbedder())
    offline = OfflineGrader(embedder=embedder)
    baseline = CosineBaseline(embedder)
    for name in ("semeval-sciEntsBank", "semeval-beetle"):
        baseline.fit_pass_mark(name, args.data_dir, 1500)
    held_out = HELD_OUT[:2] if args.quick else HELD_OUT
    results = {"benchmarks": [], "bank": {}}
    for name, split, ways in held_out:
        dataset = load_dataset(name, args.data_dir, split, ways)
        row = {"dataset": name, "split": split, "ways": ways if dataset.labels else None,
               "offline": run(offline, dataset, embedder), "baseline": run(baseline, dataset, embedder)}
        results["benchmarks"].append(row)
        print(f"done {name} {split} {ways}-way", file=sys.stderr)

    bank = load_bank(ROOT / "corpus")
    tricks = load_dataset(str(ROOT / "benchmarks" / "cheap_tricks.jsonl"), args.data_dir, lookup=bank.get)
    prefetch_dataset(embedder, tricks.items)
    report = evaluate(offline, tricks, quiet=True)
    by_kind: dict[str, list[float]] = {}
    for p in report.predictions:
        by_kind.setdefault(p.item.fields["kind"], []).append(p.score)
    results["bank"]["cheap_tricks"] = {kind: {"n": len(s), "max": max(s), "mean": float(np.mean(s)),
                                              "over_2": sum(x > 2 for x in s)} for kind, s in by_kind.items()}
    for split in ("dev", "test"):
        results["bank"][f"misconceptions_{split}"] = misconceptions(offline, baseline, bank, split,
                                                                    args.data_dir, embedder)

    print_tables(results)
    out = ROOT / "benchmarks" / "results" / "grader_quality.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


def misconceptions(offline, baseline, bank, split: str, data_dir: Path, embedder) -> dict:
    """The misconceptions of SPLIT graded, and how often each grader ranks a correct answer to a question
    of the same split (correct_answers.jsonl) above a misconception."""
    wrong = load_dataset(str(ROOT / "benchmarks" / "misconceptions.jsonl"), data_dir, split, lookup=bank.get)
    right = load_dataset(str(ROOT / "benchmarks" / "correct_answers.jsonl"), data_dir, split, lookup=bank.get)
    prefetch_dataset(embedder, wrong.items + right.items)
    report = evaluate(offline, wrong, quiet=True)
    found = dict(report.metrics)
    for grader in (offline, baseline):
        graded = report if grader is offline else evaluate(grader, wrong, quiet=True)
        wrong_scores = [p.score for p in graded.predictions]
        right_scores = [p.score for p in evaluate(grader, right, quiet=True).predictions]
        found[grader.name] = {"mean_misconception": float(np.mean(wrong_scores)),
                              "mean_correct": float(np.mean(right_scores)), "n_correct": len(right_scores),
                              "correct_ranked_above": metrics.ranked_above(right_scores, wrong_scores)}
    return found


def print_tables(results: dict) -> None:
    print(f"{'dataset / split':44s} {'grader':16s} " + " ".join(f"{m:>8s}" for m in SHOWN))
    for row in results["benchmarks"]:
        label = f"{row['dataset']} / {row['split']}" + (f" ({row['ways']}-way)" if row["ways"] else "")
        for grader in ("offline", "baseline"):
            values = row[grader]
            cells = " ".join(f"{values[m]:8.3f}" if m in values and m != "n" else
                             f"{values.get(m, ''):>8}" for m in SHOWN)
            print(f"{label:44s} {grader:16s} {cells}")
    print()
    for kind, row in results["bank"]["cheap_tricks"].items():
        print(f"cheap tricks, {kind:10s} n={row['n']:3d}  max {row['max']:.1f}/10  mean {row['mean']:.2f}  "
              f"over 2: {row['over_2']}")
    for split in ("dev", "test"):
        m = results["bank"][f"misconceptions_{split}"]
        print(f"misconceptions ({split}) n={m['n']}  mean score {m['mean_predicted']:.2f}/10 "
              f"(human {m['mean_human']:.2f})  flagged wrong {m['share_flagged_wrong']:.0%}  "
              f"pearson {m['pearson']:.3f}")
        for grader in ("offline", "cosine-baseline"):
            r = m[grader]
            print(f"  {grader:16s} misconceptions {r['mean_misconception']:.2f}/10, correct answers "
                  f"{r['mean_correct']:.2f}/10 (n={r['n_correct']}), a correct answer ranked above a "
                  f"misconception {r['correct_ranked_above']:.1%} of pairs")


if __name__ == "__main__":
    main()

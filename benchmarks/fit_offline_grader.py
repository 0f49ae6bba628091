"""Fit the offline grader's score model on the TRAINING splits of the human-graded benchmarks.

    .venv/bin/python benchmarks/fit_offline_grader.py [--per-dataset 1500] [--data-dir DIR]

Computes the grader's signals for a sample of each training split (SAF, SciEntsBank, Beetle), fits
non-negative weights (least squares, each dataset weighing the same), a monotone (isotonic)
calibration of the weighted sum to the 0-1 score scale, and per benchmark the pass mark that best
separates 'correct' answers (macro-F1) and a monotone map from the 0-10 score to its own grade
scale. Writes interviewer/grading/score_model.json, prints a table and
writes benchmarks/results/fit_offline_grader.json. Test splits are never read here.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import nnls
from sklearn.isotonic import IsotonicRegression
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from interviewer.embeddings import CachingEmbedder, SentenceTransformerEmbedder  # noqa: E402
from interviewer.evaluation import metrics  # noqa: E402
from interviewer.evaluation.datasets import default_data_dir, load_dataset  # noqa: E402
from interviewer.evaluation.prefetch import prefetch_dataset  # noqa: E402
from interviewer.grading.offline import OfflineGrader  # noqa: E402
from interviewer.grading.score_model import MODEL_FILE, ScoreModel  # noqa: E402
from interviewer.grading.signals import SIGNAL_NAMES  # noqa: E402

TRAINING = ("saf", "semeval-sciEntsBank", "semeval-beetle")
CALIBRATION_POINTS = 40


def signal_rows(grader: OfflineGrader, items) -> np.ndarray:
    """One row of signals per answer, against the reference it matches best in token recall."""
    rows = []
    for item in tqdm(items, desc="signals", unit="answer", file=sys.stderr, leave=False):
        found = [grader.assess(q, item.answer) for q in item.questions]
        candidates = [f.signals for f in found if f is not None] or [dict.fromkeys(SIGNAL_NAMES, 0.0)]
        best = max(candidates, key=lambda s: s["token_recall"])
        rows.append([best[name] for name in SIGNAL_NAMES])
    return np.array(rows)


def fit_weights(x: np.ndarray, y: np.ndarray, weight: np.ndarray,
                groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Non-negative weights by weighted least squares on signals and grades centred within each dataset,
    so the weights follow what separates answers to the same kind of question, not the datasets'
    different averages; the intercept is the overall mean grade."""
    xc, yc = x.copy(), y.copy()
    for group in np.unique(groups):
        rows = groups == group
        xc[rows] -= np.average(x[rows], axis=0, weights=weight[rows])
        yc[rows] -= np.average(y[rows], weights=weight[rows])
    root = np.sqrt(weight)
    weights, _ = nnls(xc * root[:, None], yc * root)
    return np.average(x, axis=0, weights=weight), weights, float(np.average(y, weights=weight))


def thinned_calibration(raw: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[list, list]:
    """Isotonic fit of y on raw, kept as CALIBRATION_POINTS increasing (raw, score) pairs."""
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, y, sample_weight=weight)
    grid = np.quantile(raw, np.linspace(0, 1, CALIBRATION_POINTS))
    grid = np.unique(np.round(grid, 4))
    return [float(g) for g in grid], [round(float(v), 4) for v in iso.predict(grid)]


def best_pass_mark(scores: np.ndarray, labels: list[str]) -> tuple[float, float]:
    """The 0-10 score that, as the bar for 'correct', gives the highest macro-F1 on these answers."""
    candidates = np.arange(0.5, 10.0, 0.5)  # grades are given in half points

    def f1(mark: float) -> float:
        predicted = ["correct" if s >= mark else "incorrect" for s in scores]
        return metrics.macro_f1(predicted, labels, ("correct", "incorrect"))

    mark = max(candidates, key=f1)
    return float(mark), f1(mark)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-dataset", type=int, default=1500, help="answers sampled per training split")
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--embedding-cache", type=Path,
                        help="pickle of computed embeddings to reuse between runs (created if absent)")
    args = parser.parse_args()

    embedder = CachingEmbedder(SentenceTransformerEmbedder())
    if args.embedding_cache and args.embedding_cache.is_file():
        embedder.restore(args.embedding_cache)
    grader = OfflineGrader(embedder=embedder)
    parts = {}
    for name in TRAINING:
        dataset = load_dataset(name, args.data_dir, "training", ways=2)
        items = list(dataset.items)
        random.Random(args.seed).shuffle(items)
        items = items[: args.per_dataset]
        prefetch_dataset(embedder, items)
        parts[name] = (items, signal_rows(grader, items))
        print(f"{name}: {len(items)} training answers", file=sys.stderr)

    if args.embedding_cache:
        embedder.save(args.embedding_cache)
    x = np.vstack([rows for _, rows in parts.values()])
    y = np.concatenate([[i.score / i.max_score for i in items] for items, _ in parts.values()])
    weight = np.concatenate([np.full(len(items), 1.0 / len(items)) for items, _ in parts.values()])
    groups = np.concatenate([np.full(len(items), name) for name, (items, _) in parts.items()])
    means, weights, intercept = fit_weights(x, y, weight, groups)
    raw = (x - means) @ weights + intercept
    cal_raw, cal_score = thinned_calibration(raw, y, weight)
    model = ScoreModel({n: round(float(m), 5) for n, m in zip(SIGNAL_NAMES, means)},
                       {n: round(float(w), 5) for n, w in zip(SIGNAL_NAMES, weights) if w > 0},
                       round(intercept, 5), tuple(cal_raw), tuple(cal_score), {})

    report = {"per_dataset": args.per_dataset, "seed": args.seed, "weights": model.weights, "datasets": {}}
    start = 0
    pass_marks, scales = {}, {}
    for name, (items, rows) in parts.items():
        scores = np.array([model.score(dict(zip(SIGNAL_NAMES, row))) for row in rows])
        truth = y[start : start + len(items)]
        start += len(items)
        labels = ["correct" if i.label == "correct" else "incorrect" for i in items]
        mark, f1 = best_pass_mark(scores, labels)
        pass_marks[name] = mark
        scales[name] = tuple(map(tuple, thinned_calibration(scores, truth, np.ones(len(truth)))))
        report["datasets"][name] = {"n": len(items), "pearson": metrics.pearson(list(scores), list(truth)),
                                    "pass_mark": mark, "macro_f1_2way": f1}
    model = ScoreModel(model.means, model.weights, model.intercept, model.calibration_raw,
                       model.calibration_score, pass_marks, scales)
    MODEL_FILE.write_text(json.dumps(model.to_dict(), indent=1) + "\n", encoding="utf-8")

    print(f"{'training split':22s} {'n':>5s} {'pearson':>8s} {'pass mark':>9s} {'macro-F1':>8s}")
    for name, row in report["datasets"].items():
        print(f"{name:22s} {row['n']:5d} {row['pearson']:8.3f} {row['pass_mark']:9.1f} "
              f"{row['macro_f1_2way']:8.3f}")
    print("weights: " + ", ".join(f"{k}={v:.3f}" for k, v in model.weights.items()))
    out = ROOT / "benchmarks" / "results" / "fit_offline_grader.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_FILE.relative_to(ROOT)} and {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

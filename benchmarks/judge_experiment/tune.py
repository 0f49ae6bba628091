"""Choose the judged grader's thresholds on the interview dev set, and show what they give.

    .venv/bin/python benchmarks/judge_experiment/tune.py [--weights FILE] [--sweep]

The judge's verdicts on every dev answer are computed once; each candidate setting is then a cheap pass
over them. Prints the dev-set measures per setting (Pearson, status agreement, false credit, false
statements caught, mean score by kind) and the issue's example answers graded.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

from grader import JudgedGrader, Settings, findings  # noqa: E402
from model import WEIGHTS, PairJudge  # noqa: E402

from interviewer.corpus import load_bank  # noqa: E402
from interviewer.embeddings import CachingEmbedder, SentenceTransformerEmbedder, shipped_model_path  # noqa: E402
from interviewer.evaluation import metrics  # noqa: E402
from interviewer.evaluation.datasets import default_data_dir  # noqa: E402
from interviewer.grading.evidence import CUT, answer_content  # noqa: E402
from interviewer.scoring import checklist_score, rounded_score  # noqa: E402
from interviewer.shipped import shipped_folder  # noqa: E402
from interviewer.text import split_units  # noqa: E402

EXAMPLES = [
    (
        "F004-36",
        "RMSProp divides the learning rate by the square root of a moving average of squared "
        "gradients, so each parameter gets its own step size.",
    ),
    (
        "F004-31",
        "Batch gradient descent uses one example, stochastic uses the whole dataset, and mini-batch "
        "uses no data at all.",
    ),
    (
        "F004-31",
        "Batch gradient descent computes the gradient on the whole training set, stochastic gradient "
        "descent on a single example, and mini-batch on a small batch of examples.",
    ),
    ("F004-29", "SGD oscillates because the learning rate is always zero."),
]


def dev_rows(data_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (data_dir / "interview" / "dev.jsonl").open()]


def measure(rows, judged_rows, bank, s: Settings) -> dict:
    predicted, human, statuses_p, statuses_h, reported, human_wrong = [], [], [], [], [], []
    by_kind = defaultdict(list)
    for row, judged in zip(rows, judged_rows):
        question = bank.get(row["question_id"])
        if judged is None:
            results, mistakes = [], []
            score = 0.0
            statuses = ["missed"] * len(question.key_points)
        else:
            results, mistakes = findings(question, judged, s)
            wrong = {m.evidence for m in mistakes}
            score = rounded_score(checklist_score(r.status for r in results) - s.wrong_cost * len(wrong))
            statuses = [r.status for r in results]
        predicted.append(score)
        human.append(row["score"] * 2)
        statuses_p.append(statuses)
        statuses_h.append([c["status"] for c in row["checklist"]])
        reported.append(len(mistakes))
        human_wrong.append(len(row["wrong_statements"]))
        by_kind[row["kind"]].append(score)
    out = {"pearson": metrics.pearson(predicted, human), "rmse10": metrics.rmse(predicted, human)}
    out.update(metrics.checklist_agreement(statuses_p, statuses_h))
    out["caught"] = metrics.wrong_statements_caught(reported, human_wrong)
    out["kinds"] = {k: sum(v) / len(v) for k, v in sorted(by_kind.items())}
    return out


def show(name: str, m: dict) -> None:
    kinds = " ".join(f"{k[:6]}={v:.1f}" for k, v in m["kinds"].items())
    print(
        f"{name}: r={m['pearson']:.3f} rmse={m['rmse10']:.2f} agree={m['status_agreement']:.3f} "
        f"prec={m['covered_precision']:.3f} false_credit={m['false_credit']:.3f} caught={m['caught']:.2f}\n"
        f"    {kinds}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", type=Path, default=WEIGHTS)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    bank = load_bank(shipped_folder("corpus"))
    embedder = CachingEmbedder(SentenceTransformerEmbedder(str(shipped_model_path())))
    grader = JudgedGrader(PairJudge(shipped_model_path(), args.weights), embedder=embedder)
    rows = dev_rows(default_data_dir())
    judged_rows = []
    for row in rows:
        content = answer_content(row["answer"]).replace(CUT, "\n")
        statements = list(dict.fromkeys(split_units(content, word_lists=False)))
        judged_rows.append(grader.judged(bank.get(row["question_id"]), statements) if statements else None)
    base = Settings()
    show("default", measure(rows, judged_rows, bank, base))
    if args.sweep:
        results = []
        for cov, part, con, mis, cost in itertools.product(
            (0.4, 0.5, 0.6, 0.7, 0.8),
            (0.15, 0.25, 0.35),
            (0.4, 0.5, 0.6, 0.7, 0.8),
            (0.5, 0.6, 0.7, 0.8, 0.9),
            (1.5, 2.5, 3.5),
        ):
            if part >= cov:
                continue
            s = replace(base, covered=cov, partial=part, contradicted=con, mistake=mis, wrong_cost=cost)
            results.append((measure(rows, judged_rows, bank, s), s))
        results.sort(key=lambda r: -(r[0]["pearson"] - r[0]["false_credit"]))
        for m, s in results[:5]:
            show(
                f"cov={s.covered} part={s.partial} con={s.contradicted} mis={s.mistake} cost={s.wrong_cost}",
                m,
            )
    for qid, answer in EXAMPLES:
        grade = grader.grade(bank.get(qid), answer)
        print(f"\n{qid} {grade.score}: {answer}")
        for k in grade.key_points:
            print(f"   {k.status:8s} {k.similarity:.2f} {k.text[:70]} <- {k.evidence[:60]}")
        for m in grade.mistakes:
            print(f"   MISTAKE {m.similarity:.2f} {m.claim[:60]} <- {m.evidence[:60]}")


if __name__ == "__main__":
    main()

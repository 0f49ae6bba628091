"""Third round of the pair judge: the whole answer is the premise, and the interview answers teach it.

    .venv/bin/python benchmarks/judge_experiment/round3.py train --fold 0|1|all [--epochs 2]
    .venv/bin/python benchmarks/judge_experiment/round3.py judge --fold 0|1
    .venv/bin/python benchmarks/judge_experiment/round3.py report

The dev set's human checklists are judgements of (whole answer, key point): covered, partial, missed or
wrong. Rounds one and two trained on statements and made-up pairs and learned shortcuts (near-identical
text -> contradicted; same topic -> entailed). This round trains on what the grader is asked to do:
- interview dev answers (of the training fold's questions) against each key point of their question:
  covered -> entailed, partial -> half entailed / half not addressed, missed -> not addressed,
  wrong -> contradicted; each quoted false statement against the wrong key point it is closest to:
  contradicted;
- the bank's own references: the reference against each key point (entailed), the reference with the
  key point's sentence role-swapped or negated (contradicted), the reference without that sentence
  (not addressed, when no other sentence shares its words), another question's key point (not addressed);
- SemEval-2013's training answers against their reference (correct / contradictory / incorrect);
- the dev half of benchmarks/correct_answers.jsonl against each key point (entailed).

Folds split the dev set's 47 questions in two by a hash of the question id: a model trained on one fold
judges the other, so every dev answer is judged by a model that never saw its question. "all" trains the
model that would ship. Test splits are never read.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]

import numpy as np  # noqa: E402
from model import CONTRADICTED, ENTAILED, NOT_ADDRESSED, build_model, trained_names  # noqa: E402
from pairs import flips, semeval_pairs  # noqa: E402

from interviewer.corpus import load_bank  # noqa: E402
from interviewer.embeddings import SentenceTransformerEmbedder, shipped_model_path  # noqa: E402
from interviewer.evaluation.datasets import default_data_dir  # noqa: E402
from interviewer.grading.evidence import CUT, answer_content  # noqa: E402
from interviewer.shipped import shipped_folder  # noqa: E402
from interviewer.text import reference_sentences, split_units, words  # noqa: E402

SEED = 13
BATCH_SIZE = 16
LAYER_LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 1e-3
WARMUP_SHARE = 0.06
SEMEVAL_SAMPLE = 2500
INTERVIEW_REPEATS = 3
MAX_TOKENS = 256  # answer and key point together: the dev answers' 99th percentile is 280
WINDOW = 2  # reference sentences kept on each side of a key point's own sentence
OUT = Path(__file__).resolve().parents[2] / ".experiments" / "round3"

TARGET = {
    "covered": (1.0, 0.0, 0.0),
    "partial": (0.5, 0.0, 0.5),
    "missed": (0.0, 0.0, 1.0),
    "wrong": (0.0, 1.0, 0.0),
}
ONE_HOT = {ENTAILED: TARGET["covered"], CONTRADICTED: TARGET["wrong"], NOT_ADDRESSED: TARGET["missed"]}


def fold_of(question_id: str) -> int:
    return int(hashlib.sha1(question_id.encode()).hexdigest(), 16) % 2


def answer_text(answer: str) -> str:
    """What is graded: the answer without text addressed to the grader."""
    return answer_content(answer).replace(CUT, " ").strip()


def dev_rows() -> list[dict]:
    path = default_data_dir() / "interview" / "dev.jsonl"
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def interview_examples(rows: list[dict], embedder) -> list[tuple[str, str, tuple, str]]:
    out = []
    for row in rows:
        text = answer_text(row["answer"])
        if not text:
            continue
        for item in row["checklist"]:
            out.append((text, item["key_point"], TARGET[item["status"]], f"interview:{item['status']}"))
        wrong_points = [c["key_point"] for c in row["checklist"] if c["status"] == "wrong"]
        if wrong_points and row["wrong_statements"]:
            vectors = embedder.embed(row["wrong_statements"] + wrong_points)
            similarity = vectors[: len(row["wrong_statements"])] @ vectors[len(row["wrong_statements"]) :].T
            for s, statement in enumerate(row["wrong_statements"]):
                point = wrong_points[int(similarity[s].argmax())]
                out.append((statement, point, TARGET["wrong"], "interview:wrong-statement"))
    return out


def bank_examples(bank, rng: random.Random) -> list[tuple[str, str, tuple, str]]:
    out = []
    all_points = [(q.id, k) for q in bank.questions for k in q.key_points]
    for question in bank.questions:
        sentences = reference_sentences(question.reference)
        for point in question.key_points:
            claimed = set(words(point))
            shares = [len(claimed & set(words(s))) / max(1, len(claimed)) for s in sentences]
            best = int(np.argmax(shares)) if shares else 0
            if shares and shares[best] >= 0.5:  # the key point's sentence, with its neighbours
                start, end = max(0, best - WINDOW), best + WINDOW + 1
                out.append((" ".join(sentences[start:end]), point, TARGET["covered"], "bank:reference"))
                flipped_forms = flips(sentences[best], rng, most=2)
                for flipped in rng.sample(flipped_forms, k=min(1, len(flipped_forms))):
                    changed = sentences[start:best] + [flipped] + sentences[best + 1 : end]
                    out.append((" ".join(changed), point, TARGET["wrong"], "bank:flipped-reference"))
                others = [share for i, share in enumerate(shares) if i != best]
                if others and max(others) < 0.3:
                    rest = " ".join(sentences[start:best] + sentences[best + 1 : end])
                    out.append((rest, point, TARGET["missed"], "bank:reference-without"))
            foreign = [k for qid, k in all_points if qid != question.id]
            out.append((" ".join(sentences[:3]), rng.choice(foreign), TARGET["missed"], "bank:foreign"))
    return out


def correct_examples(bank) -> list[tuple[str, str, tuple, str]]:
    path = Path(__file__).resolve().parents[1] / "correct_answers.jsonl"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("split") != "dev":
            continue
        for point in bank.get(row["question_id"]).key_points:
            out.append((row["answer"], point, TARGET["covered"], "answers:whole"))
    return out


def training_examples(fold: str, rng: random.Random, embedder) -> list[tuple[str, str, tuple, str]]:
    bank = load_bank(shipped_folder("corpus"))
    rows = [r for r in dev_rows() if fold == "all" or fold_of(r["question_id"]) == int(fold)]
    examples = INTERVIEW_REPEATS * interview_examples(rows, embedder)
    examples += bank_examples(bank, rng)
    examples += correct_examples(bank)
    semeval = semeval_pairs(default_data_dir())
    examples += [
        (p.statement, p.claim, ONE_HOT[p.outcome], p.source)
        for p in rng.sample(semeval, min(SEMEVAL_SAMPLE, len(semeval)))
    ]
    rng.shuffle(examples)
    return examples


def train(fold: str, epochs: int) -> Path:
    import torch
    from safetensors.torch import save_file
    from tqdm import tqdm
    from transformers import AutoTokenizer

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    embedder = SentenceTransformerEmbedder(str(shipped_model_path()))
    examples = training_examples(fold, rng, embedder)
    counts: dict[str, int] = {}
    for *_, source in examples:
        counts[source] = counts.get(source, 0) + 1
    print(json.dumps(counts, sort_keys=True))
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
    steps = epochs * math.ceil(len(examples) / BATCH_SIZE)
    warmup = int(WARMUP_SHARE * steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / max(1, warmup)) * max(0.0, (steps - step) / steps)
    )
    print(f"fold {fold}: {len(examples)} examples, {epochs} epochs, {steps} steps")
    started = time.time()
    model.train()
    progress = tqdm(total=steps, unit="batch")
    for epoch in range(epochs):
        order = list(range(len(examples)))
        random.Random(SEED + epoch).shuffle(order)
        running = 0.0
        for count, start in enumerate(range(0, len(order), BATCH_SIZE), 1):
            batch = [examples[i] for i in order[start : start + BATCH_SIZE]]
            encoded = tokenizer(
                [b[0] for b in batch],
                [b[1] for b in batch],
                padding=True,
                truncation="only_first",
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            logits = model(encoded["input_ids"], encoded["attention_mask"], encoded["token_type_ids"])
            target = torch.tensor([b[2] for b in batch], dtype=torch.float32)
            loss = torch.nn.functional.cross_entropy(logits, target)
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
        n: t.detach().to(torch.float16).contiguous() for n, t in model.state_dict().items() if n in trained
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"judge-fold-{fold}.safetensors"
    save_file(state, str(path), metadata={"seed": str(SEED), "examples": str(len(examples)), "fold": fold})
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {(time.time() - started) / 60:.1f} min")
    return path


def judge(fold: str) -> Path:
    """The fold's model judges the other fold's dev answers: P(outcomes) per key point and per known
    mistake, for the whole answer and for each of its statements."""
    from model import PairJudge

    bank = load_bank(shipped_folder("corpus"))
    held_out = [r for r in dev_rows() if fold_of(r["question_id"]) != int(fold)]
    weights = OUT / f"judge-fold-{fold}.safetensors"
    pair_judge = PairJudge(shipped_model_path(), weights, max_tokens=MAX_TOKENS)
    out = []
    for row in held_out:
        question = bank.get(row["question_id"])
        text = answer_text(row["answer"])
        statements = list(dict.fromkeys(split_units(text, word_lists=False))) if text else []
        claims = [*question.key_points, *question.mistakes]
        premises = [text, *statements] if text else []
        pairs = [(p, c) for c in claims for p in premises]
        probabilities = (
            pair_judge.probabilities(pairs).reshape(len(claims), len(premises), 3).tolist() if pairs else []
        )
        out.append(
            {
                "id": row["id"],
                "statements": statements,
                "key_points": len(question.key_points),
                "probabilities": probabilities,
            }
        )
        print(row["id"], end=" ", flush=True)
    path = OUT / f"judged-fold-{fold}.json"
    path.write_text(json.dumps(out), encoding="utf-8")
    print(f"\nwrote {path}")
    return path


@dataclass(frozen=True)
class Settings:
    covered: float = 0.5  # P(entailed | whole answer) at or above which a key point is covered
    partial: float = 0.25  # ... partial
    wrong: float = 0.5  # P(contradicted | whole answer) at or above which, and above P(entailed), it is wrong
    statement_wrong: float = 1.1  # P(contradicted | one statement) that also makes it wrong (> 1: off)
    mistake: float = 1.1  # P(entailed | whole answer) at or above which a known mistake is made (> 1: off)
    cost: float = 2.0  # points off per wrong key point or mistake made


def decide(judged: dict, s: Settings) -> tuple[list[str], int]:
    """Statuses of the key points and the number of wrong statements, from the judged probabilities."""
    statuses, wrong = [], 0
    if not judged["probabilities"]:
        return ["missed"] * judged["key_points"], 0
    for c, rows in enumerate(judged["probabilities"]):
        whole = rows[0]
        statement_contradiction = max((r[CONTRADICTED] for r in rows[1:]), default=0.0)
        if c >= judged["key_points"]:
            wrong += whole[ENTAILED] >= s.mistake
            continue
        if (whole[CONTRADICTED] >= s.wrong and whole[CONTRADICTED] > whole[ENTAILED]) or (
            statement_contradiction >= s.statement_wrong
        ):
            statuses.append("wrong")
            wrong += 1
        elif whole[ENTAILED] >= s.covered:
            statuses.append("covered")
        elif whole[ENTAILED] >= s.partial:
            statuses.append("partial")
        else:
            statuses.append("missed")
    return statuses, wrong


def measure(rows: list[dict], predicted_statuses, predicted_scores, reported) -> dict:
    from interviewer.evaluation import metrics

    human = [r["score"] * 2 for r in rows]
    out = {"n": len(rows), "pearson": metrics.pearson(predicted_scores, human)}
    out.update(
        metrics.checklist_agreement(predicted_statuses, [[c["status"] for c in r["checklist"]] for r in rows])
    )
    out["caught"] = metrics.wrong_statements_caught(reported, [len(r["wrong_statements"]) for r in rows])
    kinds: dict[str, list[float]] = {}
    for row, score in zip(rows, predicted_scores):
        kinds.setdefault(row["kind"], []).append(score)
    out["kinds"] = {k: round(sum(v) / len(v), 2) for k, v in sorted(kinds.items())}
    return out


def show(name: str, m: dict) -> None:
    kinds = " ".join(f"{k[:6]}={v:.1f}" for k, v in m["kinds"].items())
    print(
        f"{name}: n={m['n']} r={m['pearson']:.3f} agree={m['status_agreement']:.3f} "
        f"prec={m['covered_precision']:.3f} false_credit={m['false_credit']:.3f} caught={m['caught']:.2f}"
        f"\n    {kinds}"
    )


def report(folds: list[str], sweep: bool) -> None:
    """The held-out folds' dev answers: today's grader (an `interviewer eval --out` file) beside the judge."""
    from interviewer.scoring import checklist_score, rounded_score

    by_id = {r["id"]: r for r in dev_rows()}
    judged = [j for fold in folds for j in json.loads((OUT / f"judged-fold-{fold}.json").read_text())]
    rows = [by_id[j["id"]] for j in judged]
    current = {}
    current_path = OUT.parent / "dev-current.jsonl"
    if current_path.exists():
        for line in current_path.open(encoding="utf-8"):
            r = json.loads(line)
            current[r["id"]] = r
        show(
            "today's grader",
            measure(
                rows,
                [[k["status"] for k in current[r["id"]]["predicted_key_points"]] for r in rows],
                [current[r["id"]]["predicted"] for r in rows],
                [len(current[r["id"]]["predicted_mistakes"]) for r in rows],
            ),
        )

    def run(s: Settings) -> dict:
        statuses, scores, reported = [], [], []
        for j in judged:
            st, wrong = decide(j, s)
            statuses.append(st)
            scores.append(rounded_score(checklist_score(st) - s.cost * wrong))
            reported.append(wrong)
        return measure(rows, statuses, scores, reported)

    show("judge, default", run(Settings()))
    if sweep:
        results = []
        for cov, part, wr, swr, mis, cost in itertools.product(
            (0.4, 0.5, 0.6, 0.7), (0.15, 0.25, 0.35), (0.3, 0.4, 0.5, 0.6), (0.6, 0.8, 0.9, 1.1),
            (0.6, 0.8, 1.1), (1.0, 2.0, 3.0),
        ):
            if part < cov:
                s = Settings(cov, part, wr, swr, mis, cost)
                results.append((run(s), s))
        results.sort(key=lambda r: -(r[0]["pearson"] - r[0]["false_credit"]))
        for m, s in results[:6]:
            show(str(s), m)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("train", "judge", "report"))
    parser.add_argument("--fold", choices=("0", "1", "all"), default="all")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    if args.action == "train":
        train(args.fold, args.epochs)
    elif args.action == "judge":
        judge(args.fold)
    else:
        folds = [f for f in ("0", "1") if (OUT / f"judged-fold-{f}.json").exists()]
        report(folds, args.sweep)


if __name__ == "__main__":
    main()

"""Third and fourth rounds of the pair judge (model.py): train it on CPU, measure it by folds of the dev set.

    .venv/bin/python benchmarks/judge_experiment/train.py train [--fold all|0|1] [--data A-E] [--epochs 2]
    .venv/bin/python benchmarks/judge_experiment/train.py cv [--sweep] [--data A-E]
    .venv/bin/python benchmarks/judge_experiment/train.py examples [--data A-E]

An experiment for issue 11, not shipped: see "A learned pair judge, third round" and "fourth round" in
benchmarks/README.md. Variants A-C are the third round's, D and E the fourth's.

`train --fold all` writes .experiments/judge/judge.safetensors (the top 3 layers of all-MiniLM-L6-v2
and a 3-way head, float16, 10.7 MB); one fold's 2 epochs take about 24 minutes on the 2-core development
machine. Fixed seeds. The judge reads (the whole answer, one key point) and says entailed, contradicted
or not addressed. It saw:
- the interview dev set (../shared/benchmarks/interview/dev.jsonl, 188 answers to 47 bank questions),
  of the training fold's questions: each answer against each key point of its question, from the human
  checklist: covered -> entailed, partial -> half entailed and half not addressed, missed -> not
  addressed, wrong -> contradicted; and each quoted false statement against the wrong key point it is
  closest to (by embedding): contradicted. Three times an epoch;
- pairs from the bank's references, by variant (--data; bank_examples says which; D adds
  short_answer_examples, E part of them and dev_sentence_examples);
- 2,500 (D: 1,500; E: 1,000) of SemEval-2013's training answers (SciEntsBank and Beetle, 3-way) against
  their reference;
- the dev half of benchmarks/correct_answers.jsonl against each key point (entailed).
No test split is read.

`train --fold 0` (or 1) trains on the dev answers of one fold of questions only (the fold of a question
is a hash of its id); `cv` grades each fold's dev answers with the pipeline (grader.py) and the
model that never saw their question, and prints the pooled measures; `--sweep` tries the Settings grid.
The weights live in .experiments/judge/ (ignored by git).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import math
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]

import numpy as np  # noqa: E402
from grader import JudgedGrader, Settings  # noqa: E402
from model import MAX_TOKENS, TRAINED_LAYERS, WEIGHTS, PairJudge, build_model, trained_names  # noqa: E402
from pairs import flips  # noqa: E402

from interviewer.corpus import load_bank  # noqa: E402
from interviewer.embeddings import SentenceTransformerEmbedder, shipped_model_path  # noqa: E402
from interviewer.evaluation import metrics  # noqa: E402
from interviewer.evaluation.datasets import default_data_dir, load_semeval  # noqa: E402
from interviewer.grading.evidence import CUT, answer_content  # noqa: E402
from interviewer.shipped import shipped_folder  # noqa: E402
from interviewer.text import reference_sentences, split_units, words  # noqa: E402

SEED = 13
BATCH_SIZE = 16
LAYER_LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 1e-3
WARMUP_SHARE = 0.06
SEMEVAL_SAMPLE = 2500
SEMEVAL_SAMPLE_E = 1000  # variant E: fewer again, for the dev sentences seen twice
SEMEVAL_SAMPLE_D = 1500  # variant D: fewer, to make room for the short answers within the same time
INTERVIEW_REPEATS = 3  # the interview answers are the closest to what is graded: each seen 3 times an epoch
WINDOW = 2  # reference sentences kept on each side of a key point's own sentence
EPOCHS = 2
FOLDS_OUT = ROOT / ".experiments" / "judge"  # the fold models: measured, never shipped

TARGET = {
    "covered": (1.0, 0.0, 0.0),
    "partial": (0.5, 0.0, 0.5),
    "missed": (0.0, 0.0, 1.0),
    "wrong": (0.0, 1.0, 0.0),
}
SEMEVAL_TARGET = {"correct": TARGET["covered"], "contradictory": TARGET["wrong"],
                  "incorrect": TARGET["missed"]}


def fold_of(question_id: str) -> int:
    return int(hashlib.sha1(question_id.encode()).hexdigest(), 16) % 2


def answer_text(answer: str) -> str:
    """What is graded: the answer without text addressed to the grader."""
    return answer_content(answer).replace(CUT, " ").strip()


def dev_rows() -> list[dict]:
    path = default_data_dir() / "interview" / "dev.jsonl"
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def closeness(embedder, texts: list[str], others: list[str]) -> np.ndarray:
    """The cosine of each of TEXTS to each of OTHERS (one row per text), embedded in one batch."""
    vectors = embedder.embed(texts + others)
    return vectors[: len(texts)] @ vectors[len(texts) :].T


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
            similarity = closeness(embedder, row["wrong_statements"], wrong_points)
            for s, statement in enumerate(row["wrong_statements"]):
                point = wrong_points[int(similarity[s].argmax())]
                out.append((statement, point, TARGET["wrong"], "interview:wrong-statement"))
    return out


def bank_examples(bank, rng: random.Random, data: str) -> list[tuple[str, str, tuple, str]]:
    """Pairs from the bank's references. Every variant: a key point's own reference sentence with its
    neighbours (entailed), the neighbours without it when no other sentence shares 30% of its words (not
    addressed), and three sentences of the reference against another question's key point (not addressed).
    Variants A and C add the neighbourhood with that sentence role-swapped or negated (contradicted);
    B and C add the sentence alone (entailed) and another key point of the question alone (not addressed)."""
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
                if data in ("B", "C"):
                    out.append((sentences[best], point, TARGET["covered"], "bank:sentence"))
                out.append((" ".join(sentences[start:end]), point, TARGET["covered"], "bank:reference"))
                if data in ("A", "C"):
                    flipped_forms = flips(sentences[best], rng, most=2)
                    for flipped in rng.sample(flipped_forms, k=min(1, len(flipped_forms))):
                        changed = sentences[start:best] + [flipped] + sentences[best + 1 : end]
                        out.append((" ".join(changed), point, TARGET["wrong"], "bank:flipped-reference"))
                others = [share for i, share in enumerate(shares) if i != best]
                if others and max(others) < 0.3:
                    rest = " ".join(sentences[start:best] + sentences[best + 1 : end])
                    out.append((rest, point, TARGET["missed"], "bank:reference-without"))
            siblings = [k for k in question.key_points
                        if k != point and len(claimed & set(words(k))) < 0.3 * len(claimed)]
            if siblings and data in ("B", "C"):
                out.append((rng.choice(siblings), point, TARGET["missed"], "bank:sibling"))
            foreign = [k for qid, k in all_points if qid != question.id]
            out.append((" ".join(sentences[:3]), rng.choice(foreign), TARGET["missed"], "bank:foreign"))
    return out


SUBSETS = 4  # variant D: answers made of a few reference sentences, per question
FLIPPED_SUBSETS = 2  # ... of which this many also come with one key point's sentence swapped or negated
MISTAKE_MATCH = 0.6  # a known mistake is set against the key point it is closest to, from this cosine up


def short_answer_examples(bank, rng: random.Random, embedder) -> list[tuple[str, str, tuple, str]]:
    """Variant D: short answers in the bank's own wording, each labelled against every key point of its
    question. The question's text against each key point (not addressed: asking is not answering); a few
    of the reference's sentences, in order, against each key point (entailed when the key point's own
    sentence is among them, not addressed when no sentence shares 30% of its words, else left out); the
    same answer with that sentence role-swapped or negated (contradicted for its key point, the others as
    before), a minimal pair; a known mistake put into the answer, against the key point it is closest to
    (contradicted); the first half of a two-part key point alone (half entailed, half not addressed)."""
    out = []
    for question in bank.questions:
        sentences = reference_sentences(question.reference)
        points = list(question.key_points)
        for point in points:
            out.append((question.question, point, TARGET["missed"], "short:question"))
            halves = re.split(r"[;,] (?:and |while |so |which |but )?", point, maxsplit=1)
            if len(halves) == 2 and min(len(words(h)) for h in halves) >= 4:
                out.append((halves[0].rstrip(".") + ".", point, TARGET["partial"], "short:half"))
        if not sentences:
            continue
        shares = np.array([[len(set(words(p)) & set(words(s))) / max(1, len(set(words(p))))
                            for s in sentences] for p in points])
        own = {k: int(shares[k].argmax()) for k in range(len(points)) if shares[k].max() >= 0.5}

        for n in range(SUBSETS):
            size = rng.choice((1, 1, 2, 3))
            chosen = sorted(rng.sample(range(len(sentences)), k=min(size, len(sentences))))
            text = " ".join(sentences[i] for i in chosen)
            out += [(text, points[k], target, source)
                    for k, target, source in subset_labels(chosen, own, shares, rng)]
            flippable = [k for k in own if own[k] in chosen and flips(sentences[own[k]], rng, most=2)]
            if n < FLIPPED_SUBSETS and flippable:
                k = rng.choice(flippable)
                flipped = rng.choice(flips(sentences[own[k]], rng, most=2))
                changed = " ".join(flipped if i == own[k] else sentences[i] for i in chosen)
                out.append((changed, points[k], TARGET["wrong"], "short:flipped"))
                others = [i for i in chosen if i != own[k]]
                if others:
                    out += [(changed, points[j], target, source)
                            for j, target, source in subset_labels(others, own, shares, rng, skip=k)
                            if own.get(j) != own[k]]
        if question.mistakes and points:
            similarity = closeness(embedder, list(question.mistakes), points)
            for m, mistake in enumerate(question.mistakes):
                k = int(similarity[m].argmax())
                if similarity[m, k] < MISTAKE_MATCH:
                    continue
                around = [sentences[i] for i in rng.sample(range(len(sentences)), k=min(1, len(sentences)))
                          if own.get(k) != i]
                text = " ".join(rng.sample([mistake, *around], k=len(around) + 1))
                out.append((text, points[k], TARGET["wrong"], "short:mistake"))
    return out


def subset_labels(chosen: list[int], own: dict[int, int], shares: np.ndarray, rng: random.Random,
                  skip: int = -1) -> list[tuple[int, tuple, str]]:
    """For an answer made of the reference sentences CHOSEN: each key point (but SKIP) that is entailed
    (its OWN sentence is chosen) or, at most two of them, not addressed (no chosen sentence SHARES 30% of
    its words)."""
    out = []
    for k in rng.sample(range(len(shares)), k=len(shares)):
        if k == skip:
            continue
        if k in own and own[k] in chosen:
            out.append((k, TARGET["covered"], "short:covered"))
        elif max(shares[k][i] for i in chosen) < 0.3 and sum(o[2] == "short:missed" for o in out) < 2:
            out.append((k, TARGET["missed"], "short:missed"))
    return out


def dev_sentence_examples(rows: list[dict], embedder, rng: random.Random) -> list[tuple]:
    """Variant E: the dev answers' own sentences, as a candidate writes them. From an answer with no false
    statement, each sentence against each key point the human marks missed (not addressed: no part of the
    answer says it) and the sentence closest to a covered key point against it (entailed). Minimal pairs:
    that closest sentence role-swapped or negated, alone and inside the otherwise unchanged answer, against
    its key point (contradicted)."""
    out = []
    for row in rows:
        if row["wrong_statements"] or row["kind"] in ("keyword_stuffing", "injection"):
            continue
        text = answer_text(row["answer"])
        sentences = [u for u in split_units(text, word_lists=False, clauses=False) if len(words(u)) >= 4]
        if not sentences:
            continue
        missed = [c["key_point"] for c in row["checklist"] if c["status"] == "missed"]
        covered = [c["key_point"] for c in row["checklist"] if c["status"] == "covered"]
        for point in missed:
            for sentence in rng.sample(sentences, k=min(2, len(sentences))):
                out.append((sentence, point, TARGET["missed"], "dev:sentence-missed"))
        if not covered:
            continue
        similarity = closeness(embedder, sentences, covered).T
        for c, point in enumerate(covered):
            best = int(similarity[c].argmax())
            if similarity[c, best] < 0.5:
                continue
            out.append((sentences[best], point, TARGET["covered"], "dev:sentence-covered"))
            flipped = flips(sentences[best], rng, most=2)
            if flipped:
                changed = rng.choice(flipped)
                out.append((changed, point, TARGET["wrong"], "dev:sentence-flipped"))
                out.append((text.replace(sentences[best], changed), point, TARGET["wrong"],
                            "dev:answer-flipped"))
    return out


def correct_examples(bank) -> list[tuple[str, str, tuple, str]]:
    path = ROOT / "benchmarks" / "correct_answers.jsonl"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("split") != "dev":
            continue
        for point in bank.get(row["question_id"]).key_points:
            out.append((row["answer"], point, TARGET["covered"], "answers:whole"))
    return out


def training_examples(fold: str, rng: random.Random, embedder, data: str) -> list[tuple]:
    bank = load_bank(shipped_folder("corpus"))
    rows = [r for r in dev_rows() if fold == "all" or fold_of(r["question_id"]) == int(fold)]
    examples = INTERVIEW_REPEATS * interview_examples(rows, embedder)
    examples += bank_examples(bank, rng, "B" if data in ("D", "E") else data)
    if data == "D":
        examples += short_answer_examples(bank, rng, embedder)
    if data == "E":
        examples += [e for e in short_answer_examples(bank, rng, embedder)
                     if e[3] in ("short:question", "short:covered", "short:missed", "short:half")]
        examples += 2 * dev_sentence_examples(rows, embedder, rng)
    examples += correct_examples(bank)
    semeval = [(item.answer, item.questions[0].reference, SEMEVAL_TARGET[item.label], f"semeval:{corpus}")
               for corpus in ("sciEntsBank", "beetle")
               for item in load_semeval(default_data_dir(), corpus, "training", 3).items]
    sample = {"D": SEMEVAL_SAMPLE_D, "E": SEMEVAL_SAMPLE_E}.get(data, SEMEVAL_SAMPLE)
    examples += rng.sample(semeval, min(sample, len(semeval)))
    rng.shuffle(examples)
    return examples


def train(fold: str, epochs: int, out: Path, data: str, limit: int = 0, layers: int = TRAINED_LAYERS) -> Path:
    """Train on FOLD's examples (the first LIMIT only, for a smoke test) and write the shipped tensors."""
    import torch
    from safetensors.torch import save_file
    from tqdm import tqdm
    from transformers import AutoTokenizer

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    embedder = SentenceTransformerEmbedder()
    examples = training_examples(fold, rng, embedder, data)
    examples = examples[:limit] if limit else examples
    counts: dict[str, int] = {}
    for *_, source in examples:
        counts[source] = counts.get(source, 0) + 1
    print(json.dumps(counts, sort_keys=True))
    base = shipped_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = build_model(base)
    trained = set(trained_names(model, layers))
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
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out), metadata={"seed": str(SEED), "examples": str(len(examples)), "fold": fold,
                                         "epochs": str(epochs), "layers": str(layers)})
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in {(time.time() - started) / 60:.1f} min")
    return out


class RememberingJudge:
    """A judge that keeps every verdict, so that a sweep over Settings judges each pair once."""

    def __init__(self, inner: PairJudge) -> None:
        self.inner = inner
        self.seen: dict[tuple[str, str], np.ndarray] = {}

    def probabilities(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        todo = sorted({p for p in pairs if p not in self.seen})
        if todo:
            self.seen.update(zip(todo, self.inner.probabilities(todo)))
        return np.array([self.seen[p] for p in pairs], dtype=np.float32).reshape(len(pairs), 3)


def measure(rows: list[dict], grades) -> dict:
    """The dev-set measures of `interviewer eval`, and the mean score (of 10) by kind of answer."""
    human = [r["score"] * 2 for r in rows]
    out = {"n": len(rows), "pearson": metrics.pearson([g.score for g in grades], human)}
    out.update(metrics.checklist_agreement([[k.status for k in g.key_points] for g in grades],
                                           [[c["status"] for c in r["checklist"]] for r in rows]))
    out["caught"] = metrics.wrong_statements_caught([len(g.mistakes) for g in grades],
                                                    [len(r["wrong_statements"]) for r in rows])
    kinds: dict[str, list[float]] = {}
    for row, grade in zip(rows, grades):
        kinds.setdefault(row["kind"], []).append(grade.score)
    out["kinds"] = {k: round(sum(v) / len(v), 2) for k, v in sorted(kinds.items())}
    return out


def show(name: str, m: dict) -> None:
    kinds = " ".join(f"{k}={v:.1f}" for k, v in m["kinds"].items())
    print(f"{name}\n  n={m['n']} pearson={m['pearson']:.3f} agreement={m['status_agreement']:.3f} "
          f"covered_precision={m['covered_precision']:.3f} false_credit={m['false_credit']:.3f} "
          f"caught={m['caught']:.2f}\n  {kinds}")


def variant(data: str, layers: int) -> str:
    """The name of a variant: its training data, and how many layers were trained when not the default."""
    return data if layers == TRAINED_LAYERS else f"{data}-{layers}-layers"


def fold_weights(data: str, fold: str, layers: int) -> Path:
    """Where the fold model of variant DATA with LAYERS trained layers is kept."""
    return FOLDS_OUT / f"judge-{variant(data, layers)}-fold-{fold}.safetensors"


def cross_validate(sweep: bool, data: str, layers: int = TRAINED_LAYERS) -> None:
    """Each fold's dev answers graded by the shipped pipeline with the model that never saw their question."""
    bank = load_bank(shipped_folder("corpus"))
    weights = {f: fold_weights(data, str(f), layers) for f in (0, 1)}
    judges = {f: RememberingJudge(PairJudge(path)) for f, path in weights.items() if path.exists()}
    rows = [r for r in dev_rows() if 1 - fold_of(r["question_id"]) in judges]
    print(f"{len(rows)} dev answers, judged by the fold models {sorted(judges)}")

    def grade_all(settings: Settings) -> list:
        # the model trained on fold f grades the other fold's answers
        graders = {f: JudgedGrader(settings=settings, judge=judge) for f, judge in judges.items()}
        return [graders[1 - fold_of(row["question_id"])].grade(bank.get(row["question_id"]), row["answer"])
                for row in rows]

    default = Settings()
    results = {"default settings": measure(rows, grade_all(default))}
    show(f"default settings {default}", results["default settings"])
    if sweep:
        tried = []
        for covered, partial, beyond, contradicted, mistake, cost in itertools.product(
            (0.5, 0.65, 0.75, 0.85), (0.15, 0.3), (-1.0, 0.1, 0.2), (0.3, 0.5, 0.7), (0.95, 1.01), (3.0,)
        ):
            s = Settings(covered, partial, beyond, contradicted, mistake, cost)
            tried.append((measure(rows, grade_all(s)), s))
        tried.sort(key=lambda t: -(t[0]["pearson"] - t[0]["false_credit"]))
        for m, s in tried[:8]:
            show(str(s), m)
        results["best of sweep"] = {**tried[0][0], "settings": dataclasses.asdict(tried[0][1])}
        examples(data, tried[0][1], layers)
    out = ROOT / "benchmarks" / "results" / f"judge_cv_{variant(data, layers)}.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


EXAMPLES = [  # the answers that the shipped grader gets wrong, and a correct one beside the swap
    ("F004-36", "RMSProp divides the learning rate by the square root of a moving average of squared "
                "gradients, so each parameter gets its own step size."),
    ("F004-31", "Batch gradient descent uses one example, stochastic uses the whole dataset, and mini-batch "
                "uses no data at all."),
    ("F004-31", "Batch gradient descent computes the gradient on the whole training set, stochastic gradient "
                "descent on a single example, and mini-batch on a small batch of examples."),
    ("F004-29", "SGD oscillates because the learning rate is always zero."),
    ("F004-07", "An epoch and an iteration are the same thing. The number of epochs equals the batch size."),
    ("ML0044", "The perceptron is a nonlinear classifier that computes a product of its inputs, with "
               "no bias, and applies a softmax to make a probabilistic decision. A perceptron works for data "
               "that is not linearly separable and can solve problems such as XOR. Because it has many "
               "layers, the perceptron can model complex non-linear patterns. The perceptron outputs a "
               "confidence score and a probability rather than binary values."),
    ("ML0044", "The perceptron is a linear classifier: it computes a weighted sum of its inputs, adds a bias "
               "and applies a step function. It only works for linearly separable data, so it cannot solve "
               "XOR."),
]


def examples(data: str, settings: Settings | None = None, layers: int = TRAINED_LAYERS) -> None:
    """The issue's example answers graded by the variant's fold-0 model, with SETTINGS (grader.py's
    default Settings when none), and F004-36's own reference."""
    bank = load_bank(shipped_folder("corpus"))
    grader = JudgedGrader(settings=settings, judge=PairJudge(fold_weights(data, "0", layers)))
    for qid, answer in [*EXAMPLES, ("F004-36", bank.get("F004-36").reference)]:
        grade = grader.grade(bank.get(qid), answer)
        statuses = " ".join(k.status for k in grade.key_points)
        print(f"{qid} {grade.score:4.1f}/10  {statuses}  mistakes={len(grade.mistakes)}  {answer[:60]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("train", "cv", "examples"))
    parser.add_argument("--fold", choices=("all", "0", "1"), default="all")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--layers", type=int, default=TRAINED_LAYERS, help="top encoder layers trained")
    parser.add_argument("--sweep", action="store_true", help="cv: try the grid of Settings")
    parser.add_argument("--limit", type=int, default=0, help="train: the first N examples only")
    parser.add_argument("--out", type=Path, help="train: where to write the weights")
    parser.add_argument("--data", choices=("A", "B", "C", "D", "E"), default="C",
                        help="training pairs: bank_examples, short_answer_examples, dev_sentence_examples")
    args = parser.parse_args()
    if args.action == "train":
        kept = fold_weights(args.data, args.fold, args.layers)
        out = args.out or (WEIGHTS if args.fold == "all" else kept)
        train(args.fold, args.epochs, out, args.data, args.limit, args.layers)
    elif args.action == "cv":
        cross_validate(args.sweep, args.data, args.layers)
    else:
        examples(args.data, layers=args.layers)


if __name__ == "__main__":
    main()

"""Training pairs for the pair judge (model.py): (statement, claim, outcome).

Two sources, both training data only:
- SemEval-2013 training splits (SciEntsBank and Beetle, 3-way): the student's answer and the reference
  answer; correct -> entailed, contradictory -> contradicted, incorrect -> not addressed.
- The bank itself. Every pair that changes the one word that matters comes with its mirror that keeps
  the same words, so that no topic and no wording on its own decides the outcome:
  * a key point against itself and against its closest reference sentence: entailed;
  * a key point with its roles swapped (batch <-> stochastic, training <-> test, increase <-> decrease ...)
    or negated, against the key point: contradicted, both ways round; and against itself: entailed;
  * a known mistake against itself: entailed; against its own correction (a swap or negation of it):
    contradicted, both ways round;
  * another key point of the same question, and one of another question: not addressed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from model import CONTRADICTED, ENTAILED, NOT_ADDRESSED

from interviewer.corpus import load_bank
from interviewer.evaluation.datasets import load_semeval
from interviewer.shipped import shipped_folder
from interviewer.text import reference_sentences, split_units, words

SEMEVAL_OUTCOME = {"correct": ENTAILED, "contradictory": CONTRADICTED, "incorrect": NOT_ADDRESSED}

# Terms whose roles an interview answer swaps; each swap is made both ways at once (a role swap).
ROLE_SWAPS = [
    ("batch", "stochastic"),
    ("training set", "test set"),
    ("training data", "test data"),
    ("training error", "test error"),
    ("training loss", "validation loss"),
    ("validation set", "test set"),
    ("precision", "recall"),
    ("bias", "variance"),
    ("increase", "decrease"),
    ("increases", "decreases"),
    ("increasing", "decreasing"),
    ("larger", "smaller"),
    ("higher", "lower"),
    ("more", "fewer"),
    ("more", "less"),
    ("overfitting", "underfitting"),
    ("supervised", "unsupervised"),
    ("classification", "regression"),
    ("input", "output"),
    ("encoder", "decoder"),
    ("L1", "L2"),
    ("positive", "negative"),
    ("false positives", "false negatives"),
    ("maximum", "minimum"),
    ("maximize", "minimize"),
    ("maximizes", "minimizes"),
    ("large", "small"),
    ("first", "last"),
    ("before", "after"),
    ("generative", "discriminative"),
    ("linear", "non-linear"),
    ("nodes", "edges"),
    ("rows", "columns"),
    ("multiplies", "divides"),
    ("multiply", "divide"),
    ("local", "global"),
    ("dense", "sparse"),
    ("shallow", "deep"),
    ("forward", "backward"),
    ("exploding", "vanishing"),
    ("always", "never"),
    ("reduces", "increases"),
    ("reduce", "increase"),
    ("high", "low"),
    ("faster", "slower"),
    ("simple", "complex"),
    ("underfit", "overfit"),
    ("independent", "dependent"),
    ("labeled", "unlabeled"),
    ("labelled", "unlabelled"),
    ("parametric", "non-parametric"),
    ("convex", "non-convex"),
    ("same", "different"),
    ("numerator", "denominator"),
    ("one example", "the entire dataset"),
    ("entire", "single"),
    ("all", "none of the"),
    ("parallel", "sequential"),
    ("weights", "gradients"),
    ("mean", "variance"),
    ("past", "future"),
    ("row", "column"),
    ("word", "character"),
    ("online", "offline"),
    ("many", "few"),
    ("easier", "harder"),
    ("cheaper", "more expensive"),
    ("stable", "unstable"),
]
AUXILIARIES = re.compile(r"\b(is|are|was|were|can|could|will|would|should|must|may)\b", re.I)
NEGATION = re.compile(
    r"\b(is|are|was|were|can|could|will|would|should|must|does|do|has|have|may) not\b"
    r"|\bcannot\b|\b(is|are|does|do|can)n't\b",
    re.I,
)


@dataclass(frozen=True)
class Pair:
    statement: str
    claim: str
    outcome: int
    source: str


def role_swapped(text: str) -> list[str]:
    """TEXT with each pair of terms it holds swapped, one pair at a time (both ways at once)."""
    out = []
    for a, b in ROLE_SWAPS:
        pattern = re.compile(rf"\b({re.escape(a)}|{re.escape(b)})\b", re.I)
        if not pattern.search(text) or listed_together(text, a, b):
            continue

        def swap(match: re.Match, a=a, b=b) -> str:
            word = match.group(0)
            other = b if word.lower() == a.lower() else a
            return other[0].upper() + other[1:] if word[0].isupper() else other

        swapped = pattern.sub(swap, text)
        if swapped != text:
            out.append(swapped)
    return out


def listed_together(text: str, a: str, b: str) -> bool:
    """True when A and B stand side by side ('false positives and false negatives'): swapping them
    changes nothing."""
    a, b = re.escape(a), re.escape(b)
    return bool(re.search(rf"\b({a}\W+(?:and|or|,|/)?\W*{b}|{b}\W+(?:and|or|,|/)?\W*{a})\b", text, re.I))


def negated_form(text: str) -> str | None:
    """TEXT with its first auxiliary negated, or its negation taken out; None when it has neither."""
    found = NEGATION.search(text)
    if found:
        plain = found.group(0).lower()
        replacement = {"cannot": "can"}.get(plain) or re.sub(r"n't$| not$", "", found.group(0))
        return text[: found.start()] + replacement + text[found.end() :]
    found = AUXILIARIES.search(text)
    if not found:
        return None
    word = found.group(0)
    negation = "cannot" if word.lower() == "can" else f"{word} not"
    return text[: found.start()] + negation + text[found.end() :]


def flips(text: str, rng: random.Random, most: int = 3) -> list[str]:
    """Up to MOST statements that keep TEXT's words but say something else: role swaps and the negation."""
    candidates = role_swapped(text)
    rng.shuffle(candidates)
    negation = negated_form(text)
    chosen = candidates[: most - 1 if negation else most]
    return chosen + ([negation] if negation else [])


SYNONYMS = [
    ("uses", "relies on"),
    ("large", "big"),
    ("small", "little"),
    ("method", "technique"),
    ("helps", "aids"),
    ("reduces", "lowers"),
    ("increases", "raises"),
    ("makes", "renders"),
    ("each", "every"),
    ("quickly", "fast"),
    ("the whole", "the entire"),
    ("computes", "calculates"),
    ("usually", "typically"),
    ("important", "key"),
    ("however", "but"),
    ("often", "frequently"),
    ("data", "examples"),
    ("so that", "so"),
    ("because", "since"),
    ("can", "is able to"),
]
FILLERS = re.compile(r"\b(very|really|also|just|simply|basically|actually|generally|then)\b ?", re.I)


def rewordings(text: str, others: list[str], rng: random.Random) -> list[str]:
    """Statements that keep TEXT's meaning and most of its words: coordinated terms in the other order,
    synonyms, fillers dropped or added, and TEXT with another statement beside it."""
    out = []
    for a, b in ROLE_SWAPS:  # 'precision and recall' -> 'recall and precision' means the same
        if listed_together(text, a, b):
            out.append(
                re.sub(
                    rf"\b({re.escape(a)})(\W+(?:and|or|,|/)?\W*)({re.escape(b)})\b",
                    r"\3\2\1",
                    text,
                    count=1,
                    flags=re.I,
                )
            )
    synonyms = [(a, b) for a, b in SYNONYMS if re.search(rf"\b{re.escape(a)}\b", text, re.I)]
    rng.shuffle(synonyms)
    if synonyms:
        reworded = text
        for a, b in synonyms[:2]:
            reworded = re.sub(rf"\b{re.escape(a)}\b", b, reworded, count=1, flags=re.I)
        out.append(reworded)
    if FILLERS.search(text):
        out.append(FILLERS.sub("", text))
    else:
        cut = text.split(" ")
        position = rng.randrange(1, max(2, len(cut)))
        out.append(" ".join(cut[:position] + [rng.choice(["really", "also", "basically"])] + cut[position:]))
    if others:
        other = rng.choice(others)
        out.append(f"{text} {other}" if rng.random() < 0.5 else f"{other} {text}")
    out.append(text.lower().rstrip("."))
    return [r for r in out if r != text]


def closest_sentence(claim: str, sentences: list[str]) -> str | None:
    """The reference sentence sharing most of the claim's words (at least half of them)."""
    claimed = set(words(claim))
    best = max(sentences, key=lambda s: len(claimed & set(words(s))), default=None)
    if best is None or len(claimed & set(words(best))) < 0.5 * len(claimed) or best == claim:
        return None
    return best


def bank_pairs(bank_folder: Path, seed: int, question_ids: set[str] | None = None) -> list[Pair]:
    """Pairs made from the bank's key points, references and mistakes (of QUESTION_IDS, if given)."""
    rng = random.Random(seed)
    questions = [q for q in load_bank(bank_folder).questions if question_ids is None or q.id in question_ids]
    all_points = [(q.id, k) for q in questions for k in q.key_points]
    pairs: list[Pair] = []
    for question in questions:
        sentences = reference_sentences(question.reference)
        for point in question.key_points:
            pairs.append(Pair(point, point, ENTAILED, "bank:same"))
            others = [k for k in question.key_points if k != point]
            for reworded in rewordings(point, others, rng):
                pairs.append(Pair(reworded, point, ENTAILED, "bank:reworded"))
            nearest = closest_sentence(point, sentences)
            if nearest:
                pairs.append(Pair(nearest, point, ENTAILED, "bank:reference"))
            for flipped in flips(point, rng):
                pairs += [
                    Pair(flipped, point, CONTRADICTED, "bank:flip"),
                    Pair(point, flipped, CONTRADICTED, "bank:flip"),
                    Pair(flipped, flipped, ENTAILED, "bank:flip-same"),
                ]
            for other in others:  # the same topic, another point: not addressed, never contradicted
                pairs.append(Pair(other, point, NOT_ADDRESSED, "bank:sibling"))
            foreign = [k for qid, k in all_points if qid != question.id]
            pairs.append(Pair(rng.choice(foreign), point, NOT_ADDRESSED, "bank:foreign"))
        for mistake in question.mistakes:
            pairs.append(Pair(mistake, mistake, ENTAILED, "bank:mistake-same"))
            for reworded in rewordings(mistake, list(question.key_points), rng)[:2]:
                pairs.append(Pair(reworded, mistake, ENTAILED, "bank:mistake-reworded"))
            for flipped in flips(mistake, rng, most=2):
                pairs += [
                    Pair(flipped, mistake, CONTRADICTED, "bank:mistake-flip"),
                    Pair(mistake, flipped, CONTRADICTED, "bank:mistake-flip"),
                ]
            pairs.append(
                Pair(rng.choice(question.key_points), mistake, NOT_ADDRESSED, "bank:point-vs-mistake")
            )
    return pairs


def answer_pairs(path: Path, bank_folder: Path, embedder, seed: int) -> list[Pair]:
    """Answers in a candidate's own words that cover every key point (benchmarks/correct_answers.jsonl):
    each key point against the whole answer and against the answer's statement closest to it: entailed.
    (Their role swaps are not used: a statement often says several key points, and a swap may change
    another one's words.)"""
    import json

    bank = load_bank(bank_folder)
    pairs: list[Pair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("split") != "dev":  # the test split's answers measure the grader; never trained on
            continue
        question = bank.get(row["question_id"])
        statements = [u for u in split_units(row["answer"], word_lists=False) if len(words(u)) >= 4]
        if not statements:
            continue
        vectors = embedder.embed(statements + list(question.key_points))
        similarity = vectors[len(statements) :] @ vectors[: len(statements)].T
        for k, point in enumerate(question.key_points):
            pairs.append(Pair(row["answer"], point, ENTAILED, "answers:whole"))
            best = int(similarity[k].argmax())
            if similarity[k, best] < 0.5:
                continue
            pairs.append(Pair(statements[best], point, ENTAILED, "answers:statement"))
    return pairs


def semeval_pairs(data_dir: Path) -> list[Pair]:
    """The SemEval-2013 training answers against their best reference answer."""
    pairs = []
    for corpus in ("sciEntsBank", "beetle"):
        for item in load_semeval(data_dir, corpus, "training", 3).items:
            pairs.append(
                Pair(
                    item.answer, item.questions[0].reference, SEMEVAL_OUTCOME[item.label], f"semeval:{corpus}"
                )
            )
    return pairs


def training_pairs(
    data_dir: Path, seed: int, embedder=None, semeval_sample: int = 5000, bank_repeats: int = 2
) -> list[Pair]:
    """SEMEVAL_SAMPLE of SemEval's training pairs and the bank's, repeated BANK_REPEATS times, shuffled."""
    rng = random.Random(seed)
    semeval = semeval_pairs(data_dir)
    pairs = rng.sample(semeval, min(semeval_sample, len(semeval)))
    pairs += bank_repeats * bank_pairs(shipped_folder("corpus"), seed)
    if embedder is not None:
        pairs += bank_repeats * answer_pairs(
            Path(__file__).resolve().parents[1] / "correct_answers.jsonl",
            shipped_folder("corpus"),
            embedder,
            seed,
        )
    rng.shuffle(pairs)
    return pairs

"""Contradictions made from the bank's own sentences, for the judge's training data (train.py):
a statement that keeps a sentence's words but says something else: the bank's contrasting terms
swapped both ways at once (role_swapped), or a negation put in or taken out (negated_form).
"""

from __future__ import annotations

import random
import re

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

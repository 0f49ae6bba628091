"""General text handling: words, stems, negation, and cutting text into statements and sentences; used by
the bank, the grader, coaching and evaluation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

STOPWORDS = frozenset(
    "a an the and or but if then so because of to in on at by for with from as into onto over under about "
    "is are was were be been being am do does did doing have has had having it its this that these "
    "those there their they them we you your our i he she his her which who whom what when where why "
    "how can could should would may might must will shall also very more most less least than too "
    "just such each every some any all both other another same own only not no nor".split()
)
NEGATIONS = frozenset(
    "not no never cannot can't won't don't doesn't isn't aren't didn't nor none neither "
    "unnecessary unneeded useless impossible unable fails lacks".split()
)
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+|(?<=:)\s+(?=[A-Z(])")
# (?<!\s): a dash is looked for from the start of a run of spaces only, not again from each of its spaces
CLAUSE_BREAK = re.compile(r",\s+(?=(?:and|but|while|whereas|which|so|because|it|its|they|their|this)\b)|;\s+"
                          r"|(?<!\s)\s+-\s+")
LEADING_CONJUNCTION = re.compile(r"^(?:and|but|while|whereas)\s+", re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[-*•]|\(?\d+[.)])\s*")
MAX_CLAUSE_SPLIT_WORDS = 22


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return WORD.findall(text.lower().replace("’", "'"))


@lru_cache(maxsize=1 << 16)  # a long answer stems the same words thousands of times
def stem(word: str) -> str:
    """A crude suffix-stripping stem, enough to match 'gradients' with 'gradient', 'stepping' with
    'step' and 'updated' with 'update'."""
    for suffix in ("ational", "ations", "ation", "ings", "ing", "ies", "es", "ed", "ly", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            doubled = len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz"
            if suffix in ("ing", "ings", "ed") and doubled:
                word = word[:-1]  # stepping -> step, not stepp
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1}


ACRONYM = re.compile(r"\b([A-Z]{2,6})s?\b")


def asked_stems(question: str, context: str) -> set[str]:
    """Stems of the question's content words, with its acronyms spelled out as CONTEXT spells them
    ('AI' as 'artificial intelligence'): words the question already says earn no credit."""
    stems = content_stems(question)
    tokens = re.findall(r"[A-Za-z][A-Za-z-]*", context)
    for acronym in set(ACRONYM.findall(question)):
        for start in range(len(tokens) - len(acronym) + 1):
            run = tokens[start : start + len(acronym)]
            initials = "".join(word[0] for word in run).upper()
            if initials == acronym and not any(word.lower() in STOPWORDS for word in run):
                stems |= content_stems(" ".join(run))
    return stems


# Words about the question rather than its subject: "what I understand by X is the idea of X" says nothing.
ABOUT_THE_QUESTION = frozenset(stem(w) for w in (
    "question answer idea concept term thing things mean means meaning understand understood refer refers "
    "called call define defined definition basically simply essentially way used use using something kind "
    "type sort word words know").split())


def says_nothing_new(answer: str, question_stems: set[str]) -> bool:
    """True when the answer affirms only words the question (given as its stems) already says, or words
    about the question itself; a negation is a claim ('it did not change color'), so it says something."""
    return not negated(answer) and not content_stems(answer) - question_stems - ABOUT_THE_QUESTION


def novelty(unit: str, question_stems: set[str]) -> float:
    """Share of the unit's content words that the question (given as its stems) does not contain."""
    unit_stems = content_stems(unit)
    if not unit_stems:
        return 0.0
    return len(unit_stems - question_stems) / len(unit_stems)


def negated(text: str) -> bool:
    """True when the text contains a negation ('not', "can't", 'never', 'unnecessary', ...)."""
    return any(t in NEGATIONS or t.endswith("n't") for t in words(text))


def is_word_list(text: str) -> bool:
    """True for a bare list of terms ('Adam, momentum, RMSProp, learning rate') rather than a claim."""
    tokens = words(text)
    items = [p for p in re.split(r"[,/;]|\band\b", text) if p.strip()]
    function_words = sum(1 for t in tokens if t in STOPWORDS)
    lengths = [len(words(i)) for i in items]
    short_items = len(items) >= 4 and max(lengths) <= 4
    many_terms = len(items) >= 5 and len(tokens) / len(items) <= 3.5 and max(lengths) <= 5
    return len(items) >= 3 and (function_words <= max(1, len(tokens) // 8) or short_items or many_terms)


ANTONYMS = dict(
    pair
    for a, b in (("increase", "decrease"), ("increases", "decreases"), ("higher", "lower"), ("more", "less"),
                 ("faster", "slower"), ("larger", "smaller"), ("overfitting", "underfitting"),
                 ("reduces", "increases"), ("reduce", "increase"), ("before", "after"), ("always", "never"),
                 ("large", "small"), ("high", "low"), ("linear", "nonlinear"), ("same", "different"),
                 ("shrink", "grow"), ("shrinks", "grows"), ("positive", "negative"), ("stable", "unstable"))
    for pair in ((a, b), (b, a))
)


def opposed(statement: str, claim: str) -> bool:
    """True when the statement says the claim with the opposite polarity: one of them negated, or a
    word of the claim swapped for its antonym ('increases' for 'decreases'), but not both."""
    said, claimed = set(words(statement)), set(words(claim))
    swaps = sum(1 for w in said - claimed if ANTONYMS.get(w) in claimed - said)
    return (negated(statement) != negated(claim)) != (swaps % 2 == 1)


AFFIRMATIVES = {"cannot": "can", "can't": "can", "won't": "will", "unnecessary": "necessary",
                "unneeded": "needed", "useless": "useful", "impossible": "possible", "unable": "able",
                "fails": "manages", "lacks": "has"}
DROPPED_NEGATIONS = frozenset("not no never none neither nor".split())


def affirmed(text: str) -> str:
    """The text with its negations taken out ('does not use' -> 'does use', "can't" -> 'can')."""
    kept = []
    for token in re.findall(r"\S+", text.replace("’", "'")):
        bare = token.lower().strip(".,;:!?\"()")
        if bare in DROPPED_NEGATIONS:
            continue
        if bare in AFFIRMATIVES:
            token = token.lower().replace(bare, AFFIRMATIVES[bare])
        elif bare.endswith("n't"):
            token = token[: token.lower().index("n't")]
        kept.append(token)
    return " ".join(kept)


def same_polarity(statement: str, claim: str) -> tuple[str, str]:
    """The statement and the claim made to agree in polarity: negations taken out of the negated one,
    and the statement's antonyms of the claim's words swapped back ('increases' -> 'decreases')."""
    claimed = set(words(claim))
    swapped = " ".join(ANTONYMS[w] if w in ANTONYMS and ANTONYMS[w] in claimed and w not in claimed else w
                       for w in re.findall(r"\S+", statement.lower()))
    statement = swapped if swapped != statement.lower() else statement
    if negated(statement) and not negated(claim):
        statement = affirmed(statement)
    elif negated(claim) and not negated(statement):
        claim = affirmed(claim)
    return statement, claim


def shared_share(statement: str, claim: str) -> float:
    """How far the statement is made of the claim's words: the larger of the share of the claim's
    content stems it uses and the share of its own that the claim uses, antonyms counted as used."""
    claimed = content_stems(claim)
    own = content_stems(statement)
    said = own | {stem(ANTONYMS[w]) for w in words(statement) if w in ANTONYMS}
    if not claimed or not own:
        return 0.0
    shared = claimed & said
    return max(len(shared) / len(claimed), len(shared) / len(own))


class Substrings:
    """Which of some non-empty strings (the parts) occur inside a text, found through an index of the
    parts' first characters instead of trying every part: the time grows with the text's length, not
    with the text's length times the number of parts."""

    def __init__(self, parts: Iterable[str]) -> None:
        distinct = {part for part in parts if part}
        self.width = min(map(len, distinct), default=0)
        self.by_start: dict[str, list[str]] = {}
        for part in distinct:
            self.by_start.setdefault(part[: self.width], []).append(part)

    def within(self, text: str) -> set[str]:
        """The parts that occur in TEXT."""
        found: set[str] = set()
        if not self.by_start:
            return found
        width, starting = self.width, self.by_start.get
        for position in range(len(text) - width + 1):
            for part in starting(text[position : position + width], ()):
                if text.startswith(part, position):
                    found.add(part)
        return found


def split_units(answer: str, word_lists: bool = True, clauses: bool = True) -> list[str]:
    """The answer's statements: sentences, list items, and (with CLAUSES) the clauses of long or
    negated sentences, which may each say something different ('X does not A, and Y does not B').

    A bare list of terms yields its terms, or nothing when WORD_LISTS is false.
    """
    units: list[str] = []
    for piece in SENTENCE_BREAK.split(answer):
        piece = BULLET.sub("", piece).strip(" \t-*•")
        if not words(piece):
            continue
        if is_word_list(piece):
            if word_lists:
                units.extend(p.strip() for p in re.split(r"[,/;]|\band\b", piece) if words(p))
            continue
        units.append(piece)
        if clauses and (len(words(piece)) > MAX_CLAUSE_SPLIT_WORDS or negated(piece)):
            parts = [LEADING_CONJUNCTION.sub("", c.strip()) for c in CLAUSE_BREAK.split(piece)
                     if len(words(c)) >= 4]
            if len(parts) > 1:
                units.extend(parts)
    return units


def reference_sentences(reference: str) -> list[str]:
    """The reference answer's prose statements, without formulas and headings."""
    kept = []
    for unit in split_units(reference):
        tokens = words(unit)
        symbols = sum(unit.count(c) for c in "\\=^_{}")
        if len(tokens) >= 5 and symbols < 2:
            kept.append(unit)
    return kept


NEGATION_SCOPE = 2  # content words after a negation that it denies ("does not apply a bias" -> apply, bias)
NEGATING_PHRASES = re.compile(r"\b(?:rather than|instead of|no longer|any longer)\b")
SCOPE_TOKEN = re.compile(rf"{WORD.pattern}|[,;:.!?()]")
ANTONYM_STEMS = {stem(a): stem(b) for a, b in ANTONYMS.items()}


@dataclass(frozen=True)
class Polarity:
    """What a text affirms and denies, as stems, and which word each antonym it uses stands before."""

    text: str
    negations: tuple[tuple[str, ...], ...]  # the content words in each negation's scope, in order
    affirmed: frozenset[str]
    antonyms: frozenset[tuple[str, str]]  # (antonym's stem, the stem of the content word after it)

    def denied_unlike(self, other: Polarity) -> set[str]:
        """What this text denies in negations that share no word with OTHER's ('cannot solve XOR' agrees
        with 'cannot solve problems such as XOR'), less what it affirms too."""
        theirs = {w for scope in other.negations for w in scope}
        return {w for scope in self.negations if not theirs & set(scope) for w in scope} - self.affirmed


def polarity(text: str) -> Polarity:
    """The content words in each negation's scope and the others (affirmed); an antonym ends a negation's
    scope, and is in it only when the negation comes right before it ('not the same path')."""
    negations: list[list[str]] = []
    affirmed_stems: set[str] = set()
    sequence: list[str] = []
    scope = 0
    for token in SCOPE_TOKEN.findall(NEGATING_PHRASES.sub(" not ", text.lower().replace("’", "'"))):
        if not token[0].isalnum() or token == "than":  # "no better than random" does not deny "random"
            scope = 0
            continue
        if token in NEGATIONS or token.endswith("n't"):
            scope = NEGATION_SCOPE
            negations.append([])
            continue
        root = stem(token)
        if root in ANTONYM_STEMS:  # an antonym ends the scope: 'not the same path' denies no path, ...
            if scope == NEGATION_SCOPE:
                negations[-1].append(root)
            else:  # ... and 'does not work linearly' does not deny 'linearly'
                affirmed_stems.add(root)
            scope = 0
        elif token in STOPWORDS or len(token) < 2:
            continue
        elif scope:
            scope -= 1
            negations[-1].append(root)
        else:
            affirmed_stems.add(root)
        sequence.append(root)
    antonyms = {(root, sequence[i + 1] if i + 1 < len(sequence) else "")
                for i, root in enumerate(sequence) if root in ANTONYM_STEMS}
    return Polarity(text, tuple(tuple(n) for n in negations if n), frozenset(affirmed_stems),
                    frozenset(antonyms))


def denies(statement: str, claim: str) -> bool:
    """True when the statement says of something what the claim says of it with the opposite polarity.

    A word one affirms (and does not deny) is in the other's negation, or an antonym of a word of the
    claim's is used instead of it ('underfitting rather than overfitting'), but not both about different
    words ('not connected to the negative terminal' agrees with 'connected to the positive terminal'). Or,
    where the claim uses both words of an antonym pair, a clause of the statement puts one before the word
    the other stands before in the claim's nearest clause ('increases bias' against 'decreases bias but
    increases variance').
    """
    said, claimed = polarity(statement), polarity(claim)
    flipped = (said.denied_unlike(claimed) & claimed.affirmed) | (claimed.denied_unlike(said) & said.affirmed)
    swapped = [{a, ANTONYM_STEMS[a]} for a in said.affirmed & ANTONYM_STEMS.keys()
               if ANTONYM_STEMS[a] in claimed.affirmed - said.affirmed and a not in claimed.affirmed]
    if flipped or swapped:
        return not (flipped and any(not pair & flipped for pair in swapped))
    for part in CLAUSE_BREAK.split(statement):
        own = polarity(part).antonyms
        nearest = max((polarity(clause) for clause in CLAUSE_BREAK.split(claim)),
                      key=lambda clause: (shared_share(part, clause.text), len(own & clause.antonyms)))
        if any((ANTONYM_STEMS[a], after) in nearest.antonyms - own and (a, after) not in nearest.antonyms
               for a, after in own):
            return True
    return False

"""Choosing an interview's questions: by topic tag, by words, or by meaning through the index."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime

from interviewer.corpus import Bank
from interviewer.errors import InterviewerError
from interviewer.index import BankIndex
from interviewer.models import Question
from interviewer.practice.records import PracticeRecord
from interviewer.text import content_stems

# A free-text topic picks the questions within this much of its best match, above the floor.
MEANING_FLOOR = 0.30
MEANING_MARGIN = 0.12
TOPIC_DESCRIPTION_MATCH = 0.45


class UnknownTopicError(InterviewerError):
    """No question matches a topic, by tag or by meaning."""

    exit_code = 2


def normalise(text: str) -> str:
    """Lower case, with '&', '_' and spaces folded into '-'."""
    return re.sub(r"[\s_&/]+", "-", text.strip().lower()).strip("-")


def tag_for(bank: Bank, topic: str) -> str | None:
    """The taxonomy tag a topic names: exact name, title, singular or plural, or a unique prefix."""
    wanted = normalise(topic)
    if not wanted:
        return None
    for candidate in bank.taxonomy:
        forms = {candidate.name, normalise(candidate.name.replace("-", " "))}
        title_forms = {normalise(candidate.title)}
        if wanted in forms | {f + "s" for f in forms} | {f.rstrip("s") for f in forms} | title_forms:
            return candidate.name
    prefixed = [t.name for t in bank.taxonomy if t.name.startswith(wanted) and len(wanted) >= 3]
    return prefixed[0] if len(prefixed) == 1 else None


def tagged_questions(bank: Bank, tag: str) -> list[Question]:
    """Questions carrying a tag."""
    return [q for q in bank.questions if tag in q.topics]


def questions_mentioning(bank: Bank, topic: str) -> list[Question]:
    """Questions whose text uses every content word of the topic."""
    wanted = content_stems(topic)
    if not wanted:
        return []
    return [q for q in bank.questions
            if wanted <= content_stems(" ".join([q.question, q.reference, *q.key_points]))]


def questions_by_meaning(index: BankIndex, topic: str) -> list[Question]:
    """Questions close in meaning to a free-text topic, whose topic description it matches, or that use it."""
    vector = index.embedder.embed([topic])[0]
    hits = index.search_vector(vector, len(index.bank.questions))
    best = hits[0].score if hits else 0.0
    chosen = [h.question for h in hits if h.score >= max(MEANING_FLOOR, best - MEANING_MARGIN)]
    topic_scores = index.topic_similarities(vector)
    for name, score in sorted(topic_scores.items(), key=lambda kv: -kv[1])[:1]:
        if score >= TOPIC_DESCRIPTION_MATCH:
            chosen += [q for q in tagged_questions(index.bank, name) if q not in chosen]
    return chosen + [q for q in questions_mentioning(index.bank, topic) if q not in chosen]


def select_questions(
    bank: Bank, topics: list[str], load_index: Callable[[], BankIndex]
) -> list[Question]:
    """Questions for the topics: tags first, free text by meaning (loading the index only then)."""
    if not topics:
        return list(bank.questions)
    chosen: list[Question] = []
    for topic in topics:
        tag = tag_for(bank, topic)
        found = tagged_questions(bank, tag) if tag else questions_by_meaning(load_index(), topic)
        if not found:
            raise UnknownTopicError(
                f"no questions match topic {topic!r}; topics are: {', '.join(bank.topic_names())}"
            )
        chosen += [q for q in found if q not in chosen]
    return chosen


def pick(questions: list[Question], count: int | None, rng: random.Random) -> list[Question]:
    """COUNT questions in random order (all of them when COUNT is None)."""
    shuffled = list(questions)
    rng.shuffle(shuffled)
    return shuffled if count is None else shuffled[:count]


def pick_for_practice(questions: list[Question], count: int | None, rng: random.Random,
                      records: Sequence[PracticeRecord], now: datetime, until: date | None = None
                      ) -> list[Question]:
    """COUNT questions (None: all) in the order practice_order gives: due first (most overdue), then unseen
    (in random order), then the rest, a question just answered well last; with no records, as pick."""
    shuffled = pick(questions, None, rng)
    if not records:
        return shuffled if count is None else shuffled[:count]
    from interviewer.practice.schedule import practice_order

    by_id = {q.id: q for q in shuffled}
    topics_of = {q.id: q.topics for q in shuffled}
    ordered = [by_id[i] for i in practice_order(list(by_id), records, now, until, topics_of)]
    return ordered if count is None else ordered[:count]


def review_questions(questions: list[Question], records: Sequence[PracticeRecord], count: int, now: datetime,
                     until: date | None = None, weak: bool = False) -> list[Question]:
    """Up to COUNT of QUESTIONS to review: those due, the most overdue first (with an interview date, the
    weakest topics first); with WEAK, those holding the key points missed most, the weakest first."""
    from interviewer.practice.schedule import due, practice_order, weak_question_ids

    by_id = {q.id: q for q in questions}
    if weak:
        ids = [i for i in weak_question_ids(records) if i in by_id]
    else:
        due_now = {i for i, _ in due(records, now, until)}
        topics_of = {q.id: q.topics for q in questions}
        ids = [i for i in practice_order(list(by_id), records, now, until, topics_of) if i in due_now]
    return [by_id[i] for i in ids[:count]]

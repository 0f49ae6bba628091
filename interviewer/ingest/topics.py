"""Tag draft questions with topics of the bank's taxonomy by keyword."""

from __future__ import annotations

import re

from interviewer.models import Topic

MAX_TOPICS = 3
FALLBACK_TOPIC = "fundamentals"


def keyword_hits(text: str, topic: Topic) -> int:
    """How many of the topic's keywords occur in the text, as whole words."""
    lowered = text.lower()
    return sum(
        1 for keyword in topic.keywords if re.search(rf"\b{re.escape(keyword.lower())}\b", lowered)
    )


def assign_topics(question: str, answer: str, taxonomy: list[Topic]) -> list[str]:
    """Up to three topics: keywords in the question count three times those in the answer."""
    scores = {
        topic.name: 3 * keyword_hits(question, topic) + keyword_hits(answer, topic)
        for topic in taxonomy
    }
    ranked = sorted((s, name) for name, s in scores.items() if s >= 2)
    chosen = [name for _, name in sorted(ranked, key=lambda pair: -pair[0])][:MAX_TOPICS]
    names = {topic.name for topic in taxonomy}
    return chosen or ([FALLBACK_TOPIC] if FALLBACK_TOPIC in names else [taxonomy[0].name])

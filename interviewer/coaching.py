"""Follow-up questions after a partial answer and hints on request; each is about one key point only."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from interviewer.index import BankIndex
from interviewer.llm import ChatClient, LLMError
from interviewer.models import Grade, KeyPointResult, Question
from interviewer.prompts import fence_for, load_prompt
from interviewer.scoring import STATUS_CREDIT, rounded_score
from interviewer.text import STOPWORDS, content_stems, words

# A key point recovered in a follow-up earns this share of its credit: the interviewer pointed at it.
FOLLOW_UP_WEIGHT = 0.5
FOLLOW_UP_MISTAKE_PENALTY = 1.0
GROUNDING_PASSAGES = 3
RELATED_HIT_SCORE = 0.5
HINT_WORDS = 4
MAX_HINT_CHARS = 240
MAX_FOLLOW_UP_CHARS = 300


@dataclass(frozen=True)
class FollowUp:
    """A follow-up question and the key point it aims at."""

    question: str
    key_point: str


def wants_follow_up(grade: Grade) -> bool:
    """True for a partial answer: it earned something and left something out."""
    statuses = {k.status for k in grade.key_points}
    earned, left = statuses & {"covered", "partial"}, statuses & {"missed", "partial"}
    return grade.score > 0 and bool(earned) and bool(left)


def weakest_point(key_points: tuple[KeyPointResult, ...]) -> str | None:
    """The first missed key point, else the first partial one, else None."""
    for status in ("missed", "partial"):
        for point in key_points:
            if point.status == status:
                return point.text
    return None


def follow_up_question(question: Question, follow_up: FollowUp) -> Question:
    """The question as graded after a follow-up: the same key points, the follow-up added to its text."""
    return replace(question, question=f"{question.question}\nFollow-up: {follow_up.question}")


def fold_follow_up(grade: Grade, follow_up_grade: Grade, follow_up: FollowUp) -> Grade:
    """The question's grade with the follow-up answer folded in.

    A key point the follow-up answer covers better than the first answer takes the better status and
    its evidence; each such upgrade adds FOLLOW_UP_WEIGHT of the credit it gains to the score
    (10 points spread over the key points), and each mistake in the follow-up answer costs
    FOLLOW_UP_MISTAKE_PENALTY. Key points already covered never change.
    """
    after = {k.text: k for k in follow_up_grade.key_points}
    results, gain = [], 0.0
    for point in grade.key_points:
        better = after.get(point.text)
        if better is not None and STATUS_CREDIT[better.status] > STATUS_CREDIT[point.status]:
            gain += STATUS_CREDIT[better.status] - STATUS_CREDIT[point.status]
            point = replace(better, text=point.text)
        results.append(point)
    change = (10.0 * FOLLOW_UP_WEIGHT * gain / max(1, len(results))
              - FOLLOW_UP_MISTAKE_PENALTY * len(follow_up_grade.mistakes))
    score = rounded_score(grade.score + change)
    raw_score = None if grade.raw_score is None else rounded_score(grade.raw_score + change)
    upgraded = sum(1 for old, new in zip(grade.key_points, results) if old.status != new.status)
    note = (f"Follow-up “{follow_up.question}”: {upgraded} key point(s) improved; "
            f"score {grade.score:g} → {score:g} (points recovered after a follow-up count half).")
    return replace(grade, score=score, raw_score=raw_score, key_points=tuple(results),
                   mistakes=(*grade.mistakes, *follow_up_grade.mistakes),
                   notes=(*grade.notes, *follow_up_grade.notes, note))


def offline_hint(question: Question, key_point: str) -> str:
    """A hint from one key point alone, without an LLM: its first words the question does not already use."""
    known = content_stems(question.question)
    picked: list[str] = []
    for word in words(key_point):
        if word not in STOPWORDS and len(word) > 2 and not content_stems(word) & known and word not in picked:
            picked.append(word)
    if not picked:
        return "Hint: think about what happens step by step, and why it is done that way."
    return "Hint: think about " + ", ".join(picked[:HINT_WORDS]) + "."


# A model's preamble or label before the line that matters: "Sure, here is a hint:", "Hint:".
LEAD_IN = re.compile(r"^(sure|certainly|of course|ok(ay)?|here('s| is| are)|great)\b.*:$", re.IGNORECASE)
LABEL = re.compile(r"^\W*(hint|follow-?up( question)?|question)\s*:\s*", re.IGNORECASE)
GIVES_AWAY = re.compile(r"\b(the )?(correct )?answer (is|would be)\b", re.IGNORECASE)
# A hint holding this share of its key point's content words states the key point instead of hinting.
GIVEAWAY_SHARE = 0.6


def reply_line(text: str, limit: int, wanted: str = "") -> str:
    """The line of a model's reply that matters (the first holding WANTED, if any does), without
    preambles ('Sure, here is a question:'), labels ('Hint:') or quote marks, cut to LIMIT characters."""
    lines = [LABEL.sub("", ln.strip()).strip("\"'“”").strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not LEAD_IN.match(ln)]
    line = next((ln for ln in lines if wanted and wanted in ln), lines[0] if lines else "")
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " ..."


def gives_away(hint: str, key_point: str) -> bool:
    """True when HINT says the answer: 'the answer is ...', or most of the key point's content words."""
    point = content_stems(key_point)
    shared = len(content_stems(hint) & point) / max(1, len(point))
    return bool(GIVES_AWAY.search(hint)) or shared >= GIVEAWAY_SHARE


class Coach:
    """Writes hints (one per question) and follow-up questions, with the LLM when there is one."""

    def __init__(self, client: ChatClient | None = None,
                 load_index: Callable[[], BankIndex] | None = None) -> None:
        self.client = client
        self.load_index = load_index
        self._hints: dict[str, str] = {}

    @property
    def asks_follow_ups(self) -> bool:
        """True when follow-up questions can be written: an LLM is configured."""
        return self.client is not None

    def hint(self, question: Question, grade: Grade | None = None) -> str:
        """A hint about one key point (the first missed); asked again, the same hint."""
        if question.id in self._hints:
            return self._hints[question.id] + " (You have had this question's hint.)"
        key_point = weakest_point(grade.key_points) if grade else question.key_points[0]
        hint = self._llm_hint(question, key_point or question.key_points[0])
        self._hints[question.id] = hint
        return hint

    def _llm_hint(self, question: Question, key_point: str) -> str:
        """The LLM's hint from this key point only (it is shown no other); the offline hint when the LLM
        fails, says nothing, or gives the answer away."""
        if self.client is None:
            return offline_hint(question, key_point)
        messages = load_prompt("hint").render(question=question.question, key_point=key_point)
        try:
            text = reply_line(self.client.complete_text(messages, max_tokens=80, quick=True), MAX_HINT_CHARS)
        except LLMError:
            text = ""
        usable = text and not gives_away(text, key_point)
        return f"Hint: {text}" if usable else offline_hint(question, key_point)

    def follow_up(self, question: Question, answer: str, grade: Grade) -> FollowUp | None:
        """One follow-up question aimed at the weakest key point, or None (no LLM, or it failed)."""
        key_point = weakest_point(grade.key_points)
        if self.client is None or key_point is None:
            return None
        passages = self.grounding(question, key_point)
        messages = load_prompt("follow_up").render(
            question=question.question, key_point=key_point, passages="\n".join(f"- {p}" for p in passages),
            fence=fence_for(answer), answer=answer)
        try:
            reply = self.client.complete_text(messages, max_tokens=80, quick=True)
            text = reply_line(reply, MAX_FOLLOW_UP_CHARS, "?")
        except LLMError:
            return None
        return FollowUp(text, key_point) if text else None

    def grounding(self, question: Question, key_point: str) -> list[str]:
        """Reference sentences closest in meaning to the key point: the question's own and its neighbours'."""
        sentences = list(question.reference_sentences) or [question.reference]
        if self.load_index is None:
            return sentences[:GROUNDING_PASSAGES]
        index = self.load_index()
        for hit in index.search(key_point, 3):
            if hit.question.id != question.id and hit.score >= RELATED_HIT_SCORE:
                sentences += hit.question.reference_sentences
        vectors = index.embedder.embed([key_point, *sentences])
        order = np.argsort(-(vectors[1:] @ vectors[0]))[:GROUNDING_PASSAGES]
        return [sentences[i] for i in order]

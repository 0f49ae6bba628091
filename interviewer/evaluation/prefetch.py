"""Embed a whole dataset's texts in large batches before grading it answer by answer."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from interviewer.embeddings import CachingEmbedder
from interviewer.evaluation.datasets import GradedAnswer
from interviewer.grading.vectors import rubric_text
from interviewer.text import split_units


def prefetch_dataset(embedder: CachingEmbedder, items: Iterable[GradedAnswer], quiet: bool = False) -> None:
    """The sentences and word pieces the offline grader will ask for, embedded now in bulk."""
    sentences: set[str] = set()
    pieces: set[str] = set()
    for item in items:
        units = split_units(item.answer)
        said = " ".join(split_units(item.answer, word_lists=False))
        sentences.update(units)
        sentences.add(said or item.answer)
        pieces.add(said)
        for q in item.questions:
            sentences.update([q.question, rubric_text(q), *q.key_points, *q.mistakes,
                              *q.reference_sentences])
            pieces.update([q.question, rubric_text(q), *q.key_points])
    from tqdm import tqdm

    pieces.discard("")
    with tqdm(total=len(sentences) + len(pieces), desc="embedding", unit="text", file=sys.stderr,
              leave=False, disable=quiet) as bar:
        embedder.prefetch(sorted(sentences), sorted(pieces), bar.update)

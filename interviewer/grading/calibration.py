"""Your own standard: a monotone map from the grader's score to the candidate's own grades, fitted by
isotonic regression (pool-adjacent-violators) on their history, measured by k-fold cross-validation,
saved per user in the data folder and applied to every grade the interview's grader gives."""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from statistics import fmean

from interviewer.errors import InterviewerError
from interviewer.evaluation import metrics
from interviewer.files import write_atomically
from interviewer.grading import Grader
from interviewer.models import Grade, Question
from interviewer.scoring import rounded_score

MIN_OWN_GRADES = 20  # fewer pairs leave a 0-10 map mostly unconstrained: about two per score point
FOLDS = 5  # the cross-validation's folds: each fit sees 80% of the pairs
SEED = 0  # the folds' shuffle, fixed so the same history gives the same report
FOLDER = "calibration"


class CalibrationError(InterviewerError):
    """Calibration is not possible yet (too few own grades) or its saved map is unreadable."""


@dataclass(frozen=True)
class Calibration:
    """The map: breakpoints (grader's score, own score), non-decreasing, linear between them, flat beyond."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    pairs: int = 0  # how many own grades it was fitted on
    fitted_at: str = ""

    def score(self, raw: float) -> float:
        """RAW mapped, rounded to the half point as every score is."""
        return rounded_score(interpolated(self.xs, self.ys, raw))

    def to_dict(self) -> dict:
        return {"breakpoints": [[x, y] for x, y in zip(self.xs, self.ys)], "pairs": self.pairs,
                "fitted_at": self.fitted_at}

    @classmethod
    def from_dict(cls, data: dict) -> Calibration:
        points = [(float(x), float(y)) for x, y in data["breakpoints"]]
        if not points:
            raise ValueError("no breakpoints")
        return cls(tuple(x for x, _ in points), tuple(y for _, y in points), int(data.get("pairs", 0)),
                   str(data.get("fitted_at", "")))


def pool_adjacent_violators(ys: Sequence[float], weights: Sequence[float] | None = None) -> list[float]:
    """The non-decreasing sequence nearest YS in weighted least squares (YS in the order of their x)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for y, w in zip(ys, weights or [1.0] * len(ys)):
        blocks.append([float(y), float(w), 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight, count = blocks.pop()
            last = blocks[-1]
            total = last[1] + weight
            last[0], last[1], last[2] = (last[0] * last[1] + mean * weight) / total, total, last[2] + count
    return [mean for mean, _, count in blocks for _ in range(count)]


def fit(pairs: Sequence[tuple[float, float]]) -> Calibration:
    """The isotonic map from PAIRS of (grader's score, own score): own scores of one grader score pooled."""
    by_x: dict[float, list[float]] = {}
    for x, y in pairs:
        by_x.setdefault(float(x), []).append(float(y))
    xs = sorted(by_x)
    ys = pool_adjacent_violators([fmean(by_x[x]) for x in xs], [len(by_x[x]) for x in xs])
    kept = [i for i in range(len(xs)) if i in (0, len(xs) - 1) or not ys[i - 1] == ys[i] == ys[i + 1]]
    return Calibration(tuple(xs[i] for i in kept), tuple(round(ys[i], 4) for i in kept), len(pairs),
                       datetime.now(timezone.utc).isoformat(timespec="seconds"))


def interpolated(xs: Sequence[float], ys: Sequence[float], x: float) -> float:
    """The piecewise-linear function through (XS, YS) at X, flat beyond the ends."""
    if x <= xs[0]:
        return ys[0]
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return ys[-1]


@dataclass(frozen=True)
class Agreement:
    """How close the grader's scores come to the candidate's own, as is and through the map, on held-out
    folds: mean absolute error (points out of 10) and Pearson's r (None when a side does not vary)."""

    pairs: int
    folds: int
    before_mae: float
    before_r: float | None
    after_mae: float
    after_r: float | None

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def cross_validated(pairs: Sequence[tuple[float, float]], folds: int = FOLDS, seed: int = SEED) -> Agreement:
    """The agreement before and after calibrating, each held-out fold mapped by a fit on the others."""
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    predicted = [0.0] * len(pairs)
    for fold in range(folds):
        held = set(order[fold::folds])
        calibration = fit([p for i, p in enumerate(pairs) if i not in held])
        for i in held:
            predicted[i] = calibration.score(pairs[i][0])
    raw, own = [x for x, _ in pairs], [y for _, y in pairs]
    return Agreement(len(pairs), folds, mean_abs_error(raw, own), pearson(raw, own),
                     mean_abs_error(predicted, own), pearson(predicted, own))


def mean_abs_error(a: Sequence[float], b: Sequence[float]) -> float:
    return fmean(abs(x - y) for x, y in zip(a, b))


def pearson(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Pearson's correlation of A and B (metrics.pearson); None, not NaN, when either is constant."""
    r = metrics.pearson(a, b)
    return None if math.isnan(r) else r


def own_grade_pairs(entries: Sequence[object]) -> list[tuple[float, float]]:
    """(the grader's raw score, own score) of every history entry with both, out of 10."""
    pairs = []
    for entry in entries:
        if entry.own_score is None or entry.score is None:
            continue
        raw = (entry.grade_data or {}).get("raw_score")
        score = float(raw) if raw is not None else entry.score / (entry.max_score or 10.0) * 10.0
        pairs.append((score, float(entry.own_score)))
    return pairs


def calibrate(pairs: Sequence[tuple[float, float]]) -> tuple[Calibration, Agreement]:
    """The map fitted on all PAIRS and its cross-validated agreement; an error below MIN_OWN_GRADES."""
    if len(pairs) < MIN_OWN_GRADES:
        raise CalibrationError(
            f"calibrating needs at least {MIN_OWN_GRADES} of your own grades; you have {len(pairs)}: give "
            f"{MIN_OWN_GRADES - len(pairs)} more (`interviewer grade ... --my-grade N`, or 'I disagree "
            "with this grade' in the web chat)")
    return fit(pairs), cross_validated(pairs)


def calibration_path(data_dir: Path, user: str) -> Path:
    """Where USER's map is kept: calibration/USER.json in the data folder (a hash for an odd name)."""
    name = user if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", user) else "user-" + hashlib.sha256(
        user.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return Path(data_dir) / FOLDER / f"{name}.json"


def save_calibration(calibration: Calibration, data_dir: Path, user: str) -> Path:
    path = calibration_path(data_dir, user)
    write_atomically(path, json.dumps(calibration.to_dict(), indent=2) + "\n")
    return path


def load_calibration(data_dir: Path, user: str) -> Calibration | None:
    """USER's saved map, or None when there is none."""
    path = calibration_path(data_dir, user)
    try:
        return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CalibrationError(f"cannot read the calibration {path} ({exc}): `interviewer calibrate` fits it "
                               "again, `interviewer calibrate --reset` removes it") from exc


def reset_calibration(data_dir: Path, user: str) -> bool:
    """Remove USER's map; whether there was one."""
    path = calibration_path(data_dir, user)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


class CalibratedGrader:
    """GRADER's grades mapped through CALIBRATION, the raw score kept and a note on the card saying so."""

    def __init__(self, grader: Grader, calibration: Calibration) -> None:
        self.grader, self.calibration = grader, calibration
        self.name = grader.name

    def grade(self, question: Question, answer: str) -> Grade:
        return calibrated_grade(self.grader.grade(question, answer), self.calibration)


def calibrated_grade(grade: Grade, calibration: Calibration) -> Grade:
    """GRADE with its score mapped and a note saying from what to what."""
    score = calibration.score(grade.score)
    note = f"Calibrated to your own grades: {grade.score:.1f} -> {score:.1f}"
    return replace(grade, score=score, raw_score=grade.score, notes=(*grade.notes, note))


def calibrated(grader: Grader, data_dir: Path, user: str) -> Grader:
    """GRADER as USER's grades are given: through their saved map when they have one (read at each call,
    so `calibrate` and `--reset` take effect at once, in a running web server too)."""
    calibration = load_calibration(data_dir, user)
    return grader if calibration is None else CalibratedGrader(grader, calibration)

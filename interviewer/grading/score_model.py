"""The offline grader's score: a non-negative weighting of its signals, calibrated monotonically to 0-10.

The weights and the calibration are fitted on the training splits of human-graded benchmarks by
`benchmarks/fit_offline_grader.py` and shipped as `score_model.json` beside this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from interviewer.errors import BackendError
from interviewer.grading.signals import SIGNAL_NAMES

MODEL_FILE = Path(__file__).with_name("score_model.json")


@dataclass(frozen=True)
class ScoreModel:
    """raw = intercept + sum(weight * (signal - mean)); score = 10 * calibration(raw)."""

    means: dict[str, float]
    weights: dict[str, float]
    intercept: float
    calibration_raw: tuple[float, ...]  # increasing raw values ...
    calibration_score: tuple[float, ...]  # ... and the 0-1 scores they map to
    pass_marks: dict[str, float]  # per benchmark: the 0-10 score that best separates 'correct'
    scales: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = field(default_factory=dict)
    # per benchmark: increasing 0-10 scores and the 0-1 grades its humans gave such answers on average

    def raw(self, signals: dict[str, float]) -> float:
        weighted = (w * (signals[name] - self.means[name]) for name, w in self.weights.items())
        return self.intercept + sum(weighted)

    def score(self, signals: dict[str, float], shift: float = 0.0) -> float:
        """0-10; SHIFT moves the raw value before calibration (strictness)."""
        value = np.interp(self.raw(signals) + shift, self.calibration_raw, self.calibration_score)
        return float(10.0 * value)

    def on_scale(self, benchmark: str, score: float) -> float | None:
        """A 0-10 score as the 0-1 grade the benchmark's humans would give, if it was calibrated for it."""
        if benchmark not in self.scales:
            return None
        scores, grades = self.scales[benchmark]
        return float(np.interp(score, scores, grades))

    def to_dict(self) -> dict:
        return {"means": self.means, "weights": self.weights, "intercept": self.intercept,
                "calibration": {"raw": list(self.calibration_raw), "score": list(self.calibration_score)},
                "pass_marks": self.pass_marks,
                "scales": {k: {"score": list(a), "grade": list(b)} for k, (a, b) in self.scales.items()}}


def load_score_model(path: Path = MODEL_FILE) -> ScoreModel:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data["weights"]) - set(SIGNAL_NAMES)
        if unknown:
            raise KeyError(f"unknown signal {sorted(unknown)[0]}")
        return ScoreModel(
            means={k: float(v) for k, v in data["means"].items()},
            weights={k: float(v) for k, v in data["weights"].items()},
            intercept=float(data["intercept"]),
            calibration_raw=tuple(data["calibration"]["raw"]),
            calibration_score=tuple(data["calibration"]["score"]),
            pass_marks={k: float(v) for k, v in data.get("pass_marks", {}).items()},
            scales={k: (tuple(v["score"]), tuple(v["grade"])) for k, v in data.get("scales", {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackendError(f"{path}: unusable score model ({exc}); re-run "
                           "benchmarks/fit_offline_grader.py or reinstall interviewer") from exc

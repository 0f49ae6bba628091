"""Grade every answer of a dataset and measure agreement with the human grades."""

from __future__ import annotations

import math
import statistics
import sys
from dataclasses import dataclass, field

from interviewer.evaluation import metrics
from interviewer.evaluation.datasets import Dataset, GradedAnswer
from interviewer.grading import Grader
from interviewer.models import Grade

DEFAULT_PASS_MARK = 5.0  # on the 0-10 scale: a grade at or above it counts as 'correct'
FALLBACK_GRADER = "offline"  # grades an answer another grader fails on (grading.choice.FallbackGrader)


@dataclass(frozen=True)
class Prediction:
    """A grader's verdict on one graded answer, over its repeated gradings."""

    item: GradedAnswer
    scores: tuple[float, ...]  # 0-10, one per repetition
    grade: Grade  # the first grading, kept for its mistakes and notes
    label: str | None = None
    scaled: tuple[float, ...] = ()  # each score on the dataset's own scale
    fell_back: bool = False  # the fallback grader graded some of it: a repetition or a reference

    @property
    def score(self) -> float:
        return statistics.fmean(self.scores)

    @property
    def on_scale(self) -> float:
        """The predicted score on the dataset's own scale."""
        return statistics.fmean(self.scaled)


@dataclass(frozen=True)
class Report:
    """The metrics of one grader on one dataset: over every answer, and over those it graded itself."""

    dataset: str
    split: str
    grader: str
    metrics: dict[str, float]  # every answer, whichever grader graded it
    predictions: list[Prediction] = field(repr=False)
    own_metrics: dict[str, float] = field(default_factory=dict)  # the answers that did not fall back

    @property
    def has_fallback(self) -> bool:
        """True for a grader the fallback grader stands in for when it fails (the LLM)."""
        return self.grader != FALLBACK_GRADER

    @property
    def fell_back(self) -> int:
        """How many answers the fallback grader graded, wholly or in part."""
        return sum(p.fell_back for p in self.predictions)


def default_pass_mark(grader: Grader, dataset: Dataset) -> float:
    """The pass mark the grader was fitted with for this benchmark, else the middle of the scale."""
    return getattr(grader, "pass_marks", {}).get(dataset.name, DEFAULT_PASS_MARK)


def scaler(grader: Grader, dataset: Dataset):
    """Maps a 0-10 score to a fraction of the dataset's maximum: the grader's own calibration for
    this benchmark where it has one (fitted on its training split), else proportionally."""
    model = getattr(grader, "model", None)
    if model is not None and dataset.name in getattr(model, "scales", {}):
        return lambda score: model.on_scale(dataset.name, score)
    return lambda score: score / 10.0


def reference_grades(grader: Grader, item: GradedAnswer) -> list[Grade]:
    """The answer's grade against each of its acceptable references."""
    return [grader.grade(question, item.answer) for question in item.questions]


def best_grade(grades: list[Grade]) -> Grade:
    """The grade against whichever acceptable reference suits the answer best."""
    return max(grades, key=lambda g: g.score)


def label_of(grade: Grade, labels: tuple[str, ...], pass_mark: float) -> str | None:
    """'correct' at or above the pass mark; below it 'contradictory' when a 3-way dataset's answer
    was caught stating something wrong, else 'incorrect'."""
    if not labels:
        return None
    if grade.score >= pass_mark:
        return "correct"
    if "contradictory" in labels and grade.mistakes:
        return "contradictory"
    return "incorrect"


def predict(grader: Grader, dataset: Dataset, pass_mark: float, repeat: int = 1,
            quiet: bool = False) -> list[Prediction]:
    """Grade each answer REPEAT times behind a progress bar on stderr."""
    from tqdm import tqdm

    to_scale = scaler(grader, dataset)
    predictions = []
    for item in tqdm(dataset.items, desc=f"grading {dataset.name}", unit="answer", file=sys.stderr,
                     disable=quiet, leave=False):
        runs = [reference_grades(grader, item) for _ in range(repeat)]
        grades = [best_grade(run) for run in runs]
        scores = tuple(g.score for g in grades)
        fell_back = any(g.grader != grader.name for run in runs for g in run)
        predictions.append(Prediction(item, scores, grades[0], label_of(grades[0], dataset.labels, pass_mark),
                                      tuple(to_scale(s) * item.max_score for s in scores), fell_back))
    return predictions


def measure(dataset: Dataset, predictions: list[Prediction]) -> dict[str, float]:
    """n, correlations and error on the dataset's scale, kappa for integer grades, label scores."""
    if not predictions:
        return {"n": 0}
    predicted = [p.on_scale for p in predictions]
    actual = [p.item.score for p in predictions]
    result: dict[str, float] = {
        "n": len(predictions),
        "pearson": metrics.pearson(predicted, actual),
        "spearman": metrics.spearman(predicted, actual),
        "rmse": metrics.rmse(predicted, actual),
        "mean_predicted": statistics.fmean(predicted),
        "mean_human": statistics.fmean(actual),
        "share_flagged_wrong": sum(bool(p.grade.mistakes) for p in predictions) / len(predictions),
    }
    if dataset.integer_scores and not dataset.labels:
        result["qwk"] = metrics.quadratic_weighted_kappa([round(p) for p in predicted],
                                                          [round(a) for a in actual])
    if dataset.labels:
        labels_predicted = [p.label for p in predictions]
        labels_actual = [p.item.label for p in predictions]
        codes = {label: code for code, label in enumerate(reversed(dataset.labels))}
        result["qwk"] = metrics.quadratic_weighted_kappa([codes[x] for x in labels_predicted],
                                                          [codes[x] for x in labels_actual])
        result["accuracy"] = metrics.accuracy(labels_predicted, labels_actual)
        result["macro_f1"] = metrics.macro_f1(labels_predicted, labels_actual, dataset.labels)
        result["weighted_f1"] = metrics.weighted_f1(labels_predicted, labels_actual, dataset.labels)
    if any(len(p.scores) > 1 for p in predictions):
        result.update(spread(predictions))
    result.update(checklist_measures(predictions))
    return result


def checklist_measures(predictions: list[Prediction]) -> dict[str, float]:
    """Checklist agreement and wrong statements caught, over the answers whose rows carry a human
    `checklist` (a status per key point, in the question's order) and `wrong_statements`."""
    checked = [p for p in predictions if isinstance(p.item.fields.get("checklist"), list)]
    if not checked:
        return {}
    human = [[entry.get("status") for entry in p.item.fields["checklist"]] for p in checked]
    predicted = [[k.status for k in p.grade.key_points] for p in checked]
    result = metrics.checklist_agreement(predicted, human)
    with_wrong = [p for p in checked if isinstance(p.item.fields.get("wrong_statements"), list)]
    if with_wrong:
        reported = [len(p.grade.mistakes) for p in with_wrong]
        human_wrong = [len(p.item.fields["wrong_statements"]) for p in with_wrong]
        result["wrong_statements_caught"] = metrics.wrong_statements_caught(reported, human_wrong)
    return result


def spread(predictions: list[Prediction]) -> dict[str, float]:
    """How much repeated gradings of the same answer disagree (0-10 scale)."""
    deviations = [statistics.pstdev(p.scores) for p in predictions]
    ranges = [max(p.scores) - min(p.scores) for p in predictions]
    return {
        "repeat_mean_std": statistics.fmean(deviations),
        "repeat_max_range": max(ranges),
        "repeat_share_unstable": sum(r > 0 for r in ranges) / len(ranges),
    }


def evaluate(grader: Grader, dataset: Dataset, pass_mark: float = DEFAULT_PASS_MARK, repeat: int = 1,
             quiet: bool = False) -> Report:
    """Grade the dataset and measure the grader: over every answer, and over the answers it graded itself."""
    predictions = predict(grader, dataset, pass_mark, repeat, quiet)
    own = [p for p in predictions if not p.fell_back]
    return Report(dataset.name, dataset.split, grader.name, measure(dataset, predictions), predictions,
                  measure(dataset, own))


def summary(report: Report) -> dict:
    """The metrics as one JSON-ready object: over every answer; for a grader with a fallback also
    'fell_back' (how many answers the fallback grader graded) and '<grader>_only' (the metrics over
    the answers the grader graded itself)."""
    result: dict = dict(report.metrics)
    if report.has_fallback:
        result["fell_back"] = report.fell_back
        result[f"{report.grader}_only"] = report.own_metrics
    return result


def output_rows(report: Report) -> list[dict]:
    """One JSON-ready object per item: its input fields, the prediction on the dataset's scale, the grader."""
    rows = []
    for p in report.predictions:
        row = dict(p.item.fields)
        row["predicted"] = round(p.on_scale, 4)
        if p.label is not None:
            row["predicted_label"] = p.label
        if len(p.scores) > 1:
            row["predicted_runs"] = [round(s, 4) for s in p.scaled]
        row["predicted_key_points"] = [{"key_point": k.text, "status": k.status} for k in p.grade.key_points]
        row["predicted_mistakes"] = [m.evidence for m in p.grade.mistakes]
        row["grader"] = p.grade.grader
        rows.append(row)
    return rows


def table(report: Report) -> str:
    """The metrics as an aligned two-column table; for a grader with a fallback, how many answers fell
    back, and when some did, the metrics over every answer and over the grader's own answers apart."""
    title = f"{report.dataset} / {report.split}, {report.grader} grader"
    if not report.has_fallback:
        return "\n".join([title, *metric_lines(report.metrics)])
    count, fell_back = report.metrics["n"], report.fell_back
    lines = [f"{title}: {fell_back} of {count} answers fell back to the {FALLBACK_GRADER} grader"]
    if not fell_back:
        return "\n".join([*lines, *metric_lines(report.metrics)])
    return "\n".join([
        *lines,
        f"all {count} answers ({report.grader} and {FALLBACK_GRADER} grades):",
        *metric_lines(report.metrics),
        f"the {count - fell_back} answers graded by the {report.grader} grader alone:",
        *metric_lines(report.own_metrics),
    ])


def metric_lines(values: dict[str, float]) -> list[str]:
    """One indented 'name  value' line per metric."""
    lines = []
    for name, value in values.items():
        shown = str(value) if name == "n" else "nan" if math.isnan(value) else f"{value:.3f}"
        lines.append(f"  {name:22s} {shown:>8s}")
    return lines

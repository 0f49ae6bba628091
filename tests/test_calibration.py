"""Your own standard: own grades beside the grader's in the real history, `stats` comparing them,
`calibrate` fitting an isotonic map from the grader's score to them (pool-adjacent-violators, 5-fold
cross-validation), every later grade mapped through it with a note, and `--reset` undoing it."""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.coaching import FollowUp, fold_follow_up
from interviewer.config import Settings
from interviewer.grading.calibration import (
    CalibrationError,
    calibrated_grade,
    calibration_path,
    cross_validated,
    fit,
    load_calibration,
    pool_adjacent_violators,
    save_calibration,
)
from interviewer.history import LOCAL_USER, open_history
from interviewer.models import Grade, KeyPointResult
from interviewer.practice.progress import progress
from interviewer.practice.records import PracticeRecord
from interviewer.runtime import Runtime
from interviewer.scoring import rounded_score
from interviewer.web.render import progress_summary

from .practice_history import save_records
from .test_history import data_folder

NOW = datetime.now(timezone.utc)
GRID = [x / 2 for x in range(21)]  # 0, 0.5, ..., 10
PARTIAL_ADAM = "Adam keeps a moving average of the gradients, like momentum."


def own_standard(grader_score: float) -> float:
    """The candidate's own grade as a known monotone function of the grader's: kinder, by less near 10."""
    return rounded_score(min(10.0, 2.0 + grader_score * 0.8))


def graded_pairs(count: int, noise: tuple[float, ...] = (0.0,), seed: int = 1) -> list[tuple[float, float]]:
    """COUNT (grader's score, own score) pairs, grader's scores spread over the grid, own = own_standard
    plus a deterministic pick from NOISE."""
    rng = random.Random(seed)
    pairs = []
    for n in range(count):
        raw = GRID[n % len(GRID)]
        pairs.append((raw, min(10.0, max(0.0, own_standard(raw) + rng.choice(noise)))))
    return pairs


def records(pairs: list[tuple[float, float]]) -> list[PracticeRecord]:
    return [PracticeRecord("F004-37", NOW - timedelta(hours=len(pairs) - n), raw, 10.0, own_score=own,
                           topics=("optimizers",)) for n, (raw, own) in enumerate(pairs)]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def agreement(output: str, row: str) -> float:
    """The mean absolute error on ROW of calibrate's report."""
    return float(re.search(rf"{row}\s+([0-9.]+)", output).group(1))


# pool-adjacent-violators and the map


def test_pool_adjacent_violators_on_known_inputs():
    assert pool_adjacent_violators([1, 2, 3]) == [1, 2, 3]
    assert pool_adjacent_violators([1, 3, 2, 4]) == [1, 2.5, 2.5, 4]
    assert pool_adjacent_violators([3, 2, 1]) == [2, 2, 2]
    assert pool_adjacent_violators([4, 5, 1, 6]) == [10 / 3] * 3 + [6]
    assert pool_adjacent_violators([1, 3, 2], [1, 1, 3]) == [1, 2.25, 2.25]
    assert pool_adjacent_violators([]) == []


def test_the_fit_pools_each_grader_score_and_interpolates_between_breakpoints():
    calibration = fit([(2, 4), (2, 6), (6, 5), (8, 9)])  # 2 -> mean 5, then 6 -> 5: no violation
    assert (calibration.xs, calibration.ys, calibration.pairs) == ((2, 6, 8), (5, 5, 9), 4)
    assert [calibration.score(x) for x in (0, 4, 7, 10)] == [5, 5, 7, 9]
    violating = fit([(1, 3), (2, 3), (3, 4), (3, 2), (4, 8)])  # the middle of a flat run is left out
    assert (violating.xs, violating.ys) == ((1, 3, 4), (3, 3, 8))
    assert violating.score(3.5) == 5.5


def test_cross_validation_measures_the_agreement_gained():
    result = cross_validated(graded_pairs(42))
    assert (result.pairs, result.folds) == (42, 5)
    assert result.after_mae < 0.1 < 0.8 < result.before_mae
    assert result.after_r > 0.99


# the command


def test_calibrate_recovers_a_noise_free_standard_and_shows_the_agreement_gained(user_folders):
    save_records(data_folder(user_folders), records(graded_pairs(42)))
    result = run("calibrate")
    assert result.exit_code == 0, result.output
    assert "Fitted on 42 of your own grades" in result.output and "5-fold" in result.output
    assert agreement(result.output, "calibrated") < agreement(result.output, "grader as is")
    saved = load_calibration(data_folder(user_folders), LOCAL_USER)
    assert saved is not None and saved.pairs == 42
    assert calibration_path(data_folder(user_folders), LOCAL_USER).name == "local.json"
    for raw in GRID + [0.25, 3.75, 9.9]:
        assert abs(saved.score(raw) - own_standard(raw)) <= 0.5, raw


def test_calibrate_recovers_a_noisy_standard(user_folders):
    save_records(data_folder(user_folders), records(graded_pairs(84, noise=(-0.5, 0.0, 0.0, 0.5))))
    result = run("calibrate")
    assert result.exit_code == 0, result.output
    assert agreement(result.output, "calibrated") < agreement(result.output, "grader as is")
    saved = load_calibration(data_folder(user_folders), LOCAL_USER)
    assert saved.ys == tuple(sorted(saved.ys))
    for raw in GRID:
        assert abs(saved.score(raw) - own_standard(raw)) <= 0.5, raw


def test_fewer_than_twenty_own_grades_says_how_many_more(user_folders):
    save_records(data_folder(user_folders), records(graded_pairs(7)))
    result = CliRunner().invoke(cli, ["calibrate"])
    assert result.exit_code != 0
    assert "at least 20 of your own grades; you have 7: give 13 more" in result.output
    assert load_calibration(data_folder(user_folders), LOCAL_USER) is None


def test_reset_removes_the_calibration(user_folders):
    save_records(data_folder(user_folders), records(graded_pairs(21)))
    assert run("calibrate").exit_code == 0
    assert calibration_path(data_folder(user_folders), LOCAL_USER).exists()
    result = run("calibrate", "--reset")
    assert result.exit_code == 0 and "Removed local's calibration" in result.output
    assert load_calibration(data_folder(user_folders), LOCAL_USER) is None
    assert "no calibration to remove" in run("calibrate", "--reset").output


def test_the_map_is_each_users_own(user_folders):
    save_records(data_folder(user_folders), records(graded_pairs(21)), user="ann")
    assert CliRunner().invoke(cli, ["calibrate"]).exit_code != 0  # local has no own grades
    assert run("calibrate", "--user", "ann").exit_code == 0
    assert load_calibration(data_folder(user_folders), "ann") is not None
    assert load_calibration(data_folder(user_folders), LOCAL_USER) is None


# own grades in the terminal, stats, and grades given after calibrating


def test_stats_compares_own_grades_with_the_graders(user_folders):
    pairs = [(4.0, 6.0), (6.0, 6.5), (8.0, 7.0), (5.0, 5.0)]
    save_records(data_folder(user_folders), records(pairs) + [
        PracticeRecord("F004-36", NOW, 3.0, 10.0, topics=("optimizers",))])
    data = json.loads(run("stats", "--json").output)
    assert data["own_grades"] == {"count": 4, "mean_difference": 0.38, "mean_abs_difference": 0.88,
                                  "share_over_one_point": 0.25}
    text = run("stats").output
    assert "Your grades vs the grader's" in text and "+0.4" in text and "25%" in text
    history = open_history("", data_folder(user_folders))
    mine = progress(history.practice_records(LOCAL_USER), {}, NOW.astimezone())
    history.close()
    assert "Your own grades: **4** · yours minus the grader's **+0.4**" in progress_summary(mine)


def test_a_grade_after_calibrating_is_mapped_and_says_so(user_folders):
    before = run("grade", "-q", "F004-37", "-a", PARTIAL_ADAM, "--offline", "--json", "--my-grade", "6",
                 "--my-reason", "I named momentum")
    assert before.exit_code == 0, before.output
    raw = json.loads(before.stdout)["score"]
    history = open_history("", data_folder(user_folders))
    [entry] = history.entries(LOCAL_USER)
    assert (entry.own_score, entry.own_reason, entry.score) == (6.0, "I named momentum", raw)
    save_records(data_folder(user_folders), records(graded_pairs(40)))
    assert run("calibrate").exit_code == 0
    calibration = load_calibration(data_folder(user_folders), LOCAL_USER)
    mapped = calibration.score(raw)
    assert mapped != raw

    after = run("grade", "-q", "F004-37", "-a", PARTIAL_ADAM, "--offline")
    assert after.exit_code == 0
    assert f"Score: {mapped:g}/10" in after.output
    assert f"Calibrated to your own grades: {raw:.1f} -> {mapped:.1f}" in after.output
    newest = history.entries(LOCAL_USER)[0]
    assert newest.score == mapped and newest.grade.raw_score == raw  # the raw score kept in the history

    assert run("calibrate", "--reset").exit_code == 0
    plain = json.loads(run("grade", "-q", "F004-37", "-a", PARTIAL_ADAM, "--offline", "--json").stdout)
    assert plain["score"] == raw and plain["raw_score"] is None
    history.close()


def test_ask_answer_records_my_grade_too(user_folders):
    result = run("ask", "-q", "F004-37", "-a", PARTIAL_ADAM, "--offline", "--my-grade", "4.5")
    assert result.exit_code == 0 and "Recorded your grade, 4.5/10" in result.output
    history = open_history("", data_folder(user_folders))
    [entry] = history.entries(LOCAL_USER)
    assert (entry.own_score, entry.own_reason) == (4.5, "")
    history.close()


def test_my_grade_needs_an_answer_and_a_grade_from_0_to_10():
    assert CliRunner().invoke(cli, ["ask", "--my-grade", "5"]).exit_code == 2
    result = CliRunner().invoke(cli, ["grade", "-q", "F004-37", "-a", "x", "--my-grade", "11"])
    assert result.exit_code == 2 and "0<=x<=10" in result.output.replace(" ", "")


def test_each_login_is_graded_by_its_own_map_in_an_interview_and_after_a_restart(index, tmp_path):
    runtime = Runtime(Settings(cache_dir=tmp_path, data_dir=tmp_path), index=index)
    save_calibration(fit(graded_pairs(21)), tmp_path, "ann")
    question = runtime.bank.get("F004-37")
    ann = runtime.interview([question], "offline", user="ann").answer(PARTIAL_ADAM)
    local = runtime.interview([question], "offline").answer(PARTIAL_ADAM)
    assert ann.raw_score == local.score and ann.score == own_standard(local.score) != local.score
    assert ann.notes[-1].startswith("Calibrated to your own grades") and local.raw_score is None
    saved = runtime.history.save_answer("ann", "s", question.id, question.topics, PARTIAL_ADAM)
    assert runtime.grade_saved(user=None) == 1  # as the web server does at its start, for every user
    assert runtime.history.entry("ann", saved).score == ann.score


def test_a_follow_up_moves_the_raw_score_with_the_calibrated_one():
    points = (KeyPointResult("moments", "covered"), KeyPointResult("bias", "missed"))
    first = calibrated_grade(Grade("F004-37", 5.0, "offline", points, "", ""), fit(graded_pairs(21)))
    better = Grade("F004-37", 5.0, "offline", (KeyPointResult("bias", "covered"),), "", "")
    folded = fold_follow_up(first, better, FollowUp("Why correct the bias?", "bias"))
    assert (first.raw_score, first.score) == (5.0, 6.0)
    assert (folded.raw_score, folded.score) == (7.5, 8.5)  # half of the 5 points the key point is worth


def test_a_damaged_map_says_how_to_fix_it(tmp_path):
    path = calibration_path(tmp_path, LOCAL_USER)
    path.parent.mkdir()
    path.write_text("{not json")
    with pytest.raises(CalibrationError, match="calibrate --reset"):
        load_calibration(tmp_path, LOCAL_USER)
    assert calibration_path(tmp_path, "../ann").parent == path.parent  # an odd login name is hashed

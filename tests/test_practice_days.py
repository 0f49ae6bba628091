"""A candidate who practised on three days sees on the fourth what is due, what they keep missing and how
they are trending. The grades are the shipped grader's, the history is the real one (the days' answers
reach it as an earlier version's answer log, the one way past days' answers come in), and `stats` and
`review` read it as a user runs them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from click.testing import CliRunner

from interviewer.cli import cli

from .test_cli import GOOD_ADAM
from .test_history import data_folder

WEAK_RMSPROP = "RMSprop is an optimizer that people use."
DAYS = [  # (days ago, question, answer)
    (3.2, "F004-36", WEAK_RMSPROP),
    (3.1, "F004-37", GOOD_ADAM),
    (2.2, "F004-36", WEAK_RMSPROP),
    (1.2, "F004-37", GOOD_ADAM),
]


def practised(user_folders, grader, bank) -> list[float]:
    """The answers of DAYS graded and written to the answer log; their scores."""
    # days ago are counted back from today's local noon, so that each answer falls on the same local day
    # whatever the hour the test runs at (from now, 1.2 days ago is two days ago before 04:48)
    noon = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    lines, scores = [], []
    for number, (days_ago, question_id, answer) in enumerate(DAYS):
        grade = grader.grade(bank.get(question_id), answer)
        scores.append(grade.score)
        entry = f"day{number:09d}"
        when = (noon - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S")
        lines += [json.dumps({"id": entry, "time": when, "question_id": question_id, "answer": answer}),
                  json.dumps({"id": entry, "grade": grade.to_dict()})]
    folder = data_folder(user_folders)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "answers.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return scores


def test_on_the_fourth_day_stats_show_what_is_due_missed_and_trending(user_folders, grader, bank):
    scores = practised(user_folders, grader, bank)
    result = CliRunner().invoke(cli, ["stats", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["answers"] == 4 and stats["streak_days"] == 3
    assert [day["mean_score"] for day in stats["trend"]] == [
        (scores[0] + scores[1]) / 2, scores[2], scores[3]]
    assert stats["due_now"][0]["question"] == "F004-36"  # failed twice, the last two days ago: most overdue
    rmsprop = set(bank.get("F004-36").key_points)
    weakest = stats["weakest_key_points"][0]
    assert weakest["text"] in rmsprop and weakest["misses"] == 2 and weakest["questions"] == ["F004-36"]


def test_on_the_fourth_day_review_asks_what_is_due(user_folders, grader, bank):
    practised(user_folders, grader, bank)
    result = CliRunner().invoke(cli, ["review", "--count", "1"], input="/skip\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert bank.get("F004-36").question in result.output
    assert bank.get("F004-37").question not in result.output

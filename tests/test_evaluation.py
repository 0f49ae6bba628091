"""Loading the human-graded benchmarks and JSONL files, and `interviewer eval` on small slices."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.corpus import load_bank
from interviewer.errors import CorpusError, InterviewerError
from interviewer.evaluation.datasets import default_data_dir, load_dataset, load_jsonl

from .conftest import CORPUS
from .fake_llm_server import FakeLLMServer, Reply

ROOT = Path(__file__).resolve().parent.parent
DL0018_KEY_POINTS = load_bank(CORPUS).get("DL0018").key_points
BENCHMARKS = default_data_dir()
needs_benchmarks = pytest.mark.skipif(
    not (BENCHMARKS / "saf").is_dir(),
    reason=f"shared benchmarks not found at {BENCHMARKS}; set INTERVIEWER_BENCHMARKS",
)

# Answers per split, counted in the XML files with grep.
EXPECTED_COUNTS = [
    ("saf", "training", 1476),
    ("saf", "unseen_answers", 252),
    ("semeval-sciEntsBank", "training", 4969),
    ("semeval-sciEntsBank", "test-unseen-answers", 540),
    ("semeval-sciEntsBank", "test-unseen-questions", 733),
    ("semeval-sciEntsBank", "test-unseen-domains", 4562),
    ("semeval-beetle", "training", 3941),
    ("semeval-beetle", "test-unseen-answers", 439),
    ("semeval-beetle", "test-unseen-questions", 819),
]


@needs_benchmarks
@pytest.mark.parametrize(("name", "split", "count"), EXPECTED_COUNTS)
def test_every_benchmark_file_parses(name, split, count):
    dataset = load_dataset(name, BENCHMARKS, split, ways=3)
    assert len(dataset.items) == count
    for item in dataset.items:
        assert item.questions and all(q.reference and q.key_points and q.question for q in item.questions)
        assert 0 <= item.score <= item.max_score
        if dataset.labels:
            assert item.label in dataset.labels


@needs_benchmarks
def test_semeval_two_way_folds_contradictory_into_incorrect():
    three = load_dataset("semeval-beetle", BENCHMARKS, "test-unseen-answers", ways=3)
    two = load_dataset("semeval-beetle", BENCHMARKS, "test-unseen-answers", ways=2)
    assert {i.label for i in three.items} == {"correct", "contradictory", "incorrect"}
    assert {i.label for i in two.items} == {"correct", "incorrect"}
    assert [i.label == "correct" for i in three.items] == [i.label == "correct" for i in two.items]


@needs_benchmarks
def test_beetle_keeps_every_acceptable_reference():
    dataset = load_dataset("semeval-beetle", BENCHMARKS, "training")
    assert max(len(item.questions) for item in dataset.items) > 1


def test_unknown_dataset_and_split_are_named():
    with pytest.raises(InterviewerError, match="unknown dataset 'nope'"):
        load_dataset("nope", BENCHMARKS)
    with pytest.raises(InterviewerError, match="no split 'dev'"):
        load_dataset("saf", BENCHMARKS, "dev")


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "graded.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"question": "What does dropout do?", "reference": "Dropout randomly zeroes activations "
                   "during training. It reduces overfitting.", "answer": "It drops units.", "score": 2,
                   "max_score": 4})


def test_jsonl_rows_become_graded_answers(tmp_path, bank):
    by_id = json.dumps({"question_id": "ML0023", "answer": "x", "score": 1, "max_score": 10})
    with_points = json.dumps({"question": "Q?", "reference": "R.", "key_points": ["a b", "c d"],
                              "answer": "a", "score": 0.5, "max_score": 1, "split": "dev"})
    dataset = load_jsonl(write(tmp_path, [GOOD, "", by_id, with_points]), bank.get)
    first, second, third = dataset.items
    assert first.questions[0].key_points == ("Dropout randomly zeroes activations during training.",
                                             "It reduces overfitting.")
    assert second.questions[0] == bank.get("ML0023")
    assert third.questions[0].key_points == ("a b", "c d")
    assert [i.answer for i in load_jsonl(write(tmp_path, [GOOD, with_points]), None, "dev").items] == ["a"]


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps({"question": "q", "reference": "r", "answer": "a", "max_score": 1}), "missing field 'score'"),
    (json.dumps({"question": "q", "reference": "r", "answer": "a", "score": "high", "max_score": 1}),
     "field 'score' must be a number"),
    (json.dumps({"question": "q", "reference": "r", "answer": "a", "score": 3, "max_score": 2}),
     "not between 0 and max_score"),
    (json.dumps({"answer": "a", "score": 1, "max_score": 2}), "missing field 'question'"),
    (json.dumps({"question_id": "NOPE1", "answer": "a", "score": 1, "max_score": 2}), "no question with id"),
    (json.dumps({"question_id": "F004-02", "answer": "a", "score": 1, "max_score": 2,
                 "checklist": [{"key_point": "x", "status": "covered"}]}), "'checklist' has 1 entries"),
    (json.dumps({"question_id": "F004-02", "answer": "a", "score": 1, "max_score": 2,
                 "checklist": [{"status": "covered"}, {"status": "done"}]}),
     "entry 2: status must be one of"),
    (json.dumps({"question_id": "F004-02", "answer": "a", "score": 1, "max_score": 2,
                 "wrong_statements": "all of it"}), "'wrong_statements' must be a list"),
    (json.dumps({"question_id": "F004-02", "answer": "a", "score": 1, "max_score": 2,
                 "checklist": [{"status": "covered"}, {"key_point": "An old wording.", "status": "missed"}]}),
     "entry 2: key point .* is not key point 2 of question F004-02"),
])
def test_a_malformed_jsonl_line_is_an_error_naming_its_line(tmp_path, bank, line, message):
    path = write(tmp_path, [GOOD, line])
    with pytest.raises(CorpusError, match=message) as caught:
        load_jsonl(path, bank.get)
    assert f"{path}:2:" in str(caught.value)


def test_eval_cli_reports_a_malformed_line_and_exits_non_zero(tmp_path):
    path = write(tmp_path, [GOOD, "{oops"])
    result = CliRunner().invoke(cli, ["eval", str(path)])
    assert result.exit_code != 0
    assert f"{path}:2: not valid JSON" in result.output


@needs_benchmarks
def test_eval_cli_on_a_slice_of_semeval_writes_metrics_and_rows(tmp_path):
    out = tmp_path / "rows.jsonl"
    result = CliRunner().invoke(cli, ["eval", "semeval-sciEntsBank", "--limit", "30", "--ways", "3",
                                      "--json", "--out", str(out), "--data-dir", str(BENCHMARKS)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n"] == 30
    for name in ("pearson", "spearman", "rmse", "qwk", "accuracy", "macro_f1", "weighted_f1"):
        assert -1 <= report[name] <= 1 or name == "rmse"
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 30
    assert {"answer", "label", "predicted", "predicted_label", "grader"} <= set(rows[0])
    assert all(0 <= r["predicted"] <= 1 and r["grader"] == "offline" for r in rows)


@needs_benchmarks
def test_eval_cli_on_a_slice_of_saf_prints_a_table():
    result = CliRunner().invoke(cli, ["eval", "saf", "--limit", "20", "--data-dir", str(BENCHMARKS)])
    assert result.exit_code == 0, result.output
    assert "saf / unseen_answers, offline grader" in result.output
    assert "pearson" in result.output and "qwk" not in result.output  # SAF grades are not integers


def test_eval_cli_on_a_jsonl_file_of_bank_questions(tmp_path, index):
    rows = [{"question_id": "DL0018", "answer": index.bank.get("DL0018").reference, "score": 10,
             "max_score": 10},
            {"question_id": "DL0018", "answer": "I like pizza.", "score": 0, "max_score": 10}]
    path = write(tmp_path, [json.dumps(r) for r in rows])
    result = CliRunner().invoke(cli, ["eval", str(path), "--json", "--repeat", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n"] == 2 and report["pearson"] == pytest.approx(1.0)
    assert report["repeat_max_range"] == 0.0  # the offline grader is deterministic
    assert "qwk" in report


INTERVIEW_DEV = BENCHMARKS / "interview" / "dev.jsonl"


@pytest.mark.skipif(not INTERVIEW_DEV.is_file(), reason=f"{INTERVIEW_DEV} not found")
def test_eval_cli_on_the_interview_dev_set_reports_the_checklist(tmp_path):
    out = tmp_path / "rows.jsonl"
    result = CliRunner().invoke(cli, ["eval", str(INTERVIEW_DEV), "--limit", "12", "--json",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("status_agreement", "covered_precision", "false_credit", "wrong_statements_caught"):
        assert 0 <= report[name] <= 1, name
    assert report["key_points"] == 4 * 4 + 8 * 2  # F004-01 has 4 key points, F004-02 and F004-03 two
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    for row in rows:
        predicted = [k["key_point"] for k in row["predicted_key_points"]]
        assert predicted == [c["key_point"] for c in row["checklist"]]
        assert {k["status"] for k in row["predicted_key_points"]} <= {"covered", "partial", "missed", "wrong"}
        assert isinstance(row["predicted_mistakes"], list)
        assert all(m in row["answer"] for m in row["predicted_mistakes"])


FAILS_HERE = "Zanzibar"  # an answer holding this word makes the fake LLM server fail


def llm_reply_for(request: dict) -> Reply:
    """500 for an answer holding FAILS_HERE; else every key point of DL0018 whose text the answer holds
    covered, quoting it, and a score of 10 when all are, 0 when none is."""
    prompt = request["messages"][-1]["content"]
    answer = prompt[prompt.index("BEGIN ANSWER"):]
    if FAILS_HERE in answer:
        return Reply(status=500, body='{"error": {"message": "boom"}}')
    held = [n for n, text in enumerate(DL0018_KEY_POINTS, 1) if text in answer]
    covered = [{"key_point": n, "status": "covered", "evidence": DL0018_KEY_POINTS[n - 1]} for n in held]
    score = 10 if len(held) == len(DL0018_KEY_POINTS) else 0
    return Reply(content=json.dumps({"key_points": covered, "mistakes": [], "score": score,
                                     "feedback": "Graded by the fake server."}))


def eval_against(server: FakeLLMServer, monkeypatch, *args: str):
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("INTERVIEWER_RETRIES", "0")
    return CliRunner().invoke(cli, ["eval", *args], catch_exceptions=False)


def dl0018_rows(tmp_path: Path, answers_and_scores: list[tuple[str, int]]) -> Path:
    return write(tmp_path, [json.dumps({"question_id": "DL0018", "answer": answer, "score": score,
                                        "max_score": 10}) for answer, score in answers_and_scores])


def test_eval_with_a_failing_llm_reports_that_every_answer_fell_back(tmp_path, index, monkeypatch):
    full = " ".join(DL0018_KEY_POINTS)
    path = dl0018_rows(tmp_path, [(f"{FAILS_HERE}! {full}", 10), (f"{FAILS_HERE} is an island.", 0)])
    out = tmp_path / "rows.jsonl"
    with FakeLLMServer(lambda request: Reply(status=500, body="{}")) as server:
        shown = eval_against(server, monkeypatch, str(path), "--grader", "llm", "--out", str(out))
        summary = eval_against(server, monkeypatch, str(path), "--llm", "--json")
    assert shown.exit_code == 0, shown.output
    assert "graded / all, llm grader: 2 of 2 answers fell back to the offline grader" in shown.stdout
    assert re.search(r"the 0 answers graded by the llm grader alone:\n  n +0$", shown.stdout, re.M)
    assert {json.loads(line)["grader"] for line in out.read_text().splitlines()} == {"offline"}
    report = json.loads(summary.stdout.strip().splitlines()[-1])
    assert report["n"] == 2 and report["fell_back"] == 2 and report["llm_only"] == {"n": 0}


def test_eval_with_an_llm_that_fails_on_some_answers_measures_the_llm_alone(tmp_path, index, monkeypatch):
    full = " ".join(DL0018_KEY_POINTS)
    # the LLM grades the first two exactly (10 and 0); the offline grader grades the last two
    path = dl0018_rows(tmp_path, [(full, 10), ("I would rather talk about pizza toppings.", 0),
                                  (f"{FAILS_HERE}! {full}", 0), (f"{FAILS_HERE} is an island.", 10)])
    out = tmp_path / "rows.jsonl"
    with FakeLLMServer(llm_reply_for) as server:
        result = eval_against(server, monkeypatch, str(path), "--grader", "llm", "--json", "--out", str(out))
        shown = eval_against(server, monkeypatch, str(path), "--grader", "llm")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["grader"] for r in rows] == ["llm", "llm", "offline", "offline"]
    assert [r["predicted"] for r in rows[:2]] == [10, 0]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n"] == 4 and report["fell_back"] == 2
    squared_errors = [(r["predicted"] - r["score"]) ** 2 for r in rows]
    assert report["rmse"] == pytest.approx(math.sqrt(sum(squared_errors) / 4)) and report["rmse"] > 0
    alone = report["llm_only"]
    assert alone["n"] == 2 and alone["pearson"] == pytest.approx(1.0) and alone["qwk"] == pytest.approx(1.0)
    assert alone["rmse"] == 0.0 and alone["mean_predicted"] == alone["mean_human"] == 5.0
    assert "graded / all, llm grader: 2 of 4 answers fell back to the offline grader" in shown.stdout
    assert "all 4 answers (llm and offline grades):" in shown.stdout
    assert re.search(r"the 2 answers graded by the llm grader alone:\n  n +2\n  pearson +1\.000$",
                     shown.stdout, re.M)


def test_eval_of_the_offline_grader_says_nothing_about_falling_back(tmp_path, index):
    path = dl0018_rows(tmp_path, [(" ".join(DL0018_KEY_POINTS), 10), ("I like pizza.", 0)])
    result = CliRunner().invoke(cli, ["eval", str(path), "--json"])
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n"] == 2 and "fell_back" not in report and "llm_only" not in report

"""The LLM's JSON is checked against the question and the answer: repaired where it can be, else rejected."""

from __future__ import annotations

import pytest

from interviewer.grading.llm import grade_from_reply, grade_schema
from interviewer.llm import LLMError, extract_json
from interviewer.models import Question, Source

QUESTION = Question(
    id="Q1",
    question="How does Adam work?",
    reference="Adam combines momentum with RMSProp and corrects the bias of both averages.",
    key_points=("Adam keeps a moving average of the gradients.",
                "Adam keeps a moving average of the squared gradients.",
                "Both averages are bias-corrected."),
    topics=("optimizers",),
    source=Source("test", 1),
)
ANSWER = "Adam keeps a running mean of the gradients, like momentum. It also scales steps per parameter."


def reply(**values) -> dict:
    data = {
        "key_points": [{"key_point": 1, "status": "covered",
                        "evidence": "Adam keeps a running mean of the gradients"}],
        "mistakes": [],
        "score": 4,
        "feedback": "You explained the first moment well.",
    }
    return {**data, **values}


def test_a_valid_reply_becomes_a_grade_in_the_offline_shape():
    grade = grade_from_reply(QUESTION, ANSWER, reply(), "smol")
    data = grade.to_dict()
    assert data["grader"] == "llm" and data["model"] == "smol" and data["score"] == 3.5
    assert [k["status"] for k in data["key_points"]] == ["covered", "missed", "missed"]
    assert [k["text"] for k in data["key_points"]] == list(QUESTION.key_points)
    assert data["feedback"] == "You explained the first moment well." and data["reference"]


@pytest.mark.parametrize(("given", "shown"), [(15, 3.5), (-3, 0), ("3/10", 3), ("2.74", 2.5)])
def test_the_score_is_clamped_to_range_and_to_what_the_checklist_supports(given, shown):
    assert grade_from_reply(QUESTION, ANSWER, reply(score=given), "m").score == shown


@pytest.mark.parametrize("score", [None, "ten", [], True, float("nan")])
def test_a_score_that_is_not_a_number_is_rejected(score):
    with pytest.raises(LLMError, match="score was not a number"):
        grade_from_reply(QUESTION, ANSWER, reply(score=score), "m")


@pytest.mark.parametrize("data", [{"score": 5}, {"key_points": "all of them", "score": 5},
                                  {"key_points": [], "mistakes": "none", "score": 5}])
def test_a_reply_of_the_wrong_shape_is_rejected(data):
    with pytest.raises(LLMError, match="did not match the schema"):
        grade_from_reply(QUESTION, ANSWER, data, "m")


def test_key_points_not_in_the_question_are_dropped_and_missing_ones_filled_as_missed():
    items = [
        {"key_point": 7, "status": "covered", "evidence": "It also scales steps per parameter"},
        {"key_point": "Adam uses a learning rate schedule", "status": "covered", "evidence": "Adam keeps"},
        {"key_point": "2", "status": "partial", "evidence": "It also scales steps per parameter"},
        {"key_point": 2, "status": "covered", "evidence": "It also scales steps per parameter"},
        "not an object",
    ]
    grade = grade_from_reply(QUESTION, ANSWER, reply(key_points=items, score=3), "m")
    assert [k.status for k in grade.key_points] == ["missed", "partial", "missed"]


def test_a_key_point_can_be_named_by_its_text():
    items = [{"key_point": "both averages are  BIAS-corrected", "status": "Partially covered",
              "evidence": "like momentum"}]
    grade = grade_from_reply(QUESTION, ANSWER, reply(key_points=items, score=2), "m")
    assert grade.key_points[2].status == "partial"


@pytest.mark.parametrize(("word", "status"), [
    ("COVERED", "covered"), ("yes", "covered"), (" partial ", "partial"), ("not covered", "missed"),
    ("banana", "missed"), (3, "missed"),
])
def test_statuses_are_normalised(word, status):
    items = [{"key_point": 1, "status": word, "evidence": "Adam keeps a running mean of the gradients"}]
    assert grade_from_reply(QUESTION, ANSWER, reply(key_points=items), "m").key_points[0].status == status


def test_evidence_that_is_not_a_quote_from_the_answer_is_dropped_and_the_point_missed():
    items = [{"key_point": 1, "status": "covered", "evidence": "Adam keeps a moving average of gradients."},
             {"key_point": 2, "status": "covered", "evidence": "“it also SCALES steps per parameter.”"},
             {"key_point": 3, "status": "covered", "evidence": "Adam"}]
    grade = grade_from_reply(QUESTION, ANSWER, reply(key_points=items, score=9), "m")
    assert [k.status for k in grade.key_points] == ["missed", "covered", "missed"]
    assert grade.key_points[0].evidence == "" and grade.key_points[1].evidence
    assert grade.score == 3.5


def test_evidence_with_an_ellipsis_must_quote_each_piece():
    items = [{"key_point": 1, "status": "covered", "evidence": "Adam keeps a running ... like momentum"},
             {"key_point": 2, "status": "covered", "evidence": "Adam keeps a running ... invented words"}]
    grade = grade_from_reply(QUESTION, ANSWER, reply(key_points=items, score=9), "m")
    assert [k.status for k in grade.key_points] == ["covered", "missed", "missed"]


def test_mistakes_must_quote_the_answer():
    mistakes = [{"claim": "Adam does not scale per parameter.", "evidence": "scales steps per parameter"},
                {"claim": "Invented.", "evidence": "Adam uses second-order Hessians"},
                {"claim": 4, "evidence": "like momentum"}]
    grade = grade_from_reply(QUESTION, ANSWER, reply(mistakes=mistakes), "m")
    assert [m.claim for m in grade.mistakes] == ["Adam does not scale per parameter."]


@pytest.mark.parametrize("feedback", [None, "", "...", "OK", 42])
def test_missing_feedback_is_written_from_the_checklist(feedback):
    grade = grade_from_reply(QUESTION, ANSWER, reply(feedback=feedback), "m")
    assert grade.feedback.startswith("You covered 1 of 3 key points")


def test_the_schema_names_the_question_key_points_by_number():
    schema = grade_schema(QUESTION)
    item = schema["properties"]["key_points"]["items"]["properties"]
    assert item["key_point"]["enum"] == [1, 2, 3]
    assert item["status"]["enum"] == ["covered", "partial", "missed"]
    assert set(schema["required"]) == {"key_points", "mistakes", "score", "feedback"}


@pytest.mark.parametrize("text", ['{"score": 3}', 'Here: {"score": 3} done', '```json\n{"score": 3}\n```',
                                  ' {"score": 3} {"score": 4}'])
def test_json_is_extracted_from_a_reply(text):
    assert extract_json(text) == {"score": 3}


@pytest.mark.parametrize("text", ["", "no json here", "[1, 2]", '{"unclosed": ',
                                  '{"key_points": [{"key_point": 5, "status": "covered"}], "mistakes": [{'])
def test_a_reply_without_a_json_object_is_rejected(text):
    with pytest.raises(LLMError, match="not JSON"):
        extract_json(text)

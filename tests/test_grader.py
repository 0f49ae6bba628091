"""The offline grader on good, partial, paraphrased, echoed, stuffed, empty and mistaken answers."""

from __future__ import annotations

import pytest

GOOD = {
    "DL0014": (
        "Mixed precision runs most operations in FP16 instead of FP32, and FP16 math is much faster on "
        "GPUs and TPUs that support it. Lower-bit numbers halve the memory footprint, so larger batch "
        "sizes fit. You get more computations per second, which means higher throughput. It also lets "
        "you train large models that would not fit in memory in full precision. With loss scaling the "
        "final accuracy is preserved."
    ),
    "F004-37": (
        "Adam keeps an exponential moving average of the gradients, the first moment, like momentum. "
        "It also keeps a moving average of the squared gradients, the second moment, like RMSProp. "
        "Both averages start at zero, so they are bias-corrected. Each parameter's update is the "
        "corrected first moment divided by the square root of the corrected second moment plus a small "
        "epsilon, so every parameter gets its own adaptive learning rate."
    ),
    "ML0044": (
        "A perceptron is a linear classifier: it takes a weighted sum of the input features, adds a "
        "bias and passes it through a step function to output 0 or 1. It only works when the data is "
        "linearly separable, so it cannot solve XOR. With a single layer it cannot model non-linear "
        "patterns, and it gives no probabilities or confidence, only a hard binary output."
    ),
}
PARAPHRASED = {  # the same content as the reference, in a candidate's own sentences and word order
    "DL0014": (
        "The point is speed: half-precision arithmetic is quicker than single precision on GPUs with "
        "tensor cores. Each value needs half as many bytes, so the model, activations and batches use "
        "less GPU memory, and a bigger batch or a bigger network fits. Loss scaling stops small gradients "
        "from vanishing in FP16, so you keep the accuracy of a float32 run."
    ),
    "ML0044": (
        "It's the simplest neural unit: multiply each input by a weight, add them up with a bias term, "
        "and threshold the total to pick one of two classes. Its decision boundary is a single line or "
        "hyperplane, so it fails on data that isn't linearly separable, XOR being the classic example. "
        "Being one layer it can't represent non-linear functions, and it returns a hard 0/1 label "
        "instead of a probability."
    ),
    "F004-37": (
        "Adam tracks two running averages per weight: the mean of recent gradients and the mean of their "
        "squares. Because both start at zero it rescales them early in training to remove that bias. "
        "The step for a weight is the averaged gradient divided by the root of the averaged squared "
        "gradient, which gives each weight its own effective learning rate, a bit like momentum combined "
        "with RMSProp."
    ),
}
PARTIAL = {
    "DL0014": "It makes training faster because FP16 math is quicker on GPUs.",
    "F004-37": "Adam adapts the learning rate for every parameter.",
}
ECHOES = {
    "DL0014": "The primary benefits of mixed precision training in deep learning are the benefits of "
              "using mixed precision training in deep learning.",
    "F004-37": "Adam is an optimizer and it is used most of the time in neural networks because Adam is "
               "what is used most of the time in NNs.",
    "ML0044": "The perceptron is a perceptron and it has limitations. "
              "Those are the perceptron's limitations.",
}
BUZZWORDS = {
    "DL0014": "FP16, FP32, GPU, memory, loss scaling, throughput, accuracy, tensor cores, batch size",
    "F004-37": "momentum, RMSProp, first moment, second moment, bias correction, epsilon, learning rate",
    "ML0044": "weights, bias, step function, XOR, linearly separable, hyperplane, binary, Rosenblatt",
}


@pytest.mark.parametrize("qid", sorted(GOOD))
def test_a_good_answer_scores_well(bank, grader, qid):
    grade = grader.grade(bank.get(qid), GOOD[qid])
    assert grade.score >= 6, grade
    covered = [k for k in grade.key_points if k.status == "covered"]
    assert len(covered) >= len(grade.key_points) // 2
    assert all(k.evidence and k.evidence in GOOD[qid] for k in covered)
    assert not grade.mistakes


@pytest.mark.parametrize("qid", sorted(PARAPHRASED))
def test_a_correct_answer_in_other_words_scores_well(bank, grader, qid):
    assert grader.grade(bank.get(qid), PARAPHRASED[qid]).score >= 5


@pytest.mark.parametrize("qid", sorted(PARTIAL))
def test_a_partial_answer_scores_between_nothing_and_a_good_answer(bank, grader, qid):
    question = bank.get(qid)
    partial = grader.grade(question, PARTIAL[qid])
    assert 1 <= partial.score < grader.grade(question, GOOD[qid]).score
    assert any(k.status != "missed" for k in partial.key_points)
    assert any(k.status == "missed" for k in partial.key_points)
    assert "Missed:" in partial.feedback


@pytest.mark.parametrize("qid", sorted(ECHOES))
def test_repeating_the_question_scores_low_and_covers_no_key_point(bank, grader, qid):
    grade = grader.grade(bank.get(qid), ECHOES[qid])
    assert grade.score <= 2
    assert {kp.status for kp in grade.key_points} == {"missed"}
    assert grade.notes == ("Your answer mostly restates the question: say what the key points are.",)


@pytest.mark.parametrize("qid", sorted(BUZZWORDS))
def test_a_list_of_buzzwords_scores_low(bank, grader, qid):
    assert grader.grade(bank.get(qid), BUZZWORDS[qid]).score <= 2


@pytest.mark.parametrize("answer", ["", "   \n\t", "...", "?"])
def test_an_empty_answer_scores_zero(bank, grader, answer):
    grade = grader.grade(bank.get("DL0014"), answer)
    assert grade.score == 0
    assert all(k.status == "missed" for k in grade.key_points)
    assert grade.reference == bank.get("DL0014").reference


def test_an_off_topic_answer_scores_low(bank, grader):
    answer = "Dropout randomly zeroes activations during training to reduce overfitting."
    assert grader.grade(bank.get("F004-37"), answer).score <= 2


def test_a_known_mistake_is_reported_and_costs_points(bank, grader):
    question = bank.get("F004-15")
    correct = ("Gradient descent is an optimization algorithm that minimizes the loss function. "
               "It repeatedly adjusts the parameters so the cost goes down and predictions improve.")
    wrong = correct + " " + question.mistakes[0]
    right_grade, wrong_grade = grader.grade(question, correct), grader.grade(question, wrong)
    assert [m.claim for m in wrong_grade.mistakes] == [question.mistakes[0]]
    assert wrong_grade.score < right_grade.score
    assert "Careful:" in wrong_grade.feedback and not right_grade.mistakes


def test_related_questions_lend_their_wording(bank, grader):
    question = bank.get("F004-06")
    assert "ML0044" in question.related
    answer = PARAPHRASED["ML0044"]
    assert grader.grade(question, answer).score >= 4


def test_the_grade_has_the_json_shape(bank, grader):
    data = grader.grade(bank.get("F004-37"), GOOD["F004-37"]).to_dict()
    assert {"question_id", "score", "grader", "key_points", "feedback", "reference"} <= set(data)
    assert data["grader"] == "offline" and 0 <= data["score"] <= 10
    assert all(k["status"] in ("covered", "partial", "missed") for k in data["key_points"])

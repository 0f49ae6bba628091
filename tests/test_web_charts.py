"""The summary's charts, drawn from interviews graded by the real offline grader: full wrapped titles,
a value on every bar (0 too), skipped questions marked, the candidate's grade beside the grader's, and
no chart when there is nothing to draw."""

from __future__ import annotations

import io

import pytest

from interviewer.web.charts import LABEL_WIDTH, question_chart, topic_chart

DONT_KNOW = "I don't know."  # graded 0 by the real grader's "I don't know" check
LONG_QUESTION = "F004-31"  # 93 characters, no title: its label must wrap, never be cut


def on(runtime, *ids: str):
    return runtime.interview([runtime.bank.get(i) for i in ids], "offline")


def labels(figure) -> list[str]:
    return [tick.get_text() for tick in figure.axes[0].get_yticklabels()]


def texts(figure) -> list[str]:
    """Every text drawn inside the axes: the values beside the bars and the 'skipped' marks."""
    return [text.get_text() for text in figure.axes[0].texts]


def bars_named(figure, name: str) -> list[float]:
    """The lengths of the bars of the series NAME, in drawing order."""
    series = [c for c in figure.axes[0].containers if c.get_label() == name]
    return [bar.get_width() for c in series for bar in c.patches]


def png(figure) -> bytes:
    """The figure as Gradio sends it (Plot(format='png') calls savefig)."""
    with io.BytesIO() as out:
        figure.savefig(out, format="png")
        return out.getvalue()


@pytest.fixture(scope="module")
def sitting(web_runtime):
    """A long question answered well and graded beside the candidate's own grade, "I don't know"
    (a score of 0), and a skipped question."""
    interview = on(web_runtime, LONG_QUESTION, "F004-37", "F004-36")
    interview.answer(" ".join(interview.current().reference_sentences))
    interview.disagree(7.5, "I left out the trade-offs")
    interview.next()
    interview.answer(DONT_KNOW)
    interview.next()
    interview.skip()
    assert interview.phase == "ended"
    return interview


def test_question_labels_are_the_full_questions_wrapped_not_cut(sitting):
    figure = question_chart(sitting.summary())
    shown = labels(figure)
    questions = [t.question for t in sitting.turns]
    assert [" ".join(label.split()) for label in shown] == [f"{n}. {q.title or q.question}"
                                                          for n, q in enumerate(questions, 1)]
    long_label = shown[0]
    assert "\n" in long_label and max(len(line) for line in long_label.splitlines()) <= LABEL_WIDTH
    assert png(figure).startswith(b"\x89PNG")


def test_every_bar_carries_its_value_a_zero_too_and_a_skipped_question_is_marked(sitting):
    figure = question_chart(sitting.summary())
    first, zero = (t.grade.score for t in sitting.turns[:2])
    assert zero == 0 and first > 0
    assert bars_named(figure, "grader's score") == [first, 0.0]
    drawn = texts(figure)
    assert f"{first:g}" in drawn and "0" in drawn
    assert drawn.count("skipped") == 1


def test_the_candidates_grade_is_a_bar_beside_the_graders_with_a_legend(sitting):
    figure = question_chart(sitting.summary())
    assert bars_named(figure, "your grade") == [7.5]
    assert "7.5" in texts(figure)
    grader_bar = next(c for c in figure.axes[0].containers if c.get_label() == "grader's score").patches[0]
    own_bar = next(c for c in figure.axes[0].containers if c.get_label() == "your grade").patches[0]
    assert grader_bar.get_y() + grader_bar.get_height() == pytest.approx(own_bar.get_y())  # side by side
    legend = figure.legends[0]
    assert [text.get_text() for text in legend.get_texts()] == ["grader's score", "your grade"]


def test_the_topic_chart_has_each_topic_mean_as_a_value(sitting):
    summary = sitting.summary()
    figure = topic_chart(summary)
    assert [" ".join(label.split()) for label in labels(figure)] == list(summary.topic_scores)
    assert texts(figure) == [f"{mean:.1f}" for mean in summary.topic_scores.values()]
    assert png(figure).startswith(b"\x89PNG")


def test_no_chart_when_no_question_was_answered(web_runtime):
    interview = on(web_runtime, "F004-37")
    interview.end()
    assert question_chart(interview.summary()) is None and topic_chart(interview.summary()) is None


def test_only_skipped_questions_are_marked_and_have_no_topic_chart(web_runtime):
    interview = on(web_runtime, "F004-37", "F004-36")
    interview.skip()
    interview.skip()
    figure = question_chart(interview.summary())
    assert texts(figure) == ["skipped", "skipped"] and bars_named(figure, "grader's score") == []
    assert topic_chart(interview.summary()) is None


def test_charts_are_not_kept_by_pyplot(sitting):
    import matplotlib.pyplot as plt

    question_chart(sitting.summary())
    topic_chart(sitting.summary())
    assert plt.get_fignums() == []

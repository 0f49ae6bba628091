"""The web chat through gradio_client: two sessions driven at once stay apart."""

from __future__ import annotations

import re
import threading

import pytest

from interviewer.web.render import literal

from .conftest import serving

QUESTION = re.compile(r"\*\*Question \d+/\d+\*\* · `([^`]+)`")
ANSWERS = {
    "optimizers": "Momentum keeps a moving average of past gradients and steps along it.",
    "cnns": "A convolution slides a small shared filter over the image, so it needs few weights.",
}


@pytest.fixture(scope="module")
def app_url(web_runtime):
    with serving(web_runtime) as url:
        yield url


def chat_text(chat: list[dict]) -> list[str]:
    """The text of each chat message (gradio_client gives each as a list of typed parts)."""
    return ["".join(part.get("text", "") for part in m["content"]) if isinstance(m["content"], list)
            else str(m["content"]) for m in chat]


def chat_of(client, result: tuple) -> list[str]:
    """The chat among an endpoint's outputs, found by its label."""
    returns = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/start"]["returns"]
    labels = [r["label"] for r in returns]
    return chat_text(result[labels.index("Interview")])


def sit(url: str, topic: str, results: dict, barrier: threading.Barrier) -> None:
    """One candidate: start on TOPIC, answer the first question, keep what the chat shows after each."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False)
    barrier.wait()
    started = chat_of(client, client.predict([topic], "", 2, "offline", 0, api_name="/start"))
    barrier.wait()
    answered = chat_of(client, client.predict(ANSWERS[topic], api_name="/answer"))
    results[topic] = (started, answered)


def test_two_sessions_driven_at_once_each_see_only_their_own_questions_and_grades(app_url, web_runtime):
    results: dict[str, tuple[list[str], list[str]]] = {}
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=sit, args=(app_url, topic, results, barrier)) for topic in ANSWERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert set(results) == set(ANSWERS), "a session did not finish"
    for topic, (started, answered) in results.items():
        other = next(t for t in ANSWERS if t != topic)
        assert len(started) == 1 and QUESTION.search(started[0])
        asked = QUESTION.findall("\n".join(answered))
        assert asked == QUESTION.findall(started[0])
        assert all(topic in web_runtime.bank.get(qid).topics for qid in asked)
        # the chat shows each answer exactly as typed: as Markdown, escaped (render.literal)
        assert literal(ANSWERS[topic]) in answered and literal(ANSWERS[other]) not in "\n".join(answered)
        grades = [m for m in answered if m.startswith("### Score: ")]
        assert len(grades) == 1
        assert QUESTION.findall(results[other][0][0]) != asked


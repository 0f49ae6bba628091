"""The web chat's practice parts, built (not launched) over the real bank: the review button with the due
count, the Progress tab, and the weakest key points each starting a sitting on the questions holding it;
past answers written into the real history of the runtime's data folder."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from interviewer.config import Settings
from interviewer.practice.records import PracticeRecord
from interviewer.runtime import Runtime

from .practice_history import save_records

NOW = datetime.now(timezone.utc)
DUE = "F004-36"
MISSED = "Adam corrects the bias of its moments."
RECORDS = [
    PracticeRecord(DUE, NOW - timedelta(days=4), 2.0, 10.0),
    PracticeRecord("F004-37", NOW - timedelta(days=1), 6.0, 10.0,
                   key_points=((MISSED, "missed"), ("Adam keeps two moments.", "covered"))),
    PracticeRecord("F004-35", NOW - timedelta(hours=3), 7.0, 10.0,
                   key_points=((MISSED, "wrong"), ("Momentum averages gradients.", "covered"))),
]


@pytest.fixture
def history(tmp_path):
    """RECORDS in the local user's history (the web chat's user without a login)."""
    save_records(tmp_path, RECORDS)


@pytest.fixture
def screen_and_handlers(bank, tmp_path):
    import gradio as gr

    from interviewer.web.app import Handlers, layout

    runtime = Runtime(Settings(bank=bank.folder, data_dir=tmp_path))
    with gr.Blocks():
        screen = layout(runtime)
    return screen, Handlers(runtime, screen)


def last(updates) -> dict:
    return list(updates)[-1]


def test_the_review_button_shows_the_due_count_and_the_progress_tab_fills(history, screen_and_handlers):
    screen, handlers = screen_and_handlers
    update = handlers.refresh()
    assert update[screen.review].value == "Review what's due (1)" and update[screen.review].interactive
    assert "**3** answers" in update[screen.progress_text] and "optimizers" in update[screen.progress_text]
    assert update[screen.progress_chart].visible
    labels = [update[b].value for b in screen.weak_points if update[b].visible]
    assert labels == [f"✘ {MISSED} (missed 2 of 2)"]


def test_without_history_the_review_button_waits(screen_and_handlers):
    screen, handlers = screen_and_handlers
    update = handlers.refresh()
    assert update[screen.review].value == "Review what's due (0)" and not update[screen.review].interactive
    assert "No answers recorded yet" in update[screen.progress_text]
    assert not update[screen.progress_chart].visible
    assert not any(update[b].visible for b in screen.weak_points)


def test_review_starts_a_sitting_on_what_is_due(history, screen_and_handlers):
    screen, handlers = screen_and_handlers
    update = last(handlers.review(5, "offline", 0))
    assert [q.id for q in update[screen.state].questions] == [DUE]


def test_a_weak_key_point_starts_a_sitting_on_the_questions_holding_it(history, screen_and_handlers):
    screen, handlers = screen_and_handlers
    update = last(handlers.weak_point(0)(5, "offline", 0))
    assert [q.id for q in update[screen.state].questions] == ["F004-35", "F004-37"]


def test_nothing_due_is_said_beside_the_start_button(screen_and_handlers):
    screen, handlers = screen_and_handlers
    update = last(handlers.review(5, "offline", 0))
    assert screen.state not in update and "Nothing is due now" in update[screen.status]


def test_the_handlers_receive_the_login():
    """Gradio hands over the request, and so the user whose history is read, by the parameter's type."""
    from gradio import Request
    from gradio.utils import get_type_hints

    from interviewer.web.app import Handlers

    assert get_type_hints(Handlers.start)["request"] is Request
    assert get_type_hints(Handlers.review)["request"] is Request
    assert get_type_hints(Handlers.refresh)["request"] is Request
    assert get_type_hints(Handlers(None, None).weak_point(0))["request"] is Request


def test_the_served_app_reviews_what_is_due_for_the_logged_in_user(web_settings, index, tmp_path):
    from gradio_client import Client

    from .conftest import serving

    data = tmp_path / "data"
    save_records(data, RECORDS, user="alice")
    save_records(data, [PracticeRecord("F004-37", NOW - timedelta(days=9), 0.0, 10.0)], user="bob")
    runtime = Runtime(web_settings.with_overrides(web_auth="alice:s3cret", data_dir=data), index=index)
    with serving(runtime) as url:
        client = Client(url, auth=("alice", "s3cret"), verbose=False, download_files=False)
        result = client.predict(5, "offline", 0, api_name="/review")
    assert f"`{DUE}`" in str(result)  # alice's due question, not bob's


def test_start_asks_what_is_due_first(history, screen_and_handlers):
    screen, handlers = screen_and_handlers
    update = last(handlers.start(["optimizers"], "", 3, "offline", 0))
    assert update[screen.state].questions[0].id == DUE


def test_the_progress_text_says_what_is_due_now_and_later(history, screen_and_handlers):
    screen, handlers = screen_and_handlers
    text = handlers.refresh()[screen.progress_text]
    assert f"`{DUE}` (now)" in text and "`F004-37` (" in text and "`F004-37` (now)" not in text

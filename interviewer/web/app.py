"""The Gradio app: a setup panel, the chat with its buttons, the summary, and a Progress tab; one shared
runtime, one sitting per browser session."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

# Gradio hands a handler the request (and so the login) by its parameter's type, looked up in this
# module's names, and a progress tracker by its default value; this module is imported only to serve the
# web chat, never by `interviewer --help`.
from gradio import Progress as ProgressTracker
from gradio import Request

from interviewer import practice
from interviewer.config import Settings
from interviewer.crash_log import record_unexpected, unexpected_message
from interviewer.display import graded_last_time
from interviewer.embeddings import check_model_and_device
from interviewer.errors import BackendError, InterviewerError
from interviewer.grading.choice import grader_kind, grader_kinds
from interviewer.history import LOCAL_USER
from interviewer.models import Question
from interviewer.practice.progress import WEAKEST_SHOWN, Progress, bank_topics, figure, progress
from interviewer.practice.schedule import KeyPointRecord
from interviewer.runtime import Runtime
from interviewer.selection import review_questions
from interviewer.session import Interview
from interviewer.web import charts, render
from interviewer.web.export import write_export

LOG = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
EVERY_NETWORK = ("0.0.0.0", "::", "")
CHAT_ID = "interview-chat"
# Run once in the page: whenever the chat's newest message is new (added, or the "Grading..." note
# replaced by the grade), scroll the chat to it, even if the candidate had scrolled up (Gradio's
# autoscroll waits behind a "Scroll down" button then). A message taller than the chat shows its top.
KEEP_NEWEST_IN_VIEW = """
() => {
  let shown = "";
  const scroller = (message, chat) => {
    for (let box = message.parentElement; box && box !== chat; box = box.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(box).overflowY)) return box;
    }
    return null;
  };
  const follow = () => {
    const chat = document.getElementById("CHAT_ID");
    const messages = chat ? chat.querySelectorAll(".message") : [];
    const newest = messages[messages.length - 1];
    const key = newest ? messages.length + ":" + newest.textContent : "";
    if (key === shown) return;
    shown = key;
    const box = newest && scroller(newest, chat);
    if (!box) return;
    const place = newest.getBoundingClientRect();
    const top = place.top - box.getBoundingClientRect().top + box.scrollTop;
    box.scrollTop = Math.floor(Math.min(top, top + place.height - box.clientHeight));  // never below its top
  };
  new MutationObserver(follow).observe(document.body, {childList: true, subtree: true, characterData: true});
}
""".replace("CHAT_ID", CHAT_ID)
# Threads each call of the embedding model computes on while serving (default: one per core). Candidates'
# grades run at once, each on a core of its own, beside the server's own work and the machine's; a model
# spread over every core then waits for the slowest of them. On the 2-core development machine, busy with
# other work (load 5), a lone offline grade with torch took 2.2 s on 2 threads and 0.22 s on 1 (in-process,
# 8 answers, twice each); benchmarks/web_load.py measures the server as it ships.
MODEL_THREADS = 1
INTRO = ("## Mock interview\nChoose topics and how many questions; the interviewer asks, you answer in your "
         "own words, and each answer is graded point by point.")


@dataclass
class Screen:
    """The components the handlers read and update."""

    state: Any
    setup: Any
    topics: Any
    free_text: Any
    count: Any
    grader: Any
    seconds: Any
    start: Any
    status: Any
    interview: Any
    chatbot: Any
    countdown: Any
    timer: Any
    controls: Any
    answer: Any
    submit: Any
    hint: Any
    skip: Any
    retake: Any
    next: Any
    end: Any
    disagree: Any
    my_score: Any
    my_reason: Any
    record: Any
    summary_panel: Any
    summary: Any
    question_chart: Any
    topic_chart: Any
    download: Any
    restart: Any
    tabs: Any
    review: Any
    progress_tab: Any
    progress_text: Any
    progress_chart: Any
    weak_points: tuple

    def outputs(self) -> list:
        """Every component a handler may update (the inputs and buttons of the setup panel and the
        Progress tab excepted)."""
        fixed = {"topics", "free_text", "count", "grader", "seconds", "start", "record", "restart", "review",
                 "progress_tab", "progress_text", "progress_chart", "weak_points"}
        return [getattr(self, f.name) for f in fields(self) if f.name not in fixed]

    def progress_outputs(self) -> list:
        """The components the Progress refresh updates: the review button and the Progress tab."""
        return [self.review, self.progress_text, self.progress_chart, *self.weak_points]


def layout(runtime: Runtime) -> Screen:
    """Create the components, inside an open gr.Blocks."""
    import gradio as gr

    state = gr.State(None)
    with gr.Tabs() as tabs:
        with gr.Tab("Interview", id="interview"):
            parts = interview_tab(runtime)
        with gr.Tab("Progress", id="progress") as progress_tab:
            progress_text = gr.Markdown()
            progress_chart = gr.Plot(format="png", show_label=False, visible=False, elem_id="progress-chart")
            gr.Markdown("**Key points you miss most**: each starts an interview on the questions holding it.")
            weak_points = tuple(gr.Button(visible=False, size="sm") for _ in range(WEAKEST_SHOWN))
    review = parts[-1]
    return Screen(state, *parts[:-1], tabs, review, progress_tab, progress_text, progress_chart, weak_points)


def interview_tab(runtime: Runtime) -> tuple:
    """The Interview tab's components, in Screen's order (from setup to restart), then the review button."""
    import gradio as gr

    settings = runtime.settings
    with gr.Column() as setup:
        gr.Markdown(INTRO)
        topics = gr.Dropdown([(t.title or t.name, t.name) for t in runtime.bank.taxonomy], multiselect=True,
                             label="Topics", info="None chosen: all topics.")
        free_text = gr.Textbox(label="Other topics, in your words", placeholder="e.g. weight initialization",
                               info="Separate several with commas; matched by meaning.")
        with gr.Row():
            count = gr.Slider(1, 20, value=5, step=1, label="Questions")
            grader = gr.Radio(grader_kinds(settings), value=grader_kind(settings),
                              label="Grader", info="The LLM is offered when one is configured.")
            seconds = gr.Number(0, minimum=0, precision=0, label="Seconds per question",
                                info="0: no timer. When time is up, the answer typed so far is graded.")
        with gr.Row():
            start = gr.Button("Start the interview", variant="primary")
            review = gr.Button("Review what's due (0)", interactive=False)
    status = gr.Markdown()
    with gr.Column(visible=False) as interview:
        countdown = gr.Markdown()
        timer = gr.Timer(1, active=False)
        # no LaTeX: a candidate's "$$" is text (the bank writes no formulas in LaTeX)
        # no label over the first message; the page's KEEP_NEWEST_IN_VIEW scrolls, not Gradio's autoscroll
        chatbot = gr.Chatbot(label="Interview", show_label=False, elem_id=CHAT_ID, height=560, layout="panel",
                             buttons=["copy", "copy_all"], latex_delimiters=[], autoscroll=False)
        with gr.Column() as controls:
            answer = gr.Textbox(label="Your answer", lines=5, placeholder="Answer in your own words...")
            with gr.Row():
                submit = gr.Button("Answer", variant="primary")
                hint = gr.Button("Hint")
                skip = gr.Button("Skip")
                retake = gr.Button("Retake")
                next_button = gr.Button("Next")
                end = gr.Button("End", variant="stop")
            with gr.Accordion("I disagree with this grade", open=False, visible=False) as disagree:
                with gr.Row():
                    my_score = gr.Number(label="Your grade (0-10)", minimum=0, maximum=10)
                    my_reason = gr.Textbox(label="Why (optional)")
                record = gr.Button("Record my grade")
    with gr.Column(visible=False) as summary_panel:
        summary = gr.Markdown()
        question_chart = gr.Plot(format="png", show_label=False, visible=False, elem_id="question-chart")
        topic_chart = gr.Plot(format="png", show_label=False, visible=False, elem_id="topic-chart")
        with gr.Row():
            download = gr.DownloadButton("Download the session (Markdown)")
            restart = gr.Button("New interview")
    return (setup, topics, free_text, count, grader, seconds, start, status, interview, chatbot, countdown,
            timer, controls, answer, submit, hint, skip, retake, next_button, end, disagree, my_score,
            my_reason, record, summary_panel, summary, question_chart, topic_chart, download, restart, review)


def show(screen: Screen, sitting: Interview | None, clear_answer: bool = False) -> dict:
    """Every component as the sitting's phase wants it: which panels and buttons are live, the chat,
    the countdown, and at the end the summary, charts and export."""
    import gradio as gr

    if sitting is None:
        return {screen.state: None, screen.setup: gr.Column(visible=True), screen.status: "",
                screen.interview: gr.Column(visible=False), screen.summary_panel: gr.Column(visible=False),
                screen.timer: gr.Timer(active=False)}
    phase = sitting.phase
    waiting, graded, ended = phase in ("asking", "follow-up"), phase == "graded", phase == "ended"
    update = {
        screen.setup: gr.Column(visible=False),
        screen.interview: gr.Column(visible=True),
        screen.chatbot: render.chat(sitting),
        screen.countdown: render.countdown(sitting.seconds_left()),
        screen.timer: gr.Timer(active=sitting.deadline is not None),
        screen.controls: gr.Column(visible=not ended),
        screen.answer: gr.Textbox(interactive=waiting, **({"value": ""} if clear_answer else {})),
        **({screen.my_score: None, screen.my_reason: ""} if clear_answer else {}),
        screen.submit: gr.Button(interactive=waiting),
        screen.hint: gr.Button(interactive=waiting),
        screen.skip: gr.Button(interactive=waiting),
        **{b: gr.Button(interactive=graded) for b in (screen.retake, screen.next)},
        screen.end: gr.Button(interactive=not ended),
        screen.disagree: gr.Accordion(visible=graded),
        screen.summary_panel: gr.Column(visible=ended),
    }
    if ended:
        result = sitting.summary()
        update |= {screen.summary: render.summary(sitting),
                   screen.question_chart: shown_chart(charts.question_chart(result)),
                   screen.topic_chart: shown_chart(charts.topic_chart(result)),
                   screen.download: gr.DownloadButton(value=str(write_export(sitting)))}
    return update


def shown_chart(figure: Any) -> Any:
    """A chart's update: the FIGURE shown, or the chart hidden when there is nothing to draw (None)."""
    import gradio as gr

    return gr.Plot(value=figure, visible=figure is not None)


def weak_button(point: KeyPointRecord | None) -> Any:
    """A weak key point's button, or a hidden one where there is no such point."""
    import gradio as gr

    return gr.Button(render.weak_point_label(point) if point else "", visible=point is not None)


def working(screen: Screen, sitting: Interview, note: str, answer: str = "") -> dict:
    """The chat while slow work runs: the answer being graded and a note; the buttons wait."""
    import gradio as gr

    pending = ([{"role": "user", "content": render.literal(answer)}] if answer else []) + [
        {"role": "assistant", "content": f"*{note}*"}]
    buttons = (screen.submit, screen.hint, screen.skip, screen.retake, screen.next, screen.end)
    return {screen.chatbot: render.chat(sitting) + pending,
            **{b: gr.Button(interactive=False) for b in buttons}}


def readable(exc: Exception, data_dir: Path) -> str:
    """An error as a sentence for the chat; anything but an InterviewerError is a bug, its traceback
    written to the error log in DATA_DIR (and the server's log), named in the sentence."""
    if isinstance(exc, InterviewerError):
        text = str(exc)
    else:
        LOG.exception("web chat: unexpected error")
        text = unexpected_message(exc, record_unexpected(exc, data_dir))
    return text[:1].upper() + text[1:]


class Handlers:
    """What each button does: the sitting's function, then the screen for its new phase."""

    def __init__(self, runtime: Runtime, screen: Screen) -> None:
        self.runtime = runtime
        self.screen = screen

    def perform(self, sitting: Interview | None, act: Callable[[Interview], object],
                clears: bool = False) -> dict:
        """Do ACT on the sitting; an error shows in the chat and leaves the answer box as it was."""
        if sitting is None:
            return {self.screen.status: "Start an interview first."}
        with sitting.lock:
            try:
                act(sitting)
            except Exception as exc:  # shown in the chat, never as a stack trace
                sitting.report_error(readable(exc, self.runtime.settings.data_dir))
                return show(self.screen, sitting)
        return show(self.screen, sitting, clear_answer=clears)

    def start(self, topics: list[str] | None, free_text: str, count: float, grader: str,
              seconds: float | None, request: Request = None) -> Iterator[dict]:
        """Start a sitting on the topics (due and unseen questions first), showing progress while the
        embedding model loads."""
        wanted = [*(topics or []), *(t.strip() for t in (free_text or "").split(",") if t.strip())]
        if not self.runtime.ready:
            yield {self.screen.status: "*Loading the embedding model and index (a minute the first time)...*"}
        yield from self.begin(lambda: self.runtime.questions_on(wanted, max(1, int(count)), random.Random(),
                                                               records=self.records(request)),
                              grader, seconds, logged_in_user(request))

    def begin(self, choose: Callable[[], list[Question]], grader: str, seconds: float | None, user: str
              ) -> Iterator[dict]:
        """Start a sitting on the questions CHOOSE picks, recorded as USER's, on the Interview tab; an error
        shows beside the start button."""
        import gradio as gr

        on_interview = {self.screen.tabs: gr.Tabs(selected="interview")}
        try:
            sitting = self.runtime.interview(choose(), grader, float(seconds or 0), user=user)
        except Exception as exc:  # shown beside the start button, never as a stack trace
            yield {self.screen.status: f"⚠️ **Error:** {readable(exc, self.runtime.settings.data_dir)}",
                   **on_interview}
            return
        yield {self.screen.state: sitting, self.screen.status: "", **on_interview,
               **show(self.screen, sitting, clear_answer=True)}

    def records(self, request: Request | None) -> list:
        """The past answers of the request's user (the login; "" without one)."""
        return practice.practice_records(self.runtime, logged_in_user(request))

    def progress_of(self, request: Request | None) -> Progress:
        """The progress of the request's user, today in the server's timezone."""
        return progress(self.records(request), bank_topics(self.runtime.bank), datetime.now().astimezone(),
                        self.runtime.settings.until)

    def review(self, count: float, grader: str, seconds: float | None, request: Request = None
               ) -> Iterator[dict]:
        """Start a sitting on the questions due, the most overdue first."""
        def due_questions() -> list[Question]:
            chosen = review_questions(list(self.runtime.bank.questions), self.records(request),
                                      max(1, int(count)), datetime.now().astimezone(),
                                      self.runtime.settings.until)
            if not chosen:
                raise InterviewerError("nothing is due now: start an interview on new questions")
            return chosen

        yield from self.begin(due_questions, grader, seconds, logged_in_user(request))

    def weak_point(self, position: int) -> Callable[..., Iterator[dict]]:
        """The handler of the weak key point button at POSITION: a sitting on the questions holding it."""
        def start_on_point(count: float, grader: str, seconds: float | None, request: Request = None
                           ) -> Iterator[dict]:
            def holding() -> list[Question]:
                weakest = self.progress_of(request).weakest
                if position >= len(weakest):
                    raise InterviewerError("that key point is no longer among the weakest: "
                                           "open Progress again")
                ids = weakest[position].question_ids[:max(1, int(count))]
                return [self.runtime.bank.get(i) for i in ids]

            yield from self.begin(holding, grader, seconds, logged_in_user(request))

        return start_on_point

    def refresh(self, request: Request = None) -> dict:
        """The review button with the due count, and the Progress tab: numbers, chart, weakest key points."""
        import gradio as gr

        current = self.progress_of(request)
        weakest = list(current.weakest) + [None] * (len(self.screen.weak_points) - len(current.weakest))
        due = len(current.due_now)
        return {self.screen.review: gr.Button(f"Review what's due ({due})", interactive=due > 0),
                self.screen.progress_text: render.progress_summary(current),
                self.screen.progress_chart: shown_chart(figure(current)),
                **{button: weak_button(point) for button, point in zip(self.screen.weak_points, weakest)}}

    def answer(self, sitting: Interview | None, text: str,
               progress: ProgressTracker = ProgressTracker(track_tqdm=True)) -> Iterator[dict]:  # noqa: B008
        """Grade the answer, showing it with a note while the grader works; a progress bar the grader
        shows (a long answer's) shows on the chat."""
        if sitting is not None and sitting.phase in ("asking", "follow-up") and text.strip():
            yield working(self.screen, sitting, "Grading...", text)
        yield self.perform(sitting, lambda s: s.answer(text), clears=True)

    def hint(self, sitting: Interview | None) -> Iterator[dict]:
        if sitting is not None and sitting.coach.client is not None:
            yield working(self.screen, sitting, "Writing a hint...")
        yield self.perform(sitting, Interview.hint)

    def skip(self, sitting: Interview | None) -> dict:
        return self.perform(sitting, Interview.skip)

    def retake(self, sitting: Interview | None) -> dict:
        return self.perform(sitting, Interview.retake, clears=True)

    def next(self, sitting: Interview | None) -> dict:
        return self.perform(sitting, Interview.next, clears=True)

    def end(self, sitting: Interview | None) -> dict:
        return self.perform(sitting, Interview.end)

    def disagree(self, sitting: Interview | None, score: float | None, reason: str) -> dict:
        return self.perform(sitting, lambda s: s.disagree(score, reason or ""))

    def tick(self, sitting: Interview | None, text: str) -> dict:
        """Once a second while a countdown runs: the time left; at zero, grade what is typed."""
        import gradio as gr

        if sitting is None or sitting.deadline is None:
            return {self.screen.countdown: "", self.screen.timer: gr.Timer(active=False)}
        left = sitting.seconds_left()
        if left:
            return {self.screen.countdown: render.countdown(left)}
        return self.perform(sitting, lambda s: s.time_up(text or ""), clears=True)

    def restart(self) -> dict:
        return show(self.screen, None)


def wire(screen: Screen, handlers: Handlers) -> None:
    """Connect the buttons to the handlers; each is an API endpoint named after its button. Every request
    but the timer's tick shares one queue, so at most the queue's default limit run at once; while an
    answer waits there, the chat's corner says where it is in line ("queue: 3/7"), then how long it has
    been graded, with the grader's progress bar if it shows one."""

    outputs = screen.outputs()
    queued = {"outputs": outputs, "concurrency_id": "interviewer"}
    quiet = {**queued, "show_progress": "hidden"}
    screen.start.click(handlers.start, [screen.topics, screen.free_text, screen.count, screen.grader,
                                        screen.seconds], api_name="start", show_progress="minimal", **queued)
    screen.submit.click(handlers.answer, [screen.state, screen.answer], api_name="answer",
                        show_progress="minimal", show_progress_on=screen.chatbot, **queued)
    for name in ("hint", "skip", "retake", "next", "end"):
        getattr(screen, name).click(getattr(handlers, name), [screen.state], api_name=name, **quiet)
    screen.record.click(handlers.disagree, [screen.state, screen.my_score, screen.my_reason],
                        api_name="disagree", **quiet)
    screen.restart.click(handlers.restart, None, api_name="restart", **quiet).then(
        handlers.refresh, None, screen.progress_outputs(), show_progress="hidden", api_visibility="private")
    choice = [screen.count, screen.grader, screen.seconds]
    screen.review.click(handlers.review, choice, api_name="review", show_progress="minimal", **queued)
    for position, button in enumerate(screen.weak_points):
        button.click(handlers.weak_point(position), choice, api_visibility="private", **queued)
    screen.progress_tab.select(handlers.refresh, None, screen.progress_outputs(), show_progress="hidden",
                               api_visibility="private")
    screen.timer.tick(handlers.tick, [screen.state, screen.answer], outputs, concurrency_limit=None,
                      show_progress="hidden", api_visibility="private")


def logged_in_user(request: Any) -> str:
    """Whose history a sitting is: the login's user name, or the local user when the chat asks for none."""
    return getattr(request, "username", None) or LOCAL_USER


def after_loading(runtime: Runtime, say: Callable[[str], None]) -> None:
    """On a thread while the server serves: grade the answers left ungraded last time, then prepare the
    grading of the bank's questions (Runtime.prepare_grading) and say so."""
    grade_saved_answers(runtime, say)
    started = time.perf_counter()
    try:
        count = runtime.prepare_grading()
    except InterviewerError as exc:  # the candidates' answers say it too, when they are graded
        say(f"Warning: the grading could not be prepared: {exc}")
        return
    say(f"Ready to grade: {count} questions prepared in {time.perf_counter() - started:.0f} s")


def grade_saved_answers(runtime: Runtime, say: Callable[[str], None]) -> None:
    """Grade every user's answers saved but not graded when the server last stopped, and say how many."""
    try:
        count = runtime.grade_saved(user=None)
    except InterviewerError as exc:
        say(f"Warning: the answers saved but not graded last time stay ungraded: {exc}")
        return
    if count:
        say(graded_last_time(count))


def build_app(runtime: Runtime) -> Any:
    """The web chat as a gr.Blocks, not launched; every browser session gets its own sitting."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    with gr.Blocks(title="interviewer", analytics_enabled=False) as app:
        screen = layout(runtime)
        handlers = Handlers(runtime, screen)
        wire(screen, handlers)
        app.load(None, js=KEEP_NEWEST_IN_VIEW)
        app.load(handlers.refresh, None, screen.progress_outputs(), show_progress="hidden",
                 api_visibility="private")
    return app


def free_port(host: str) -> int:
    """A port nothing listens on at HOST."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def launch(app: Any, settings: Settings) -> str:
    """Start serving APP with the queue, on the settings' host and port (0: a free one); its URL."""
    app.queue(default_concurrency_limit=settings.web_concurrency)
    port = settings.web_port or free_port(settings.web_host)
    try:
        app.launch(server_name=settings.web_host, server_port=port, auth=settings.login, share=False,
                   prevent_thread_lock=True, quiet=True, show_error=False, enable_monitoring=False)
    except OSError:
        raise BackendError(f"cannot serve on {settings.web_host}:{port}: the port is taken or the address is "
                           "not this machine's; choose another with --port (0 picks a free one) or --host"
                           ) from None
    return open_addresses(settings.web_host, port)[0]


def open_addresses(host: str, port: int) -> list[str]:
    """The URLs a browser can open for a server on HOST: for 0.0.0.0 (every network), this machine's
    loopback and each of its network addresses, never 0.0.0.0 itself."""
    if host not in EVERY_NETWORK:
        return [f"http://{host}:{port}/"]
    found = ["127.0.0.1"]
    with contextlib.suppress(OSError):  # no name for this machine: no address from it
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # sends nothing: only picks the address of the default route
        found.append(probe.getsockname()[0])
    return [f"http://{address}:{port}/" for address in dict.fromkeys(found)
            if address == "127.0.0.1" or not address.startswith("127.")]


def stop(app: Any) -> None:
    """Stop serving APP and free its port.

    Gradio's close() sets the server's asyncio stop event from this thread, while the server's loop may be
    cancelling a heartbeat stream's wait on that event (a browser tab closing): the two race and close()
    raises InvalidStateError. Setting the event on its own loop first leaves close() nothing to race on.
    """
    for event in {id(e): e for e in (app.server_app.stop_event, app.app.stop_event)}.values():
        loop = getattr(event, "_loop", None)  # bound when something first waits on the event
        if loop is None or not loop.is_running() or event.is_set():
            continue
        done = threading.Event()
        loop.call_soon_threadsafe(lambda event=event, done=done: (event.set(), done.set()))
        done.wait(timeout=5)
    app.close()


def pop_up(message: str) -> None:
    """MESSAGE in a pop-up to the user whose request is running (a retry of the LLM, say)."""
    import gradio as gr

    gr.Info(message)


def serve(settings: Settings, say: Callable[[str], None]) -> None:
    """Serve the web chat until interrupted, saying its URL; the model loads while the first page opens."""
    check_model_and_device(settings.model, settings.device)
    runtime = Runtime(settings, notify=pop_up, model_threads=MODEL_THREADS)
    history = runtime.history  # opened now, so a --db that cannot be used stops the server before it serves
    app = build_app(runtime)
    url = launch(app, settings)
    runtime.start_loading()
    threading.Thread(target=after_loading, args=(runtime, say), daemon=True).start()
    others = open_addresses(settings.web_host, app.server_port)[1:]
    say(f"Serving the interview chat at {url} (Ctrl-C stops it)")
    if others:
        say("From other machines: " + ", ".join(others))
    say(f"Answers are kept in the history at {history.where}")
    if settings.web_host not in LOOPBACK and settings.login is None:
        say(f"Warning: anyone who can reach {settings.web_host} can use it; "
            "set a login with --auth USER:PASSWORD")
    app.block_thread()

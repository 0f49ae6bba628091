"""The Gradio app: a setup panel, the chat with its buttons, the summary; one shared runtime, one sitting
per browser session."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from interviewer.config import Settings
from interviewer.crash_log import record_unexpected, unexpected_message
from interviewer.display import graded_last_time
from interviewer.embeddings import check_model_and_device
from interviewer.errors import BackendError, InterviewerError
from interviewer.grading.choice import grader_kind, grader_kinds
from interviewer.history import LOCAL_USER
from interviewer.runtime import Runtime
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

    def outputs(self) -> list:
        """Every component a handler may update (the inputs and buttons of the setup panel excepted)."""
        fixed = {"topics", "free_text", "count", "grader", "seconds", "start", "record", "restart"}
        return [getattr(self, f.name) for f in fields(self) if f.name not in fixed]


def layout(runtime: Runtime) -> Screen:
    """Create the components, inside an open gr.Blocks."""
    import gradio as gr

    settings = runtime.settings
    state = gr.State(None)
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
        start = gr.Button("Start the interview", variant="primary")
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
    return Screen(state, setup, topics, free_text, count, grader, seconds, start, status, interview,
                  chatbot, countdown, timer, controls, answer, submit, hint, skip, retake,
                  next_button, end, disagree, my_score, my_reason, record, summary_panel, summary,
                  question_chart, topic_chart, download, restart)


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
              seconds: float | None, user: str = LOCAL_USER) -> Iterator[dict]:
        """Start a sitting recorded as USER's, showing progress while the embedding model loads."""
        wanted = [*(topics or []), *(t.strip() for t in (free_text or "").split(",") if t.strip())]
        if not self.runtime.ready:
            yield {self.screen.status: "*Loading the embedding model and index (a minute the first time)...*"}
        try:
            questions = self.runtime.questions_on(wanted, max(1, int(count)), random.Random())
            sitting = self.runtime.interview(questions, grader, float(seconds or 0), user=user)
        except Exception as exc:  # shown beside the start button, never as a stack trace
            yield {self.screen.status: f"⚠️ **Error:** {readable(exc, self.runtime.settings.data_dir)}"}
            return
        yield {self.screen.state: sitting, self.screen.status: "",
               **show(self.screen, sitting, clear_answer=True)}

    def answer(self, sitting: Interview | None, text: str) -> Iterator[dict]:
        """Grade the answer, showing it with a note while the grader works."""
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
    but the timer's tick shares one queue, so at most the queue's default limit run at once."""
    import gradio as gr

    def start(topics: list[str] | None, free_text: str, count: float, grader: str, seconds: float | None,
              request: Any) -> Iterator[dict]:
        yield from handlers.start(topics, free_text, count, grader, seconds, logged_in_user(request))

    start.__annotations__["request"] = gr.Request  # so Gradio hands the request over, with its login

    outputs = screen.outputs()
    queued = {"outputs": outputs, "concurrency_id": "interviewer"}
    quiet = {**queued, "show_progress": "hidden"}
    screen.start.click(start, [screen.topics, screen.free_text, screen.count, screen.grader,
                                        screen.seconds], api_name="start", show_progress="minimal", **queued)
    screen.submit.click(handlers.answer, [screen.state, screen.answer], api_name="answer", **quiet)
    for name in ("hint", "skip", "retake", "next", "end"):
        getattr(screen, name).click(getattr(handlers, name), [screen.state], api_name=name, **quiet)
    screen.record.click(handlers.disagree, [screen.state, screen.my_score, screen.my_reason],
                        api_name="disagree", **quiet)
    screen.restart.click(handlers.restart, None, api_name="restart", **quiet)
    screen.timer.tick(handlers.tick, [screen.state, screen.answer], outputs, concurrency_limit=None,
                      show_progress="hidden", api_visibility="private")


def logged_in_user(request: Any) -> str:
    """Whose history a sitting is: the login's user name, or the local user when the chat asks for none."""
    return getattr(request, "username", None) or LOCAL_USER


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
        wire(screen, Handlers(runtime, screen))
        app.load(None, js=KEEP_NEWEST_IN_VIEW)
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
    runtime = Runtime(settings, notify=pop_up)
    history = runtime.history  # opened now, so a --db that cannot be used stops the server before it serves
    app = build_app(runtime)
    url = launch(app, settings)
    runtime.start_loading()
    threading.Thread(target=grade_saved_answers, args=(runtime, say), daemon=True).start()
    others = open_addresses(settings.web_host, app.server_port)[1:]
    say(f"Serving the interview chat at {url} (Ctrl-C stops it)")
    if others:
        say("From other machines: " + ", ".join(others))
    say(f"Answers are kept in the history at {history.where}")
    if settings.web_host not in LOOPBACK and settings.login is None:
        say(f"Warning: anyone who can reach {settings.web_host} can use it; "
            "set a login with --auth USER:PASSWORD")
    app.block_thread()

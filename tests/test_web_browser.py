"""The web chat in a real browser: Debian's Chromium, driven by Playwright, against the app served on a free
loopback port. Screenshots of each step go to the test's temporary folder."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.errors import BackendError
from interviewer.runtime import Runtime

from .conftest import free_port, serving
from .fake_llm_server import FakeLLMServer, Reply

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
WAIT_MS = 120_000  # grading on a busy two-core machine
QUESTION_ID = re.compile(r"^[A-Z]+\d+(-\d+)?$")
LIST_MARKER = re.compile(r"^(\d+\.|[-*+])\s+")
INLINE_MARKUP = re.compile(r"[*_`$|#<>\[\]\\]")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from /usr/bin/chromium; the test fails (never skips) without it."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (make test installs it as root)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app_url(web_runtime):
    with serving(web_runtime) as url:
        yield url


class Visit:
    """A browser page on one app, which records every request that leaves the app's origin."""

    def __init__(self, browser, url: str, shots: Path) -> None:
        self.url, self.shots, self.outside = url, shots, []
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.page.on("request", self._record)

    def _record(self, request) -> None:
        if not request.url.startswith((self.url, "data:", "blob:")):
            self.outside.append(request.url)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)

    def start(self, topic: str, count: int, seconds: int = 0) -> None:
        """Open the app, choose a topic, how many questions and the timer, and start."""
        page = self.page
        page.goto(self.url)
        page.get_by_role("combobox", name="Topics").click()
        page.get_by_role("option", name=topic).click()
        page.keyboard.press("Escape")
        page.get_by_label("number input for Questions").fill(str(count))
        page.get_by_label("Seconds per question").fill(str(seconds))
        page.get_by_role("button", name="Start the interview").click()

    def question_id(self) -> str:
        """The id of the last question asked."""
        return self.page.locator("code").filter(has_text=QUESTION_ID).last.inner_text()

    def answer(self, text: str) -> None:
        self.page.get_by_label("Your answer", exact=True).fill(text)
        self.page.get_by_role("button", name="Answer", exact=True).click()

    def answer_with_reference(self, runtime) -> None:
        """Answer the last question asked with the whole of its reference answer."""
        self.answer(" ".join(runtime.bank.get(self.question_id()).reference_sentences))


def plain_words(markdown: str) -> str:
    """The first words of MARKDOWN's longest line that has no inline markup, as the page shows them."""
    lines = [LIST_MARKER.sub("", line.strip()) for line in markdown.splitlines()]
    plain = [line for line in lines if not INLINE_MARKUP.search(line)]
    return " ".join(max(plain, key=len).split()[:5])


@pytest.fixture
def visit(browser, app_url, tmp_path):
    opened = Visit(browser, app_url, tmp_path)
    yield opened
    opened.context.close()


def test_start_answer_see_the_grade_card_reveal_the_reference_and_finish(visit, web_runtime):
    from playwright.sync_api import expect

    page = visit.page
    page.goto(visit.url)
    expect(page.get_by_role("button", name="Start the interview")).to_be_visible()
    visit.shot("1-setup")
    visit.start("Optimizers", 2)
    expect(page.get_by_text("Question 1/2")).to_be_visible()
    question = web_runtime.bank.get(visit.question_id())
    assert "optimizers" in question.topics
    visit.shot("2-question")

    typed = " ".join(question.reference_sentences[:2])
    visit.answer(typed)
    expect(page.get_by_role("heading", name=re.compile(r"^Score: \d+(\.5)?.10$"))).to_be_visible()
    statuses = page.locator("strong").filter(has_text=re.compile(r"^(covered|partial|missed)$"))
    expect(statuses).to_have_count(len(question.key_points))
    expect(statuses.filter(has_text="covered").first).to_be_visible()
    for point in question.key_points:
        expect(page.get_by_text(point, exact=False).first).to_be_visible()
    expect(page.get_by_label("Your answer", exact=True)).to_have_value("")
    visit.shot("3-graded")

    reveal = page.locator("details").last
    reference = reveal.get_by_text(plain_words(question.reference), exact=False).first
    expect(reference).to_be_hidden()
    reveal.locator("summary").click()
    expect(reference).to_be_visible()
    visit.shot("4-reference")

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 2/2")).to_be_visible()
    page.get_by_role("button", name="End").click()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Mean score: \d+\.\d/10"))).to_be_visible()
    for chart in ("#question-chart", "#topic-chart"):
        expect(page.locator(f"{chart} img")).to_be_visible()
    visit.shot("5-summary")

    with page.expect_download() as download:
        page.get_by_text("Download the session (Markdown)").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert typed.split(".")[0] in exported and "**Score: " in exported and question.id in exported
    assert visit.outside == [], "the page asked for something outside the app"


def test_the_timer_counts_down_and_grades_what_is_typed_when_time_is_up(visit):
    from playwright.sync_api import expect

    page = visit.page
    visit.start("Optimizers", 2, seconds=4)
    expect(page.get_by_text(re.compile(r"Time left for this question: 0:0\d"))).to_be_visible()
    visit.shot("timer-running")
    expect(page.get_by_text("Time is up, and the answer box was empty.")).to_be_visible()
    expect(page.get_by_text("Question 2/2")).to_be_visible()
    typed = "Momentum keeps a moving average of past gradients and steps along it."
    page.get_by_label("Your answer", exact=True).fill(typed)
    expect(page.get_by_text("Time is up: your answer so far is graded.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Score: "))).to_be_visible()
    expect(page.get_by_text(typed, exact=True)).to_be_visible()
    visit.shot("timer-graded")


def test_an_llm_grader_at_a_closed_port_falls_back_offline_and_says_so(browser, index, web_settings,
                                                                        tmp_path):
    from playwright.sync_api import expect

    settings = Settings(base_url=f"http://127.0.0.1:{free_port()}/v1", retries=0, timeout=5, web_port=0,
                        cache_dir=web_settings.cache_dir, data_dir=web_settings.data_dir)
    with serving(Runtime(settings, index=index)) as url:
        visit = Visit(browser, url, tmp_path)
        page = visit.page
        page.goto(url)
        expect(page.get_by_role("radio", name="llm")).to_be_checked()
        visit.start("Optimizers", 1)
        expect(page.get_by_text("Question 1/1")).to_be_visible()
        visit.answer("Gradients are averaged over a mini-batch before each step.")
        notice = re.compile(r"The LLM grader was unavailable \(http://127\.0\.0\.1:\d+/v1: "
                            r"connection error\); graded offline\.")
        expect(page.get_by_text(notice)).to_be_visible()
        expect(page.get_by_text("offline grader", exact=True)).to_be_visible()
        visit.shot("llm-fallback")
        visit.context.close()


class RuntimeWithFailingGrader(Runtime):
    """An injected fault: every grader this runtime hands out fails."""

    def grader(self, on_wait=None, mode=None, user=None):
        return FailingGrader()


class FailingGrader:
    name = "offline"

    def grade(self, question, answer):
        raise BackendError("the grader is down (injected fault)")


def test_injected_grading_fault_shows_a_readable_error_and_keeps_the_answer(browser, index, web_settings,
                                                                           tmp_path):
    from playwright.sync_api import expect

    with serving(RuntimeWithFailingGrader(web_settings, index=index)) as url:
        visit = Visit(browser, url, tmp_path)
        page = visit.page
        visit.start("Optimizers", 1)
        expect(page.get_by_text("Question 1/1")).to_be_visible()
        typed = "My carefully typed answer\nover two lines."
        visit.answer(typed)
        error = "The grader is down (injected fault) (your answer was saved to"
        expect(page.get_by_text(error)).to_be_visible()
        expect(page.get_by_label("Your answer", exact=True)).to_have_value(typed)
        expect(page.get_by_role("button", name="Answer", exact=True)).to_be_enabled()
        assert "Traceback" not in page.content()
        visit.shot("grading-error")
        visit.context.close()


def test_what_the_candidate_typed_is_shown_exactly_as_typed(visit):
    from playwright.sync_api import expect

    page = visit.page
    visit.start("Optimizers", 1)
    expect(page.get_by_text("Question 1/1")).to_be_visible()
    typed = "RMSProp keeps v = 0.9*E[g^2] + 0.1*g^2 per weight, $$x_1$$ and <img src=x> __bold__"
    visit.answer(typed)
    expect(page.get_by_role("heading", name=re.compile(r"^Score: "))).to_be_visible()
    expect(page.get_by_text(typed, exact=True)).to_be_visible()  # the answer box is empty by now
    assert page.locator("img[src='x'], .katex, strong:has-text('bold'), em:has-text('E[g')").count() == 0
    visit.shot("typed-as-typed")
    assert visit.outside == [], "the page asked for something outside the app"


def test_the_chat_says_retrying_while_the_llm_server_is_retried(browser, index, web_settings, tmp_path):
    """A fault-injecting server (tests/fake_llm_server.py) answers 503 once, then a grade."""
    from playwright.sync_api import expect

    from interviewer.web.app import pop_up

    replies = [Reply(status=503, body='{"error": {"message": "loading model"}}')]
    grade = '{"key_points": [], "mistakes": [], "score": 0, "feedback": "Say what each step does."}'

    def script(request: dict) -> Reply:
        return replies.pop(0) if replies else Reply(content=grade)

    with FakeLLMServer(script) as server:
        settings = Settings(base_url=server.base_url, retries=1, timeout=30, web_port=0,
                            cache_dir=web_settings.cache_dir, data_dir=web_settings.data_dir)
        with serving(Runtime(settings, index=index, notify=pop_up)) as url:
            visit = Visit(browser, url, tmp_path)
            page = visit.page
            visit.start("Optimizers", 1)
            expect(page.get_by_text("Question 1/1")).to_be_visible()
            visit.answer("Gradients are averaged over a mini-batch before each step.")
            expect(page.get_by_text(re.compile(r"v1: HTTP 503: loading model; retrying in 0\.5 s"))
                   ).to_be_visible()
            visit.shot("llm-retrying")
            expect(page.get_by_text(re.compile(r"^llm grader · fake-model$"))).to_be_visible()
            visit.context.close()


CHAT = "#interview-chat"
SCORE_HEADING = re.compile(r"^Score: ")
# The element under the middle of EL: EL itself (or inside it) unless something covers it.
UNCOVERED = """el => { const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return el === hit || el.contains(hit); }"""
# The chat's scrolling box: the nearest ancestor of its first message that scrolls.
SCROLL_BOX = """chat => {
  for (let box = chat.querySelector('.message'); box !== chat; box = box.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(box).overflowY)) return box; }
  return null; }"""
# True when EL lies inside the visible part of the chat's scrolling box (to a pixel: scrollTop is whole
# pixels while layout has fractions, so a message scrolled to the top can start 0.25 px above the box).
IN_CHAT_VIEW = """([el, box]) => { const r = el.getBoundingClientRect(), v = box.getBoundingClientRect();
  return r.top >= v.top - 1 && r.bottom <= v.bottom + 1; }"""


def test_the_chat_has_no_label_over_its_first_line(visit):
    from playwright.sync_api import expect

    page = visit.page
    visit.start("Optimizers", 1)
    first_line = page.locator(CHAT).get_by_text("Question 1/1")
    expect(first_line).to_be_visible()
    assert page.locator(CHAT).get_by_text("Interview", exact=True).count() == 0
    assert first_line.evaluate(UNCOVERED), "something covers the chat's first line"
    visit.shot("chat-first-line")


def test_a_new_grade_comes_into_view_after_the_candidate_scrolled_up(visit, web_runtime):
    from playwright.sync_api import expect

    page = visit.page
    visit.start("Optimizers", 2)
    expect(page.get_by_text("Question 1/2")).to_be_visible()
    visit.answer_with_reference(web_runtime)
    headings = page.locator(CHAT).get_by_role("heading", name=SCORE_HEADING)
    expect(headings).to_have_count(1)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 2/2")).to_be_visible()

    box = page.locator(CHAT).evaluate_handle(SCROLL_BOX)
    assert box.evaluate("box => box.scrollHeight > box.clientHeight"), "the chat is too short to scroll"
    box.evaluate("box => { box.scrollTop = 0; }")
    second_question = page.locator(CHAT).get_by_text("Question 2/2")
    assert not page.evaluate(IN_CHAT_VIEW, [second_question.element_handle(), box])
    visit.shot("scrolled-up")

    visit.answer("Momentum keeps a moving average of past gradients and steps along it.")
    expect(headings).to_have_count(2)
    newest = headings.last.element_handle()
    page.wait_for_function(IN_CHAT_VIEW, arg=[newest, box])
    visit.shot("new-grade-in-view")
    assert page.evaluate(IN_CHAT_VIEW, [newest, box])


def test_the_summary_charts_are_images_with_the_own_grade_a_zero_and_a_skipped_question(visit, web_runtime):
    from playwright.sync_api import expect

    page = visit.page
    visit.start("Optimizers", 3)
    expect(page.get_by_text("Question 1/3")).to_be_visible()
    visit.answer_with_reference(web_runtime)
    expect(page.get_by_role("heading", name=SCORE_HEADING)).to_be_visible()
    page.get_by_text("I disagree with this grade").click()
    page.get_by_label("Your grade (0-10)").fill("6")
    page.get_by_role("button", name="Record my grade").click()
    expect(page.get_by_text("Recorded your grade, 6/10")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 2/3")).to_be_visible()
    visit.answer("I don't know.")  # a score of 0
    expect(page.get_by_role("heading", name=SCORE_HEADING)).to_have_count(2)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 3/3")).to_be_visible()
    page.get_by_role("button", name="Skip").click()

    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    for chart in ("#question-chart", "#topic-chart"):
        image = page.locator(f"{chart} img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0")
        assert image.get_attribute("src").startswith("data:image/png;base64,")
    expect(page.get_by_text("(yours: 6/10)")).to_be_visible()
    visit.shot("summary-charts")
    assert visit.outside == [], "the page asked for something outside the app"


def test_ending_with_no_answer_shows_no_chart(visit):
    from playwright.sync_api import expect

    page = visit.page
    visit.start("Optimizers", 2)
    expect(page.get_by_text("Question 1/2")).to_be_visible()
    page.get_by_role("button", name="End").click()
    expect(page.get_by_text("No question was answered.")).to_be_visible()
    for chart in ("#question-chart", "#topic-chart"):
        expect(page.locator(chart)).to_be_hidden()
    assert page.locator("#question-chart img, #topic-chart img").count() == 0
    visit.shot("summary-no-answer")


FOLLOW_UP = "What else does it do?"
ANSWER_BLOCK = re.compile(r"BEGIN ANSWER (\w+)\n(.*)\nEND ANSWER \1", re.DOTALL)
KEY_POINT_LINE = re.compile(r"^(\d+)\. (.*)$", re.MULTILINE)


def scripted_llm(request: dict) -> Reply:
    """The scripted LLM server's replies: a grade marks covered the key point whose text is the answer
    (quoting the answer as its evidence); anything else (the follow-up question) gets FOLLOW_UP."""
    system, user = (m["content"] for m in request["messages"])
    if "You grade one candidate's answer" not in system:
        return Reply(content=FOLLOW_UP)
    answer = ANSWER_BLOCK.search(user).group(2)
    key_points = user.split("Key points:\n", 1)[1].split("\n\nBEGIN ANSWER", 1)[0]
    covered = [{"key_point": int(n), "status": "covered", "evidence": answer}
               for n, text in KEY_POINT_LINE.findall(key_points) if text == answer]
    return Reply(content=json.dumps({"key_points": covered, "mistakes": [], "score": 10,
                                     "feedback": "Graded by the scripted server."}))


def test_an_llm_follow_up_comes_before_the_grade_and_its_answer_improves_it(browser, index, web_settings,
                                                                            tmp_path):
    """The scripted LLM server (tests/fake_llm_server.py) grades the first answer as covering key point 1
    only, which makes it partly right, writes the follow-up, and grades its answer as covering key
    point 2."""
    from playwright.sync_api import expect

    with FakeLLMServer(scripted_llm) as server:
        settings = Settings(base_url=server.base_url, retries=0, timeout=30, web_port=0,
                            cache_dir=web_settings.cache_dir, data_dir=web_settings.data_dir)
        with serving(Runtime(settings, index=index)) as url:
            visit = Visit(browser, url, tmp_path)
            page = visit.page
            visit.start("Optimizers", 1)
            expect(page.get_by_text("Question 1/1")).to_be_visible()
            question = index.bank.get(visit.question_id())
            visit.answer(question.key_points[0])
            expect(page.locator(CHAT).get_by_text(f"Follow-up: {FOLLOW_UP}")).to_be_visible()
            expect(page.get_by_role("heading", name=SCORE_HEADING)).to_have_count(0)
            visit.shot("llm-follow-up")

            visit.answer(question.key_points[1])
            expect(page.get_by_role("heading", name=SCORE_HEADING)).to_be_visible()
            improved = f"Follow-up “{FOLLOW_UP}”: 1 key point(s) improved"
            expect(page.locator(CHAT).get_by_text(improved)).to_be_visible()
            expect(page.get_by_text("llm grader · fake-model", exact=True)).to_be_visible()
            visit.shot("llm-follow-up-graded")
            visit.context.close()


def test_the_progress_tab_draws_the_chart_and_a_weak_key_point_starts_a_sitting(browser, web_settings, index,
                                                                                  tmp_path):
    """Past answers in the history of a server of its own: the due count, the Progress tab's chart and
    numbers, and a weak key point's button starting a sitting on the question holding it."""
    from datetime import datetime, timedelta, timezone

    from interviewer.practice.records import PracticeRecord

    from .practice_history import save_records

    now = datetime.now(timezone.utc)
    missed = "Adam corrects the bias of its moments."
    records = [PracticeRecord("F004-36", now - timedelta(days=4), 2.0, 10.0),
               PracticeRecord("F004-37", now - timedelta(hours=3), 6.0, 10.0,
                              key_points=((missed, "missed"), ("Adam keeps two moments.", "covered")))]
    save_records(tmp_path / "data", records)
    runtime = Runtime(web_settings.with_overrides(data_dir=tmp_path / "data"), index=index)
    with serving(runtime) as url:
        visit = Visit(browser, url, tmp_path)
        try:
            progress_tab_visit(visit, missed)
        finally:
            visit.context.close()


def progress_tab_visit(visit: Visit, missed: str) -> None:
    from playwright.sync_api import expect

    page = visit.page
    page.goto(visit.url)
    expect(page.get_by_role("button", name="Review what's due (1)")).to_be_enabled()
    page.get_by_role("tab", name="Progress").click()
    expect(page.locator("#progress-chart img")).to_be_visible()
    expect(page.get_by_text("2 answers", exact=False)).to_be_visible()
    visit.shot("progress")
    page.get_by_role("button", name=f"✘ {missed} (missed 1 of 1)").click()
    expect(page.locator(CHAT).get_by_text("Question 1/1")).to_be_visible()
    assert visit.question_id() == "F004-37"
    visit.shot("weak-key-point-sitting")


HELD_BAR = "Reading your answer"


class RuntimeWithHeldGrading(Runtime):
    """An injected delay: each grade waits, its tqdm bar at 1 of 2 parts, until RELEASED is set, then the
    real grader grades; a stand-in for a long answer's grading, which shows such a bar."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.released = threading.Event()

    def grader(self, on_wait=None, mode=None, user=None):
        return HeldGrader(super().grader(on_wait, mode, user), self.released)


class HeldGrader:
    def __init__(self, inner, released: threading.Event) -> None:
        self.inner, self.released, self.name = inner, released, inner.name

    def grade(self, question, answer):
        from tqdm import tqdm

        with tqdm(total=2, desc=HELD_BAR, unit="part") as bar:
            bar.update(1)
            self.released.wait(timeout=WAIT_MS / 1000)
            bar.update(1)
        return self.inner.grade(question, answer)



def test_a_queued_answer_shows_its_place_in_line_and_a_graded_one_its_progress(browser, index, web_settings,
                                                                               tmp_path):
    """One request at a time (web_concurrency 1); the first candidate's grading is held (the injected
    delay above), so the second candidate's answer waits in the queue."""
    from playwright.sync_api import expect

    runtime = RuntimeWithHeldGrading(web_settings.with_overrides(web_concurrency=1), index=index)
    with serving(runtime) as url:
        first, second = Visit(browser, url, tmp_path / "first"), Visit(browser, url, tmp_path / "second")
        try:
            for visit in (first, second):
                visit.shots.mkdir()
                visit.start("Optimizers", 1)
                expect(visit.page.get_by_text("Question 1/1")).to_be_visible()
            first.answer("Momentum keeps a moving average of past gradients and steps along it.")
            grading = first.page.locator(CHAT)
            expect(grading.get_by_text("Grading...")).to_be_visible()
            expect(grading.get_by_text(f"{HELD_BAR} - 50.0%").first).to_be_visible()
            expect(grading.get_by_text(re.compile(r"^1/2 part \|\s+[\d.]+s$"))).to_be_visible()
            first.shot("grading-with-progress")

            second.answer("Adam adapts each weight's step size.")
            expect(second.page.locator(CHAT).get_by_text(re.compile(r"^queue: 1/1 \|\s+[\d.]+s$"))
                   ).to_be_visible()
            second.shot("queued")

            runtime.released.set()
            for visit in (first, second):
                expect(visit.page.get_by_role("heading", name=SCORE_HEADING)).to_be_visible()
                expect(visit.page.locator(CHAT).get_by_text(re.compile(r"^queue: "))).to_have_count(0)
            second.shot("graded-after-waiting")
        finally:
            runtime.released.set()
            first.context.close()
            second.context.close()

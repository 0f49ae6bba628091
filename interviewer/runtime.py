"""Loads the bank at once and the embedding model, index and grader in the background."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from interviewer.answer_text import clean_answer
from interviewer.coaching import Coach, FollowUp, follow_up_question
from interviewer.config import Settings
from interviewer.corpus import OWN_FILE, Bank, load_bank
from interviewer.embeddings import check_model_and_device, embedder_for
from interviewer.errors import InterviewerError
from interviewer.grading import Grader
from interviewer.grading.calibration import calibrated
from interviewer.grading.choice import build_grader, grader_kind, grader_kinds
from interviewer.grading.offline import OfflineGrader
from interviewer.history import LOCAL_USER, History, open_history
from interviewer.index import BankIndex, open_index
from interviewer.llm import ChatClient, chat_client_for
from interviewer.models import Grade, Question
from interviewer.practice.records import PracticeRecord
from interviewer.selection import pick_for_practice, select_questions
from interviewer.session import Interview, grade_answer

# The questions a server prepares the grading of at start: about 0.1 s of CPU each on two cores, so the
# shipped bank (77) takes seconds and a bank of 100,000 is not embedded twice over in the background.
PREPARED_QUESTIONS = 2_000


class Runtime:
    """The pieces interviews need; the slow ones load on a thread so the first question is instant.

    One runtime may serve many interviews at once (the web chat): the shared pieces are made once,
    under a lock, whichever thread asks first; they share one LLM client, so a server that has just
    failed is not asked again by any of them for a while.
    """

    def __init__(self, settings: Settings, index: BankIndex | None = None,
                 notify: Callable[[str], None] | None = None, model_threads: int | None = None) -> None:
        self.settings = settings
        self.model_threads = model_threads  # per call of the embedding model (None: one per core)
        self.notify = notify  # tells the user waiting on the LLM that it is being retried
        own = settings.data_dir / OWN_FILE  # the user's imported questions join the bank
        self.bank: Bank = index.bank if index is not None else load_bank(settings.bank, own)
        self._index = index
        self._offline: OfflineGrader | None = None  # alone, or behind the LLM: one, so one set of caches
        self._graders: dict[str, Grader] = {}
        self._chat_client: ChatClient | None = None
        self._history: History | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._index_lock = threading.Lock()

    def start_loading(self) -> None:
        """Begin loading the model and index on a background thread; safe to call twice."""
        with self._lock:
            if self._thread is None and self._index is None:
                self._thread = threading.Thread(target=self._load, args=(True,), daemon=True)
                self._thread.start()

    @property
    def ready(self) -> bool:
        """True once the index is loaded."""
        return self._index is not None

    def index(self, on_wait: Callable[[], None] | None = None) -> BankIndex:
        """The loaded index; waits for the background load, or loads here with progress bars."""
        if self._index is not None:
            return self._index
        with self._index_lock:
            if self._index is None:
                thread = self._thread
                if thread is None:
                    self._load(quiet=False)
                else:
                    if on_wait is not None:
                        on_wait()
                    thread.join()
                if self._error is not None:
                    error, self._error, self._thread = self._error, None, None
                    raise error
        return self._index

    def grader(self, on_wait: Callable[[], None] | None = None, mode: str | None = None,
               user: str = LOCAL_USER) -> Grader:
        """The grader MODE selects ('offline' or 'llm'; default: the settings' choice), made once per mode,
        with the offline grader over the loaded index behind the LLM; its grades mapped through USER's
        calibration to their own grades, when they saved one (`interviewer calibrate`)."""
        settings = self.settings.with_overrides(mode=mode)
        kind = grader_kind(settings)
        index = self.index(on_wait)
        with self._lock:
            if kind not in self._graders:
                self._graders[kind] = build_grader(settings, self._offline_grader(index),
                                                   self._client(settings))
            grader = self._graders[kind]
        return calibrated(grader, settings.data_dir, user)

    def prepare_grading(self) -> int:
        """Have the offline grader embed now what it embeds once per bank question (a server does this in
        the background once the index loads), so that no candidate's first answer to a question waits
        for it; how many questions: the bank's first PREPARED_QUESTIONS (a bigger bank's others are
        prepared at their first answer, as the index embeds their grading texts then)."""
        index = self.index()
        with self._lock:
            offline = self._offline_grader(index)
        questions = self.bank.questions[:PREPARED_QUESTIONS]
        offline.prepare(questions)
        return len(questions)

    def chat_client(self, mode: str | None = None) -> ChatClient | None:
        """The LLM client when MODE (default: the settings' choice) selects the LLM, else None."""
        with self._lock:
            return self._client(self.settings.with_overrides(mode=mode))

    def coach(self, mode: str | None = None) -> Coach:
        """Hints and follow-ups, written by the LLM when MODE selects one; one coach per interview."""
        return Coach(self.chat_client(mode), self.index)

    @property
    def history(self) -> History:
        """The history the settings name, opened (and the old answer log imported) at first use."""
        with self._lock:
            if self._history is None:
                self._history = open_history(self.settings.db, self.settings.data_dir)
            return self._history

    def grade_saved(self, user: str | None = LOCAL_USER, on_wait: Callable[[], None] | None = None) -> int:
        """Grade the answers of USER (None: everyone's) saved but not graded, their process ended first,
        as an interview grades them; how many were graded."""
        pending = self.history.ungraded(user)
        if not pending:
            return 0
        graded = 0
        for entry in pending:
            grader = self.grader(on_wait, user=entry.user)  # one not made leaves them for next time
            try:
                question = self.bank.get(entry.question_id)
                if entry.kind == "follow-up":
                    question = follow_up_question(question, FollowUp(entry.follow_up or "", ""))
                grade = grade_answer(grader, question, clean_answer(entry.answer))
            except InterviewerError as exc:
                self.history.save_error(entry.id, str(exc))
                continue
            self.history.save_grade(entry.id, grade)
            graded += 1
        return graded

    def interview(self, questions: list[Question], mode: str | None = None, seconds: float = 0,
                  on_wait: Callable[[], None] | None = None, clock: Callable[[], float] = time.monotonic,
                  user: str = LOCAL_USER) -> Interview:
        """An interview on QUESTIONS graded by MODE's grader ('llm' or 'offline'; default: the settings'
        choice), SECONDS per question (0: no timer), its first question asked at once, recorded in the
        history as USER's: the grader is fetched at the first answer, ON_WAIT called if the index is still
        loading then."""
        check_model_and_device(self.settings.model, self.settings.device)
        available = grader_kinds(self.settings)
        if mode is not None and mode not in available:
            raise InterviewerError(f"grader {mode!r} is not available here; choose one of "
                                   f"{', '.join(available)}")
        grader = DeferredGrader(self, mode, on_wait, user)
        return Interview(questions, grader, self.coach(mode), self.history, seconds, clock, user)

    def questions_on(self, topics: list[str], count: int | None, rng: random.Random,
                     on_wait: Callable[[], None] | None = None, records: Sequence[PracticeRecord] = (),
                     now: datetime | None = None) -> list[Question]:
        """COUNT questions (None: all) on TOPICS (tags or free text; none: every topic), in random order but
        those due after RECORDS (past answers) first, then unseen ones, a question just answered well last;
        the index is loaded only for a free-text topic."""
        chosen = select_questions(self.bank, topics, lambda: self.index(on_wait))
        return pick_for_practice(chosen, count, rng, records, now or datetime.now().astimezone(),
                                 self.settings.until)

    def _offline_grader(self, index: BankIndex) -> OfflineGrader:
        """The offline grader over INDEX, made at the first call; the caller holds the lock."""
        if self._offline is None:
            self._offline = OfflineGrader(index, strictness=self.settings.strictness)
        return self._offline

    def _client(self, settings: Settings) -> ChatClient | None:
        if grader_kind(settings) == "offline":
            return None
        if self._chat_client is None:
            self._chat_client = chat_client_for(settings, notify=self.notify)
        return self._chat_client

    def _load(self, quiet: bool) -> None:
        try:
            embedder = embedder_for(self.settings, self.model_threads)
            self._index = open_index(self.bank, embedder, self.settings.cache_dir, quiet=quiet)
        except BaseException as exc:  # re-raised in the caller's thread by index()
            self._error = exc


class DeferredGrader:
    """The runtime's grader for MODE, fetched when the first answer is graded: an interview can ask its
    first question while the embedding model and index load."""

    def __init__(self, runtime: Runtime, mode: str | None, on_wait: Callable[[], None] | None,
                 user: str = LOCAL_USER) -> None:
        self.runtime, self.mode, self.on_wait, self.user = runtime, mode, on_wait, user
        self.name = grader_kind(runtime.settings.with_overrides(mode=mode))

    def grade(self, question: Question, answer: str) -> Grade:
        """The grade of ANSWER by the runtime's grader, calibrated to the user's own grades if they asked."""
        return self.runtime.grader(self.on_wait, self.mode, self.user).grade(question, answer)

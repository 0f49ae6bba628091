"""Loads the bank at once and the embedding model, index and grader in the background."""

from __future__ import annotations

import threading
from collections.abc import Callable

from interviewer.coaching import Coach
from interviewer.config import Settings
from interviewer.corpus import Bank, load_bank
from interviewer.embeddings import SentenceTransformerEmbedder
from interviewer.grading import Grader
from interviewer.grading.choice import build_grader
from interviewer.grading.offline import OfflineGrader
from interviewer.index import BankIndex, open_index
from interviewer.llm import ChatClient, chat_client_for


class Runtime:
    """The pieces one interview needs; the slow ones load on a thread so the first question is instant."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bank: Bank = load_bank(settings.bank)
        self._index: BankIndex | None = None
        self._grader: Grader | None = None
        self._chat_client: ChatClient | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

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

    def grader(self, on_wait: Callable[[], None] | None = None) -> Grader:
        """The grader the settings select, with the offline grader over the loaded index behind it."""
        if self._grader is None:
            offline = OfflineGrader(self.index(on_wait), strictness=self.settings.strictness)
            self._grader = build_grader(self.settings, offline, self.chat_client())
        return self._grader

    def chat_client(self) -> ChatClient | None:
        """The LLM client when the settings select the LLM, else None."""
        if self._chat_client is None and self.settings.uses_llm:
            self._chat_client = chat_client_for(self.settings)
        return self._chat_client

    def coach(self) -> Coach:
        """Hints and follow-ups, written by the LLM when there is one."""
        return Coach(self.chat_client(), self.index)

    def _load(self, quiet: bool) -> None:
        try:
            embedder = SentenceTransformerEmbedder(self.settings.model, self.settings.device)
            self._index = open_index(self.bank, embedder, self.settings.cache_dir, quiet=quiet)
        except BaseException as exc:  # re-raised in the caller's thread by index()
            self._error = exc

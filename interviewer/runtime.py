"""Loads the bank at once and the embedding model, index and grader in the background."""

from __future__ import annotations

import threading
from collections.abc import Callable

from interviewer.config import Settings
from interviewer.corpus import Bank, load_bank
from interviewer.embeddings import SentenceTransformerEmbedder
from interviewer.grading.offline import OfflineGrader
from interviewer.index import BankIndex, open_index


class Runtime:
    """The pieces one interview needs; the slow ones load on a thread so the first question is instant."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bank: Bank = load_bank(settings.bank)
        self._index: BankIndex | None = None
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

    def grader(self, on_wait: Callable[[], None] | None = None) -> OfflineGrader:
        """The offline grader over the loaded index."""
        return OfflineGrader(self.index(on_wait))

    def _load(self, quiet: bool) -> None:
        try:
            embedder = SentenceTransformerEmbedder(self.settings.model, self.settings.device)
            self._index = open_index(self.bank, embedder, self.settings.cache_dir, quiet=quiet)
        except BaseException as exc:  # re-raised in the caller's thread by index()
            self._error = exc

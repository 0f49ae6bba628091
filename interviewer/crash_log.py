"""The one place an unexpected error becomes one line for the user, its traceback kept in a log file."""

from __future__ import annotations

import time
import traceback
from pathlib import Path

LOG_NAME = "errors.log"


def record_unexpected(exc: BaseException, data_dir: Path) -> Path | None:
    """Append EXC's traceback, with the time, to errors.log in DATA_DIR; the log's path, or None when it
    cannot be written either."""
    path = Path(data_dir) / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8", errors="replace") as handle:
            handle.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
            handle.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return path


def unexpected_message(exc: BaseException, log: Path | None) -> str:
    """One line saying what went wrong, that it is a bug, and where its details are."""
    where = f"the details are in {log}" if log is not None else "its details could not be written to a log"
    summary = " ".join(str(exc).split())[:200]
    return (f"unexpected {type(exc).__name__}{': ' + summary if summary else ''}. This is a bug in "
            f"interviewer: {where}; please report it with that file.")

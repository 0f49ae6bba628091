"""The answer log that came before the history (answers.jsonl: a line per answer, a line per grade),
imported once: every line that parses is kept, each grade paired with its answer by id; the lines that
do not parse go to answers.jsonl.unreadable beside it; then the log is renamed answers.jsonl.imported."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from interviewer.history.database import MAX_SCORE, History, storable

LOG_NAME = "answers.jsonl"
IMPORTED_SESSION = "imported"


def import_answer_log(history: History, data_dir: Path, user: str) -> int:
    """Import DATA_DIR's answers.jsonl, if there is one, as USER's; how many answers it held."""
    path = Path(data_dir) / LOG_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise_unreadable(path, exc)
    answers, unreadable = read_log(data)
    written = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    rows = [imported_row(answer, user, written) for answer in answers]
    try:
        if unreadable:
            free_name(path, ".unreadable").write_bytes(b"".join(line + b"\n" for line in unreadable))
        history.import_rows(rows)
        path.rename(free_name(path, ".imported"))
    except FileNotFoundError:  # another process imported it at the same time
        pass
    except OSError as exc:
        raise_unreadable(path, exc)
    return len(rows)


def raise_unreadable(path: Path, exc: OSError) -> None:
    from interviewer.history.database import HistoryError

    raise HistoryError(f"cannot import the answer log {path}: {exc.strerror}; move it away to go on "
                       "without it") from exc


def read_log(data: bytes) -> tuple[list[dict], list[bytes]]:
    """The answers in the log's DATA, each with its last grade or error, and the lines that are not
    readable (a torn last line, garbage, a grade whose answer is missing)."""
    answers: dict[str, dict] = {}
    outcomes: dict[str, tuple[dict, bytes]] = {}
    unreadable: list[bytes] = []
    lines = data.split(b"\n")
    for raw in lines[:-1] if lines and not lines[-1] else lines:
        entry = parsed(raw)
        if entry is None:
            unreadable.append(raw)
        elif "answer" in entry:
            if entry["id"] in answers:
                unreadable.append(raw)  # an id given twice: the first answer is imported, this one kept
            else:
                answers[entry["id"]] = entry
        else:
            if entry["id"] in outcomes:
                unreadable.append(outcomes[entry["id"]][1])  # an earlier outcome is kept, not lost
            outcomes[entry["id"]] = (entry, raw)
    for entry_id, (outcome, raw) in outcomes.items():
        if entry_id in answers:
            answers[entry_id] |= {k: v for k, v in outcome.items() if k in ("grade", "error")}
        else:
            unreadable.append(raw)
    return list(answers.values()), unreadable


def parsed(raw: bytes) -> dict | None:
    """The log entry on line RAW, or None when it is not one: an answer (id, question_id, answer) or
    an outcome (id and a grade with a score, or an error)."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        return None
    if "answer" in entry:
        fields = (entry.get("question_id"), entry["answer"], entry.get("follow_up", ""))
        return entry if all(isinstance(v, str) for v in fields) and fields[0] else None
    grade, error = entry.get("grade"), entry.get("error")
    if isinstance(grade, dict) and isinstance(grade.get("score"), (int, float)):
        return entry
    return entry if isinstance(error, str) and grade is None else None


def imported_row(answer: dict, user: str, written: datetime) -> dict:
    """An entries row for an answer of the log (WRITTEN: when the log was last written)."""
    grade = answer.get("grade")
    row = {"id": answer["id"], "user": user, "session_id": IMPORTED_SESSION,
           "kind": "follow-up" if answer.get("follow_up") else "answer", "question_id": answer["question_id"],
           "topics": "[]", "parent_id": None, "answer": storable(answer["answer"]),
           "answered_at": logged_time(answer.get("time"), written), "seconds": None, "hint": None,
           "follow_up": storable(answer.get("follow_up") or None), "graded_at": None, "score": None,
           "max_score": None, "grader": None, "model": None, "grade": None,
           "error": storable(answer.get("error")), "own_score": None, "own_reason": None, "imported": True}
    if grade is not None:
        row |= {"graded_at": row["answered_at"], "score": float(grade["score"]), "max_score": MAX_SCORE,
                "grader": str(grade.get("grader") or ""), "model": grade.get("model"),
                "grade": json.dumps(grade, ensure_ascii=False), "error": None}
    return row


def logged_time(value: object, otherwise: datetime) -> datetime:
    """The log's local time (YYYY-MM-DDTHH:MM:SS, no zone) as UTC; OTHERWISE when it has none."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S").astimezone(timezone.utc)
    except ValueError:
        return otherwise


def free_name(path: Path, suffix: str) -> Path:
    """PATH with SUFFIX added, numbered when that name is taken (an earlier import's)."""
    candidate, number = path.with_name(path.name + suffix), 1
    while candidate.exists():
        candidate, number = path.with_name(f"{path.name}{suffix}.{number}"), number + 1
    return candidate

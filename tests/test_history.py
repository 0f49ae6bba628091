"""The history of answers: saved before grading, graded after, each user's own; in SQLite and in a real
PostgreSQL server; the old answers.jsonl imported once; an answer whose process was killed mid-grade
graded at the next start; `interviewer history` to list, show, export and delete."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.config import Settings
from interviewer.history import LOCAL_USER, History, HistoryError, database_url, open_history
from interviewer.practice.records import PracticeRecord
from interviewer.runtime import Runtime

from .fake_llm_server import FakeLLMServer, Reply
from .interviewer_process import output_of, run_interviewer, start_interviewer
from .saved_answers import saved_entries
from .test_cli import GOOD_ADAM

ZERO_GRADE = json.dumps({"key_points": [], "mistakes": [], "score": 0, "feedback": "Say more."})


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> str:
    """The `db` setting of a fresh history: a SQLite file, or a database of a real PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite3")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def history(db, tmp_path):
    opened = open_history(db, tmp_path)
    yield opened
    opened.close()


def data_folder(user_folders: Path) -> Path:
    return user_folders / "xdg_data_home" / "interviewer"


def test_an_answer_its_grade_skips_follow_ups_hints_and_own_grades_are_recorded(history, grader, bank):
    question = bank.get("F004-37")
    entry = history.save_answer("ann", "s1", question.id, question.topics, GOOD_ADAM, seconds=12.5,
                                hint="Think about the moments.")
    [saved] = history.entries("ann")
    assert (saved.answer, saved.kind, saved.grade, saved.seconds) == (GOOD_ADAM, "answer", None, 12.5)
    assert saved.answered_at.tzinfo == timezone.utc and history.ungraded("ann") == [saved]
    grade = grader.grade(question, GOOD_ADAM)
    history.save_grade(entry, grade)
    history.save_follow_up(entry, "Why correct the bias?")
    follow_up = history.save_answer("ann", "s1", question.id, question.topics, "They start at zero.",
                                    "follow-up", entry, "Why correct the bias?", 3.0)
    history.save_own_grade(entry, 9, "I said it all")
    history.save_skip("ann", "s1", "F004-36", ("optimizers",), seconds=2.0)
    skipped, answered_again, first = history.entries("ann")
    assert first.grade == grade and first.score == grade.score and first.max_score == 10
    assert (first.grader, first.own_score, first.own_reason) == ("offline", 9, "I said it all")
    assert first.graded_at.tzinfo == timezone.utc and first.graded_at >= first.answered_at
    assert (answered_again.id, answered_again.parent_id) == (follow_up, entry)
    assert answered_again.kind == "follow-up"
    assert skipped.kind == "skip" and history.ungraded("ann") == [answered_again]
    records = history.practice_records("ann")
    assert [type(r) for r in records] == [PracticeRecord, PracticeRecord]
    assert records[0] == PracticeRecord(
        "F004-37", first.answered_at, grade.score, 10.0, tuple((k.text, k.status) for k in grade.key_points),
        len(grade.mistakes), hinted=True, followed_up=True, seconds=12.5, own_score=9, topics=question.topics)
    assert records[1].skipped and records[1].score is None and records[1].question_id == "F004-36"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_interview_records_its_answers_hints_timing_own_grades_retakes_and_skips(index, tmp_path):
    runtime = Runtime(Settings(cache_dir=tmp_path, data_dir=tmp_path), index=index)
    clock = Clock()
    interview = runtime.interview([runtime.bank.get("F004-37"), runtime.bank.get("F004-36")], "offline",
                                  clock=clock, user="ann")
    hint = interview.hint()
    clock.now += 42
    grade = interview.answer(GOOD_ADAM)
    interview.disagree(9.5, "I said it all")
    interview.retake()
    clock.now += 5
    interview.answer("Adam adapts the learning rate.")
    interview.next()
    clock.now += 3
    interview.skip()
    first, retaken, skipped = runtime.history.entries("ann", newest_first=False)
    assert (first.answer, first.hint, first.seconds, first.score) == (GOOD_ADAM, hint, 42, grade.score)
    assert (first.own_score, first.own_reason, first.grade) == (9.5, "I said it all", grade)
    assert (retaken.hint, retaken.seconds, retaken.question_id) == (None, 5, "F004-37")
    assert (skipped.kind, skipped.question_id, skipped.seconds) == ("skip", "F004-36", 3)
    assert {e.session_id for e in (first, retaken, skipped)} == {interview.session_id}
    assert first.topics == runtime.bank.get("F004-37").topics
    assert not runtime.history.entries(LOCAL_USER)
    records = runtime.history.practice_records("ann")
    assert [(r.hinted, r.skipped, r.own_score) for r in records] == [(True, False, 9.5), (False, False, None),
                                                                     (False, True, None)]


def test_no_user_sees_another_users_rows(history):
    ann = history.save_answer("ann", "s1", "F004-37", (), "Ann's answer")
    bob = history.save_answer("bob", "s2", "F004-37", (), "Bob's answer")
    assert [e.answer for e in history.entries("ann")] == ["Ann's answer"]
    assert [e.answer for e in history.entries("bob", "F004-37")] == ["Bob's answer"]
    assert [e.id for e in history.ungraded("ann")] == [ann] and len(history.ungraded()) == 2
    with pytest.raises(HistoryError, match="no entry"):
        history.entry("ann", bob)
    assert history.entry("bob", bob[:6]).answer == "Bob's answer"
    assert history.delete("ann") == 1
    assert not history.entries("ann") and [e.id for e in history.entries("bob")] == [bob]
    assert len(history.practice_records("bob")) == 1 and not history.practice_records("ann")


def test_reopening_migrates_nothing_and_keeps_every_row(db, tmp_path):
    first = open_history(db, tmp_path)
    first.save_answer(LOCAL_USER, "s1", "F004-37", (), "kept")
    first.close()
    again = open_history(db, tmp_path)
    assert [e.answer for e in again.entries(LOCAL_USER)] == ["kept"]
    again.close()


def test_a_current_history_opens_without_importing_alembic_whose_head_it_names(tmp_path):
    """Every command opens the history; alembic (half a second to import) is only for a schema to migrate."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from interviewer.history.database import HEAD_REVISION, MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    open_history("", tmp_path).close()  # made and migrated
    script = ("import sys\nfrom interviewer.history import open_history\n"
              f"open_history('', {str(tmp_path)!r}).close()\nprint('alembic' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_the_sqlite_history_is_in_wal_mode_with_full_sync(tmp_path):
    history = open_history("", tmp_path)
    with history.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
    assert history.where.endswith(str(tmp_path / "history.sqlite3"))


def answer_line(entry_id: str, answer: str, question_id: str = "F004-37") -> str:
    return json.dumps({"id": entry_id, "time": "2026-11-30T10:00:00", "question_id": question_id,
                       "answer": answer})


def grade_line(entry_id: str, score: float) -> str:
    grade = {"question_id": "F004-37", "score": score, "grader": "offline", "key_points": [],
             "feedback": "ok", "reference": "r", "mistakes": [], "notes": [], "model": None}
    return json.dumps({"id": entry_id, "grade": grade})


def test_the_old_answer_log_is_imported_once_and_its_unreadable_lines_kept(db, tmp_path):
    log = tmp_path / "answers.jsonl"
    torn = answer_line("aaaa00000002", "a torn answer")[:25]
    lines = [answer_line("aaaa00000001", "graded"), grade_line("aaaa00000001", 6.5), torn,
             answer_line("aaaa00000003", "right after the torn line"), "garbage {{{",
             json.dumps({"id": "aaaa00000004", "error": "the grader is down"}),
             answer_line("aaaa00000004", "failed to grade"), answer_line("aaaa00000005", "never graded")]
    log.write_text("\n".join(lines) + "\n" + answer_line("aaaa00000006", "cut off")[:30], encoding="utf-8")
    history = open_history(db, tmp_path)
    entries = {e.id: e for e in history.entries(LOCAL_USER)}
    assert sorted(entries) == ["aaaa00000001", "aaaa00000003", "aaaa00000004", "aaaa00000005"]
    assert entries["aaaa00000001"].score == 6.5 and entries["aaaa00000001"].grade.score == 6.5
    assert entries["aaaa00000003"].answer == "right after the torn line"
    assert entries["aaaa00000004"].error == "the grader is down"
    assert [e.id for e in history.ungraded(LOCAL_USER)] == ["aaaa00000003", "aaaa00000005"]
    assert all(e.imported and e.answered_at.tzinfo == timezone.utc for e in entries.values())
    unreadable = (tmp_path / "answers.jsonl.unreadable").read_text(encoding="utf-8").splitlines()
    assert unreadable == [torn, "garbage {{{", answer_line("aaaa00000006", "cut off")[:30]]
    assert not log.exists() and (tmp_path / "answers.jsonl.imported").read_text().startswith(lines[0])
    history.close()
    again = open_history(db, tmp_path)
    assert len(again.entries(LOCAL_USER)) == 4 and not (tmp_path / "answers.jsonl.imported.1").exists()
    again.close()


def graded_answers(data_dir: Path) -> list[tuple[str, str | None]]:
    return [(e.answer, e.grader) for e in saved_entries(data_dir)]


def test_an_answer_whose_process_is_killed_mid_grade_is_graded_at_the_next_start(index, user_folders):
    """SIGKILL while the LLM grades the second answer (the fake server hangs on it: the injected fault):
    the history opens, the first grade is intact, and the next start grades the second answer."""

    def first_grades_then_hangs(request: dict) -> Reply:
        chats = [r for r in server.requests if "messages" in r]
        return Reply(content=ZERO_GRADE) if len(chats) == 1 else Reply(content=ZERO_GRADE, delay=600)

    data = data_folder(user_folders)
    with FakeLLMServer(first_grades_then_hangs) as server:
        process = start_interviewer("ask", "-t", "optimizers", "-n", "2", "--seed", "1",
                                    OPENAI_BASE_URL=server.base_url, INTERVIEWER_TIMEOUT="600")
        try:
            process.stdin.write(f"The first answer.\n\n{GOOD_ADAM}\n\n")
            process.stdin.flush()
            deadline = time.monotonic() + 300
            while len([r for r in server.requests if "messages" in r]) < 2:
                assert process.poll() is None and time.monotonic() < deadline, output_of(process)
                time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL
    with sqlite3.connect(data / "history.sqlite3") as connection:  # readable, and whole
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert graded_answers(data) == [("The first answer.", "llm"), (GOOD_ADAM, None)]
    result = run_interviewer("--offline", "history", timeout=120)
    assert result.returncode == 0 and "not graded" in result.stdout and "0/10" in result.stdout
    again = run_interviewer("--offline", "grade", "-q", "F004-37", "-a", "Adam adapts the learning rate.",
                            timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("Graded 1 answer saved but not graded last time.") == 1
    assert graded_answers(data) == [("The first answer.", "llm"), (GOOD_ADAM, "offline"),
                                    ("Adam adapts the learning rate.", "offline")]
    third = run_interviewer("--offline", "history", timeout=120)
    assert "saved but not graded" not in third.stderr


@pytest.fixture
def three_entries(user_folders, grader, bank) -> list[str]:
    """The local user's history with two graded answers and a skip, oldest first, and alice's answer."""
    history = open_history("", data_folder(user_folders))
    ids = []
    for question_id, answer in (("F004-37", GOOD_ADAM), ("F004-36", "RMSProp divides by a moving average.")):
        question = bank.get(question_id)
        entry = history.save_answer(LOCAL_USER, "s1", question_id, question.topics, answer, seconds=30)
        history.save_grade(entry, grader.grade(question, answer))
        ids.append(entry)
    ids.append(history.save_skip(LOCAL_USER, "s1", "F004-35", ()))
    history.save_answer("alice", "s2", "F004-37", (), "Alice's answer")
    history.close()
    return ids


def test_history_lists_the_users_answers_newest_first(three_entries):
    result = CliRunner().invoke(cli, ["history"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == three_entries[::-1]
    assert "skipped" in lines[0] and "F004-36" in lines[1] and "/10 " in lines[2] and "offline" in lines[2]
    only = CliRunner().invoke(cli, ["history", "--question", "F004-37"])
    assert only.output.splitlines() == lines[2:]
    alice = CliRunner().invoke(cli, ["history", "--user", "alice"])
    assert "not graded" in alice.output and len(alice.output.splitlines()) == 1
    none = CliRunner().invoke(cli, ["history", "--question", "ML9999"])
    assert none.exit_code == 0 and none.output.startswith("No answers to ML9999 in local's history")


def test_history_shows_one_entry_with_its_card(three_entries, bank):
    result = CliRunner().invoke(cli, ["history", "--show", three_entries[0][:8]])
    assert result.exit_code == 0, result.output
    assert " ".join(bank.get("F004-37").question.split()) in " ".join(result.output.split())
    assert GOOD_ADAM[:40] in result.output and "Score: " in result.output and "Key points:" in result.output
    assert "Reference answer:" in result.output and "Answered after 30 s." in result.output
    assert CliRunner().invoke(cli, ["history", "show", three_entries[0]]).output == result.output
    alices = CliRunner().invoke(cli, ["history", "--user", "alice", "show", three_entries[0]])
    assert alices.exit_code == 2 and "no entry" in alices.output
    missing = CliRunner().invoke(cli, ["history", "--show", "nosuchentry"])
    assert missing.exit_code == 2 and missing.output.startswith("Error: no entry 'nosuchentry'")
    both = CliRunner().invoke(cli, ["history", "--show", three_entries[0], "--delete"])
    assert both.exit_code == 2 and "choose one of --show, --export and --delete" in both.output
    mixed = CliRunner().invoke(cli, ["history", "--delete", "show", three_entries[0]])
    assert mixed.exit_code == 2 and "`history show` takes no --question" in mixed.output


def test_history_exports_the_users_own_entries(three_entries, tmp_path):
    out = tmp_path / "mine.jsonl"
    result = CliRunner().invoke(cli, ["history", "--export", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == three_entries and {r["user"] for r in rows} == {LOCAL_USER}
    assert rows[0]["grade"]["score"] == rows[0]["score"] and rows[0]["answered_at"].endswith("+00:00")
    assert rows[2]["kind"] == "skip"
    bad = CliRunner().invoke(cli, ["history", "--export", str(tmp_path / "no" / "such" / "folder.jsonl")])
    assert bad.exit_code == 1 and bad.output.startswith("Error: ") and len(bad.output.splitlines()) == 1


def test_history_deletes_only_the_users_entries_after_asking(three_entries, user_folders):
    declined = CliRunner().invoke(cli, ["history", "--delete"], input="n\n")
    assert declined.exit_code == 1 and len(saved_entries(data_folder(user_folders))) == 3
    assert "Delete all 3 entries of local's history" in declined.output
    agreed = CliRunner().invoke(cli, ["history", "--delete"], input="y\n")
    assert agreed.exit_code == 0 and "Deleted 3 entries" in agreed.output
    assert not saved_entries(data_folder(user_folders))
    assert len(saved_entries(data_folder(user_folders), "alice")) == 1
    forced = CliRunner().invoke(cli, ["history", "--delete", "--yes", "--user", "alice"])
    assert forced.exit_code == 0 and not saved_entries(data_folder(user_folders), "alice")


def test_db_names_another_file_or_a_bad_url_in_one_line(user_folders, tmp_path):
    elsewhere = tmp_path / "elsewhere.sqlite3"
    History.open(database_url(str(elsewhere), tmp_path)).save_answer(LOCAL_USER, "s", "F004-37", (), "there")
    for arguments in (["--db", str(elsewhere), "history"], ["history", "--db", str(elsewhere)]):
        result = CliRunner().invoke(cli, arguments)
        assert result.exit_code == 0 and "not graded" in result.output
    (user_folders / "xdg_config_home" / "interviewer").mkdir(parents=True)
    (user_folders / "xdg_config_home" / "interviewer" / "config.yaml").write_text(f"db: {elsewhere}\n")
    assert "not graded" in CliRunner().invoke(cli, ["history"]).output
    bad = CliRunner().invoke(cli, ["history", "--db", "mysql://somewhere/db"])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
    assert bad.output == ("Error: --db: setting 'db' must be a file path or a postgresql:// URL, not a "
                          "mysql:// URL\n")


def test_the_cli_reads_and_writes_a_postgresql_history(postgres_url, index, user_folders):
    graded = CliRunner().invoke(cli, ["grade", "--db", postgres_url, "-q", "F004-37", "-a", GOOD_ADAM])
    assert graded.exit_code == 0, graded.output
    listed = CliRunner().invoke(cli, ["--db", postgres_url, "history"])
    assert listed.exit_code == 0 and "F004-37" in listed.output and "offline" in listed.output
    assert not (data_folder(user_folders) / "history.sqlite3").exists()
    down = CliRunner().invoke(cli, ["history", "--db", "postgresql://nobody@127.0.0.1:9/none"])
    assert down.exit_code == 1 and down.output.startswith("Error: cannot open the history at postgresql")

"""The index cache is checked, not trusted (issue 14): a damaged file means a rebuild with a one-line
notice, `index --check` reports what loading would find, an unwritable cache still grades, an
interrupted write never looks current, and writing an index removes the one it replaces (not other banks').

The real model and real FAISS over a bank of three short questions of the shipped bank, built once for
the module, so that each rebuild takes about a second; the fakes inject faults and are named for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewer.cli import cli
from interviewer.corpus import load_bank
from interviewer.errors import BackendError
from interviewer.index import (
    FILES,
    MANIFEST,
    NOT_BUILT,
    BankIndex,
    check_index,
    index_folder,
    open_index,
    save_index,
)
from interviewer.llm import ServerMemory, ServerQuirks

from .conftest import CORPUS

SMALL_BANK = ("F004-02", "F004-03", "F004-17")
QUERIES = ("what is artificial intelligence", "machines that learn from experience",
           "a loss that penalizes errors")
ANSWER = "A cost function, or loss function, measures how well the network does and penalizes its errors."


@pytest.fixture(scope="module")
def small_bank_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped taxonomy and the SMALL_BANK questions of the shipped bank."""
    folder = tmp_path_factory.mktemp("small-bank")
    shutil.copy(CORPUS / "taxonomy.yaml", folder)
    shipped = yaml.safe_load((CORPUS / "flashcards-004.yaml").read_text(encoding="utf-8"))
    entries = [entry for entry in shipped if entry["id"] in SMALL_BANK]
    for entry in entries:
        entry["related"] = []
    (folder / "flashcards.yaml").write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True),
                                        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def small_bank(small_bank_dir: Path):
    return load_bank(small_bank_dir)


@pytest.fixture(scope="module")
def built_cache(small_bank, embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the small bank's index, built once."""
    cache = tmp_path_factory.mktemp("built-cache")
    _, notices = open_noting(small_bank, embedder, cache)
    assert notices == [] and check_index(small_bank, embedder, cache) == []
    return cache


@pytest.fixture(scope="module")
def expected(small_bank, embedder, built_cache: Path) -> list[tuple[str, float]]:
    """What the intact index finds for QUERIES."""
    return results(open_noting(small_bank, embedder, built_cache)[0])


@pytest.fixture
def cache(built_cache: Path, tmp_path: Path) -> Path:
    """A copy of the built cache that a test may damage."""
    copy = tmp_path / "cache"
    shutil.copytree(built_cache, copy)
    return copy


def open_noting(bank, embedder, cache: Path) -> tuple[BankIndex, list[str]]:
    """The index open_index gives, and the notices it gave."""
    notices: list[str] = []
    return open_index(bank, embedder, cache, quiet=True, warn=notices.append), notices


def results(index: BankIndex) -> list[tuple[str, float]]:
    return [(hit.question.id, hit.score) for query in QUERIES for hit in index.search(query, 3)]


def assert_same_results(found: list[tuple[str, float]], expected: list[tuple[str, float]]) -> None:
    assert [qid for qid, _ in found] == [qid for qid, _ in expected]
    assert np.allclose([s for _, s in found], [s for _, s in expected], atol=1e-5)


def cached(bank, embedder, cache: Path, file: str) -> Path:
    return index_folder(bank, embedder, cache) / file


def make_manifest_agree(path: Path) -> None:
    """Record PATH's present size and sha256 in its folder's manifest, as if it had been written so."""
    manifest_path = path.parent / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    data = path.read_bytes()
    manifest["files"][path.name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    manifest_path.write_text(json.dumps(manifest))


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def halve(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def random_bytes(path: Path) -> None:
    path.write_bytes(np.random.default_rng(14).bytes(path.stat().st_size))


def wrong_shape(path: Path) -> None:
    with path.open("wb") as out:
        np.save(out, np.ones((2, 384), dtype=np.float32))


def wrong_shape_in_manifest_too(path: Path) -> None:
    wrong_shape(path)
    make_manifest_agree(path)


def two_questions_in_manifest_too(path: Path) -> None:
    import faiss

    index = faiss.IndexFlatIP(384)
    index.add(np.eye(2, 384, dtype=np.float32))
    faiss.write_index(index, str(path))
    make_manifest_agree(path)


def remove(path: Path) -> None:
    path.unlink()


def manifest_garbage(path: Path) -> None:
    (path.parent / MANIFEST).write_bytes(b"\xff{not json")


DAMAGE = [
    ("topics.npy", zero_bytes, "topics.npy: size 0, expected "),
    ("topics.npy", wrong_shape, "topics.npy: size 3200, expected "),
    ("topics.npy", wrong_shape_in_manifest_too,
     "topics.npy: float32 array of shape (2, 384), expected float32 array of shape ("),
    ("questions.faiss", two_questions_in_manifest_too,
     "questions.faiss: IndexFlatIP of shape (2, 384), expected IndexFlatIP of shape (3, 384)"),
    ("questions.faiss", wrong_shape_in_manifest_too, "questions.faiss: cannot be loaded ("),
    ("questions.faiss", halve, "questions.faiss: size "),
    ("topics.npy", halve, "topics.npy: size "),
    ("questions.faiss", random_bytes, "questions.faiss: checksum differs from manifest.json"),
    ("topics.npy", random_bytes, "topics.npy: checksum differs from manifest.json"),
    ("questions.faiss", remove, "questions.faiss: missing"),
    ("topics.npy", remove, "topics.npy: missing"),
    (MANIFEST, remove, "manifest.json: missing"),
    (MANIFEST, manifest_garbage, "manifest.json: unreadable ("),
]


@pytest.mark.parametrize(("file", "damage", "problem"), DAMAGE,
                         ids=[f"{file}-{damage.__name__}" for file, damage, _ in DAMAGE])
def test_a_damaged_file_is_named_then_rebuilt_with_one_notice(file, damage, problem, small_bank, embedder,
                                                               cache, expected):
    damage(cached(small_bank, embedder, cache, file))
    problems = check_index(small_bank, embedder, cache)
    assert len(problems) == 1 and problems[0].startswith(problem)

    index, notices = open_noting(small_bank, embedder, cache)
    folder = index_folder(small_bank, embedder, cache)
    assert notices == [f"Index cache at {folder} was damaged ({problems[0]}); rebuilding."]
    assert "\n" not in notices[0]
    assert_same_results(results(index), expected)
    assert check_index(small_bank, embedder, cache) == []


def test_a_zero_byte_topics_file_is_reported_by_check_and_the_cli_still_grades(small_bank_dir, small_bank,
                                                                                embedder, cache):
    cached(small_bank, embedder, cache, "topics.npy").write_bytes(b"")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, ["--bank", str(small_bank_dir), "--cache-dir", str(cache), *args],
                             catch_exceptions=False)

    before = run("index", "--check")
    assert before.exit_code == 1
    assert before.stdout.startswith("damaged: ") and "(topics.npy: size 0, expected " in before.stdout

    graded = run("grade", "-q", "F004-17", "-a", ANSWER, "--json")
    assert graded.exit_code == 0, graded.output
    assert json.loads(graded.stdout)["question_id"] == "F004-17"
    assert "was damaged (topics.npy: size 0, expected " in graded.stderr
    assert "Aborted" not in graded.output

    after = run("index", "--check")
    assert after.exit_code == 0 and after.stdout.startswith("current: ")


def test_check_reports_a_missing_index_then_current_after_index(small_bank_dir, tmp_path):
    args = ["--bank", str(small_bank_dir), "--cache-dir", str(tmp_path / "cache"), "index"]
    missing = CliRunner().invoke(cli, [*args, "--check"])
    assert missing.exit_code == 1 and missing.stdout.startswith("missing: ") and NOT_BUILT in missing.stdout
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert CliRunner().invoke(cli, [*args, "--check"]).stdout.startswith("current: ")


def unwritable_cache(tmp_path: Path) -> Path:
    """A cache path no one can write, root included: its parent is a regular file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return blocker / "cache"


def test_an_unwritable_cache_warns_and_keeps_the_index_in_memory(small_bank, embedder, tmp_path, expected):
    index, notices = open_noting(small_bank, embedder, unwritable_cache(tmp_path))
    assert len(notices) == 1
    assert notices[0].startswith("Warning: cannot write the index cache at ")
    assert notices[0].endswith("; the index is kept in memory for this run.")
    assert_same_results(results(index), expected)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes to a folder whatever its mode; the file-parent test covers root")
def test_a_read_only_cache_folder_warns_and_keeps_the_index_in_memory(small_bank, embedder, tmp_path,
                                                                       expected):
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o500)
    try:
        index, notices = open_noting(small_bank, embedder, cache)
    finally:
        cache.chmod(0o700)
    assert len(notices) == 1 and "Permission denied" in notices[0]
    assert_same_results(results(index), expected)


def test_the_cli_grades_with_an_unwritable_cache(small_bank_dir, tmp_path):
    args = ["--bank", str(small_bank_dir), "--cache-dir", str(unwritable_cache(tmp_path))]
    graded = CliRunner().invoke(cli, [*args, "grade", "-q", "F004-17", "-a", ANSWER, "--json"],
                                catch_exceptions=False)
    assert graded.exit_code == 0, graded.output
    assert json.loads(graded.stdout)["question_id"] == "F004-17"
    assert "Warning: cannot write the index cache at " in graded.stderr
    assert "Warning: cannot write the embedding model's ONNX export at " in graded.stderr  # torch embeds

    built = CliRunner().invoke(cli, [*args, "index"])
    assert built.exit_code == 1
    assert built.stderr.splitlines()[-1].startswith("Error: cannot write the index cache at ")


def test_the_llm_formats_file_in_an_unwritable_cache_stays_in_memory(tmp_path):
    memory = ServerMemory(unwritable_cache(tmp_path) / "llm-formats.json")
    learnt = replace(ServerQuirks(), token_field="max_completion_tokens")
    memory.remember("http://127.0.0.1:1/v1", "some-model", learnt)
    assert memory.get("http://127.0.0.1:1/v1", "some-model") == learnt


def test_writing_an_index_removes_the_one_it_replaces_and_keeps_other_banks(small_bank_dir, embedder, cache,
                                                                            small_bank, tmp_path):
    folders = cache / "index"
    (folders / "v4-0123456789ab-all-MiniLM-L6-v2").mkdir()
    (folders / "v4-0123456789ab-all-MiniLM-L6-v2" / MANIFEST).write_text("{}")
    (folders / ".writing-interrupted").mkdir()
    edited_dir = tmp_path / "edited-bank"
    shutil.copytree(small_bank_dir, edited_dir)
    before_edit = load_bank(edited_dir)
    assert open_noting(before_edit, embedder, cache)[1] == []
    path = edited_dir / "flashcards.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0]["question"] = "What is artificial intelligence, in one sentence?"
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True), encoding="utf-8")
    edited = load_bank(edited_dir)

    index, notices = open_noting(edited, embedder, cache)
    assert notices == []
    # the edited bank's old index, the old format and the interrupted write are gone; the other bank's
    # index (the small bank, same content as before the edit but another folder) stays
    assert sorted(p.name for p in folders.iterdir()) == sorted(
        [index_folder(edited, embedder, cache).name, index_folder(small_bank, embedder, cache).name])
    assert index_folder(before_edit, embedder, cache) != index_folder(small_bank, embedder, cache)
    assert index.search("artificial intelligence in one sentence", 1)[0].question.id == "F004-02"


class ReplaceFailsAt:
    """Fault: the Nth os.replace fails as a full disk would (1: moving the old folder aside, 2: moving
    the new one in)."""

    def __init__(self, n: int) -> None:
        self.n, self.calls, self.real = n, 0, os.replace

    def __call__(self, source: object, target: object) -> None:
        self.calls += 1
        if self.calls == self.n:
            raise OSError(28, "No space left on device (injected)")
        self.real(source, target)


@pytest.mark.parametrize(("failing", "problems"), [(1, []), (2, [NOT_BUILT])])
def test_an_interrupted_write_never_leaves_a_cache_that_looks_current(failing, problems, small_bank, embedder,
                                                                      cache, monkeypatch, expected):
    index = open_noting(small_bank, embedder, cache)[0]
    monkeypatch.setattr(os, "replace", ReplaceFailsAt(failing))
    with pytest.raises(BackendError, match="No space left on device"):
        save_index(index, cache)
    monkeypatch.undo()
    assert check_index(small_bank, embedder, cache) == problems
    assert not list((cache / "index").glob(".writing-*"))

    reopened, notices = open_noting(small_bank, embedder, cache)
    assert notices == []
    assert_same_results(results(reopened), expected)
    assert [p.name for p in (cache / "index").iterdir()] == [index_folder(small_bank, embedder, cache).name]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from([*FILES.values(), MANIFEST]), truncate=st.booleans(),
       where=st.floats(0, 1), junk=st.binary(min_size=1, max_size=64))
def test_random_damage_loads_the_same_index_or_rebuilds_it_with_a_notice(file, truncate, where, junk,
                                                                        small_bank, embedder, built_cache,
                                                                        expected):
    """20 cases: a random cache file truncated at, or overwritten with random bytes from, a random offset;
    never an exception, always the intact index's results."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        shutil.copytree(built_cache, cache)
        path = cached(small_bank, embedder, cache, file)
        data = path.read_bytes()
        at = int(where * len(data))
        damaged = data[:at] if truncate else data[:at] + junk + data[at + len(junk):]
        path.write_bytes(damaged)

        index, notices = open_noting(small_bank, embedder, cache)
        assert_same_results(results(index), expected)
        if notices:
            assert len(notices) == 1 and " was damaged (" in notices[0] and "\n" not in notices[0]
        else:  # every data file is checksummed: only a change to the manifest's layout may pass
            assert damaged == data or file == MANIFEST
        assert check_index(small_bank, embedder, cache) == []

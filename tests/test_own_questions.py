"""Your own questions: imported from YAML, Markdown, CSV/TSV and Anki text, then searched, asked, graded and
scheduled like the bank's, and exported as an Anki deck and as Markdown that imports back."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.config import Settings
from interviewer.corpus import OWN_FILE, dump_questions, load_bank, load_file
from interviewer.own_questions import own_id, read_questions
from interviewer.runtime import Runtime

from .conftest import CORPUS

SAMPLES = Path(__file__).parent / "data" / "own"
# Each sample file: the questions it holds that are good, and the lines of its bad rows.
EXPECTED = {
    "questions.yaml": (["What is the difference between bagging and boosting?",
                        "What does softmax do?"], [13]),
    "questions.md": (["What is the purpose of a validation set?",
                      "Why does label smoothing help classification?",
                      "How do you clear gradients in PyTorch before a step?"], [17, 19]),
    "questions.csv": (["What is gradient clipping?", "What is early stopping good for?"], [3]),
    "questions.tsv": (["What is a confusion matrix?", "What is data augmentation?"], []),
    "anki.txt": (["What is dropout?", "What is one-hot encoding?"], [4]),
}


def own_file(home: Path) -> Path:
    return home / "xdg_data_home" / "interviewer" / OWN_FILE


def import_files(*names: str, bank: Path | None = None):
    options = ["--bank", str(bank)] if bank else []
    return CliRunner().invoke(cli, [*options, "import", *(str(SAMPLES / n) for n in names)])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_format_keeps_its_good_rows_and_reports_its_bad_ones(name, user_folders):
    good, bad_lines = EXPECTED[name]
    result = import_files(name)
    assert result.exit_code == (1 if bad_lines else 0), result.output
    for line in bad_lines:
        assert f"{SAMPLES / name}:{line}: " in result.stderr
    assert len([line for line in result.stderr.splitlines() if str(SAMPLES) in line]) == len(bad_lines)
    stored = yaml.safe_load(own_file(user_folders).read_text())
    assert [q["question"] for q in stored] == good
    assert f"Imported {len(good)} questions ({len(good)} new, 0 updated)" in result.stdout
    assert load_bank(CORPUS, own_file(user_folders)).get(stored[0]["id"]).question == good[0]

    again = import_files(name)
    assert f"Imported {len(good)} questions (0 new, 0 updated)" in again.stdout
    assert len(yaml.safe_load(own_file(user_folders).read_text())) == len(good)


def test_rows_without_key_points_get_them_drafted_and_are_told_so(user_folders):
    result = import_files("questions.csv")
    clipping, stopping = own_id("What is gradient clipping?"), own_id("What is early stopping good for?")
    lines = result.stdout.splitlines()
    at = lines.index(f"{stopping}  What is early stopping good for?")
    assert lines[at + 1].startswith("  key points drafted from the answer (3): review them in")
    assert lines[lines.index(f"{clipping}  What is gradient clipping?") + 1] != lines[at + 1]
    stopping_question = load_bank(CORPUS, own_file(user_folders)).get(stopping)
    assert stopping_question.key_points == ("Early stopping halts training when the validation loss stops "
                                            "improving.", "It acts as a regulariser.", "It saves compute.")
    assert stopping_question.topics == ("regularization",)


def test_markdown_code_blocks_are_answer_text(user_folders):
    import_files("questions.md")
    question = load_bank(CORPUS, own_file(user_folders)).get(own_id(EXPECTED["questions.md"][0][2]))
    assert "# clear the old gradients\n- not a key point\n" in question.reference
    assert len(question.key_points) == 2


def test_anki_text_is_read_without_its_html(user_folders):
    import_files("anki.txt")
    dropout = load_bank(CORPUS, own_file(user_folders)).get(own_id("What is dropout?"))
    assert dropout.question == "What is dropout?"
    assert dropout.reference.splitlines() == ["Dropout randomly zeroes activations during training.",
                                              "It reduces co-adaptation of neurons. At test time all units "
                                              "are kept and scaled."]


def test_markdown_export_imports_back_into_the_same_questions(user_folders, tmp_path):
    import_files(*EXPECTED)
    bank = load_bank(CORPUS, own_file(user_folders))
    out = tmp_path / "bank.md"
    result = CliRunner().invoke(cli, ["export", "--markdown", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(bank.questions)} questions to {out}" in result.stdout

    read = read_questions(out, load_bank(CORPUS))
    assert not read.errors
    assert len(read.notes) == len(load_bank(CORPUS).questions)  # the shipped ones: already in the bank
    shipped = {q.id for q in load_bank(CORPUS).questions}
    own = [q for q in bank.questions if q.id not in shipped]
    fields = ("question", "reference", "key_points", "topics")
    assert ([tuple(getattr(q, f) for f in fields) for q in read.questions]
            == [tuple(getattr(q, f) for f in fields) for q in own])
    again = CliRunner().invoke(cli, ["import", str(out)])
    assert f"Imported {len(own)} questions (0 new, 0 updated)" in again.stdout


def anki_notes(path: Path) -> list[tuple[str, str]]:
    """The (guid, fields) of every note in an .apkg, read with sqlite3."""
    with zipfile.ZipFile(path) as package:
        name = next(n for n in package.namelist() if n in ("collection.anki21", "collection.anki2"))
        data = package.read(name)
    copy = path.with_suffix(".sqlite")
    copy.write_bytes(data)
    with sqlite3.connect(copy) as db:
        return db.execute("SELECT guid, flds FROM notes ORDER BY guid").fetchall()


def test_anki_export_has_one_note_per_question_with_the_same_guids_each_time(user_folders, tmp_path):
    import_files("questions.md")
    bank = load_bank(CORPUS, own_file(user_folders))
    first, second = tmp_path / "one.apkg", tmp_path / "two.apkg"
    for path in (first, second):
        result = CliRunner().invoke(cli, ["export", "--anki", str(path)])
        assert result.exit_code == 0, result.output
        assert f"Wrote {len(bank.questions)} notes to {path}" in result.stdout
    notes = anki_notes(first)
    assert len(notes) == len(bank.questions)
    assert [guid for guid, _ in notes] == [guid for guid, _ in anki_notes(second)]
    label = own_id("Why does label smoothing help classification?")
    fields = next(f.split("\x1f") for _, f in notes if f.endswith("\x1f" + label))
    assert fields[0] == "Why does label smoothing help classification?"
    assert "uniform distribution" in fields[1] and fields[2].startswith("<ul><li>")

    on_topic = tmp_path / "evaluation.apkg"
    CliRunner().invoke(cli, ["export", "--anki", str(on_topic), "--topic", "evaluation"])
    assert len(anki_notes(on_topic)) == sum("evaluation" in q.topics for q in bank.questions)


@pytest.fixture
def small_bank(tmp_path: Path) -> Path:
    """A bank of the shipped taxonomy and one shipped question file (its links to others cut), small enough
    to index quickly."""
    folder = tmp_path / "small-bank"
    folder.mkdir()
    shutil.copy(CORPUS / "taxonomy.yaml", folder / "taxonomy.yaml")
    topics = set(load_bank(CORPUS).topic_names())
    questions = [placed.question for placed in load_file(CORPUS / "qa-000.yaml", topics)]
    (folder / "qa-000.yaml").write_text(dump_questions([replace(q, related=()) for q in questions]))
    return folder


def test_an_imported_question_is_searched_asked_graded_and_scheduled(small_bank, user_folders, tmp_path):
    run = CliRunner()
    assert import_files("questions.md", bank=small_bank).exit_code == 1  # its two bad rows
    label = own_id("Why does label smoothing help classification?")

    found = run.invoke(cli, ["--bank", str(small_bank), "search", "smoothing one-hot targets", "--json"])
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)[0]["id"] == label

    answer = ("Label smoothing mixes the one-hot target with a uniform distribution, so the model is not "
              "over-confident, which improves calibration.")
    asked = run.invoke(cli, ["--bank", str(small_bank), "ask", "-q", label, "-a", answer, "--offline",
                             "--json"])
    assert asked.exit_code == 0, asked.output
    grade = json.loads(asked.stdout)
    assert grade["question_id"] == label and grade["score"] > 0
    assert [k["status"] for k in grade["key_points"]][0] == "covered"

    settings = Settings(bank=small_bank, data_dir=user_folders / "xdg_data_home" / "interviewer")
    records = Runtime(settings).history.practice_records("local")
    assert [r.question_id for r in records] == [label]
    stats = run.invoke(cli, ["--bank", str(small_bank), "stats", "--json"])
    assert label in stats.stdout

    out = tmp_path / "history.md"
    written = run.invoke(cli, ["--bank", str(small_bank), "export", "--markdown", str(out), "--history"])
    assert written.exit_code == 0, written.output
    text = out.read_text()
    assert text.startswith("## Why does label smoothing help classification?\n")
    assert answer in text and f"Score: {grade['score']:g}/10 (offline)" in text
    assert "- covered: Label smoothing replaces one-hot targets" in text


def test_export_needs_one_destination():
    result = CliRunner().invoke(cli, ["export"])
    assert result.exit_code == 2 and "choose one of --anki FILE.apkg and --markdown FILE" in result.output


def test_a_question_already_in_the_bank_is_skipped_and_a_bank_id_refused(user_folders, tmp_path):
    shipped = load_bank(CORPUS).questions[0]
    mine = tmp_path / "mine.yaml"
    mine.write_text(f"- question: {json.dumps(shipped.question)}\n  reference: Anything. At all.\n"
                    f"  topics: [fundamentals]\n- id: {shipped.id}\n  question: What is a new question?\n"
                    "  reference: It is new. It is mine.\n")
    result = import_files(str(mine))
    assert result.exit_code == 1
    assert f"{mine}:1: already in the bank as {shipped.id}; skipped" in result.stderr
    assert f"{mine}:4: id {shipped.id} is already in the bank; give another id" in result.stderr
    assert not own_file(user_folders).exists()


def test_anki_separator_and_html_headers_are_honoured(user_folders, tmp_path):
    deck = tmp_path / "deck.txt"
    deck.write_text("#separator:semicolon\n#html:false\n#tags column:3\n"
                    "What is <i>a</i> tensor?;A tensor is a multi-dimensional array. It generalises "
                    "matrices.;maths\n")
    result = import_files(str(deck))
    assert result.exit_code == 0, result.output
    question = load_bank(CORPUS, own_file(user_folders)).get(own_id("What is <i>a</i> tensor?"))
    assert question.key_points == ("A tensor is a multi-dimensional array.", "It generalises matrices.")

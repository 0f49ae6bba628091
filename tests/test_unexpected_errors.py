"""The unexpected turned into one line: a bug's traceback goes to the error log in the data folder, the
CLI prints one 'Error: ...' line naming it, the web chat one sentence; Ctrl-C in an interview prints
what was answered; a bad device or model is refused before an answer is taken."""

from __future__ import annotations

import builtins

from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.grading.offline import OfflineGrader
from interviewer.web.app import readable

from .saved_answers import saved_answers
from .test_cli import GOOD_ADAM


def data_folder(user_folders):
    return user_folders / "xdg_data_home" / "interviewer"


def grader_with_a_bug(self, question, answer):
    """An injected fault: a grader failing with an error no code path expects."""
    raise ZeroDivisionError("injected fault")


def test_a_bug_is_one_line_naming_the_error_log_and_the_answer_is_kept(index, user_folders, monkeypatch):
    monkeypatch.setattr(OfflineGrader, "grade", grader_with_a_bug)
    result = CliRunner().invoke(cli, ["grade", "-q", "F004-37", "-a", GOOD_ADAM])
    log = data_folder(user_folders) / "errors.log"
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: unexpected ZeroDivisionError: injected fault.")
    assert str(log) in lines[0] and "please report it" in lines[0]
    assert "Traceback" in log.read_text() and "grader_with_a_bug" in log.read_text()
    assert saved_answers(data_folder(user_folders)) == [GOOD_ADAM]


def test_the_web_chat_says_a_bug_in_one_sentence_naming_the_error_log(tmp_path):
    try:
        raise KeyError("injected fault")
    except KeyError as exc:
        text = readable(exc, tmp_path)
    assert text.startswith("Unexpected KeyError: 'injected fault'. This is a bug in interviewer")
    assert str(tmp_path / "errors.log") in text and "\n" not in text
    assert "KeyError" in (tmp_path / "errors.log").read_text()


def test_ctrl_c_in_an_interview_stops_it_with_the_summary_of_what_was_answered(index, user_folders,
                                                                                 monkeypatch):
    typed = iter([GOOD_ADAM, ""])

    def keyboard_then_ctrl_c(prompt: str = "") -> str:
        """An injected fault: the candidate presses Ctrl-C at the second question."""
        try:
            return next(typed)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(builtins, "input", keyboard_then_ctrl_c)
    result = CliRunner().invoke(cli, ["ask", "-t", "optimizers", "-n", "2", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Question 2/2" in result.output and "Stopped." in result.output
    summary = result.output.split("Summary", 1)[1]
    assert "Mean score:" in summary and "/10" in summary


def test_a_bad_device_is_refused_before_an_answer_is_taken(index, user_folders, monkeypatch):
    monkeypatch.setenv("INTERVIEWER_DEVICE", "toaster")
    result = CliRunner().invoke(cli, ["grade", "-q", "F004-37", "-a", GOOD_ADAM])
    assert result.exit_code == 1
    assert result.output.startswith("Error: device 'toaster' is not a torch device: set device to 'cpu'")
    assert "model" not in result.output.split(":", 2)[1]  # the device is named, not the model
    assert not saved_answers(data_folder(user_folders))
    monkeypatch.setenv("INTERVIEWER_DEVICE", "cuda")
    interactive = CliRunner().invoke(cli, ["ask", "-q", "F004-37"], input=f"{GOOD_ADAM}\n\n")
    assert interactive.exit_code == 1 and "Question 1/1" not in interactive.output
    assert "device 'cuda' is not available on this machine" in interactive.output


def test_a_model_that_is_nowhere_is_refused_before_an_answer_is_taken(index, user_folders, tmp_path):
    result = CliRunner().invoke(cli, ["--model", str(tmp_path / "no-such-model"), "grade", "-q", "F004-37",
                                      "-a", GOOD_ADAM])
    assert result.exit_code == 1
    assert "is neither a folder nor in the local Hugging Face cache" in result.output
    assert not saved_answers(data_folder(user_folders))

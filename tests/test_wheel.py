"""A wheel built from the checkout carries the bank and the prompts and runs outside the checkout.

The wheel goes into a fresh virtual environment in a temp folder. Its dependencies (torch, gradio,
sentence-transformers: gigabytes) are not downloaded again: a .pth file lends it the test environment's
site-packages, behind its own, so `interviewer` itself can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
from pathlib import Path

import pytest

from .conftest import ROOT, free_port
from .test_cli import GOOD_ADAM


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the checkout with the checkout's wheel installed: its bin/."""
    where = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(where / "dist"), str(ROOT)], check=True, timeout=300)
    (wheel,) = (where / "dist").glob("interviewer-*.whl")
    venv.create(where / "venv", with_pip=True)
    python = where / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, timeout=300)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return where / "venv" / "bin"


def run_env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, HF_HUB_OFFLINE="1", HOME=str(tmp_path), PYTHONPATH="")


def test_the_installed_package_finds_its_bank_and_prompts_inside_itself(wheel_env, tmp_path):
    found = subprocess.run(
        [str(wheel_env / "python"), "-c",
         "import interviewer, interviewer.shipped as s; print(interviewer.__file__); "
         "print(s.shipped_folder('corpus')); print(s.shipped_folder('prompts'))"],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=run_env(tmp_path)).stdout.split()
    venv_root = str(wheel_env.parent)
    assert all(path.startswith(venv_root) for path in found), found
    assert Path(found[1], "taxonomy.yaml").is_file() and Path(found[2], "grade.yaml").is_file()


def test_the_installed_command_grades_an_answer_outside_the_checkout(wheel_env, index, tmp_path):
    result = subprocess.run(
        [str(wheel_env / "interviewer"), "ask", "--topic", "optimizers", "--question", "F004-37",
         "--answer", GOOD_ADAM, "--json"],
        capture_output=True, text=True, cwd=tmp_path, env=run_env(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert grade["question_id"] == "F004-37" and grade["score"] >= 5 and grade["grader"] == "offline"


def test_the_installed_web_chat_serves_its_first_page(wheel_env, tmp_path):
    port = free_port()
    server = subprocess.Popen([str(wheel_env / "interviewer"), "web", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
                              env=run_env(tmp_path))
    try:
        page, deadline = "", time.monotonic() + 120
        while not page and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode("utf-8", "replace")
            except OSError:
                time.sleep(0.5)
        said = server.stdout.read() if server.poll() is not None else "(still running)"
        assert page, f"no first page; the server said:\n{said}"
        assert "<html" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=30) as response:
            config = json.loads(response.read())
        assert config["title"] == "interviewer"  # the page is the interview chat, not some other app
    finally:
        server.terminate()
        server.wait(timeout=30)

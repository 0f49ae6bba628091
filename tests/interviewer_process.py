"""The real `interviewer` command in a process of its own, for tests that check its exit code and output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(**env: str) -> dict[str, str]:
    """The test's environment plus ENV, with this checkout first on the Python path."""
    python_path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, **env, "PYTHONPATH": python_path}


def run_interviewer(*args: str, cwd: Path | None = None, timeout: float = 60, **env: str
                    ) -> subprocess.CompletedProcess:
    """`python -m interviewer ARGS` from this checkout, with the test's environment plus ENV."""
    return subprocess.run([sys.executable, "-m", "interviewer", *args], cwd=cwd or ROOT,
                          env=environment(**env), capture_output=True, text=True, timeout=timeout)


def start_interviewer(*args: str, cwd: Path | None = None, **env: str) -> subprocess.Popen:
    """`python -m interviewer ARGS` started, its standard input a pipe, its output in a temp file read by
    output_of."""
    import tempfile

    output = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen([sys.executable, "-m", "interviewer", *args], cwd=cwd or ROOT,
                               env=environment(**env), stdin=subprocess.PIPE, stdout=output,
                               stderr=subprocess.STDOUT, text=True)
    process.output = output
    return process


def output_of(process: subprocess.Popen) -> str:
    """What a process started by start_interviewer has printed so far."""
    process.output.seek(0)
    return process.output.read()


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The one 'Error: ...' line a failed run printed, after checking it exited 2 with nothing else."""
    assert "Traceback" not in result.stdout + result.stderr
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0].removeprefix("Error: ")

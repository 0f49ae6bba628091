"""The real `interviewer` command in a process of its own, for tests that check its exit code and output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_interviewer(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    """`python -m interviewer ARGS` from this checkout, with the test's environment plus ENV."""
    python_path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    variables = {**os.environ, **env, "PYTHONPATH": python_path}
    return subprocess.run([sys.executable, "-m", "interviewer", *args], cwd=cwd or ROOT, env=variables,
                          capture_output=True, text=True, timeout=60)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The one 'Error: ...' line a failed run printed, after checking it exited 2 with nothing else."""
    assert "Traceback" not in result.stdout + result.stderr
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0].removeprefix("Error: ")

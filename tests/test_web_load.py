"""benchmarks/web_load.py in small: a real server, two candidates answering one question each."""

from __future__ import annotations

import json
import subprocess
import sys

from .interviewer_process import ROOT, environment

FIGURES = {"candidates", "questions_each", "think_s", "grades", "seconds", "grades_per_s", "p50_s", "p95_s",
           "max_s", "server_cpu_s_per_grade", "clients_cpu_s_per_grade", "errors", "error_examples",
           "unfinished", "rss_before_mb", "rss_after_mb", "peak_rss_mb"}


def test_the_web_load_benchmark_writes_every_figure_for_the_reference_and_each_round(tmp_path):
    out = tmp_path / "web_load.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "web_load.py"), "--candidates", "2",
                          "--questions", "1", "--limit", "300", "--out", str(out)],
                         cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    assert {"machine", "server", "pacing", "reference", "rounds"} <= set(result)
    rows = [result["reference"], *result["rounds"]]
    assert [row["candidates"] for row in rows] == [1, 2]
    for row in rows:
        assert set(row) == FIGURES
        assert (row["grades"], row["errors"], row["unfinished"]) == (row["candidates"], 0, 0), row
        assert 0 < row["p50_s"] <= row["p95_s"] <= row["max_s"] and row["grades_per_s"] > 0
        assert 0 < row["rss_before_mb"] <= row["peak_rss_mb"] and row["rss_after_mb"] <= row["peak_rss_mb"]
    assert run.stdout.splitlines()[-1].split()[0] == "2"  # the table's last row: the round of two

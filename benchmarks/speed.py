"""How fast interviewer is where a candidate meets it, each figure beside its reference from the same run;
prints a table and writes JSON.

    .venv/bin/python benchmarks/speed.py [--rows cold-ask cold-grade warm-grade long bank web]
                                         [--out benchmarks/results/speed.json]

- cold-ask: launch of `interviewer ask --topic optimizers` to its first question on screen, beside the time
  a fresh Python takes to import sentence-transformers (median of --repeat runs each, interleaved).
- cold-grade: launch of a one-shot `interviewer grade` to its printed grade, beside the same import; and
  once, the first run ever (empty cache: the model exported to ONNX and the index built).
- warm-grade: the offline grader on the shipped bank, per answer (short: a key point; 5 sentences; 300
  words of the reference's sentences), p50 and p95, beside the raw model cost of the same text: embedding
  its statements in one call plus its word pieces in one call.
- together: grades per second of one grader shared by 1 and 4 threads, ONNX Runtime's idle threads
  sleeping (what ships) and spinning (its default).
- long: answers of 10,000 and 50,000 characters through the interview engine, each in a fresh process.
- bank, web: benchmarks/bank_scale.py and benchmarks/web_load.py, run as they are and their JSON kept here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
ROWS = ("cold-ask", "cold-grade", "warm-grade", "together", "long", "bank", "web")
GRADE_QUESTION = "F004-36"
GRADE_ANSWER = "RMSProp divides the learning rate by a moving average of squared gradients."
LONG_QUESTION = "ML0044"
LONG_CHARACTERS = (10_000, 50_000)
WORDS_300 = 300
TOGETHER_THREADS = (1, 4)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def machine() -> str:
    import torch

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, CPU only, "
            f"torch {torch.__version__}, load {os.getloadavg()[0]:.1f} at start")


def import_seconds() -> float:
    """A fresh Python importing sentence-transformers, as the grader did before ONNX."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sentence_transformers"], check=True)
    return time.perf_counter() - started


def first_question_seconds(env: dict) -> float:
    """Launch of `interviewer ask --topic optimizers` to its first question on stdout."""
    started = time.perf_counter()
    process = subprocess.Popen([str(BIN / "interviewer"), "ask", "--topic", "optimizers", "--count", "1"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=env)
    seen = b""
    while b"Question 1/" not in seen:
        byte = process.stdout.read(1)
        if not byte:
            raise RuntimeError(f"ask ended before its first question: {seen.decode(errors='replace')}")
        seen += byte
    seconds = time.perf_counter() - started
    process.kill()
    process.wait()
    return seconds


def one_shot_grade_seconds(env: dict) -> float:
    """Launch of `interviewer grade` to its exit, the grade printed."""
    started = time.perf_counter()
    command = ["grade", "--question", GRADE_QUESTION, "--answer", GRADE_ANSWER]
    subprocess.run([str(BIN / "interviewer"), *command], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def cold_rows(names: list[str], repeat: int, env: dict) -> dict:
    """The cold-start rows, each run interleaved with the import it is compared with."""
    measure = {"cold-ask": first_question_seconds, "cold-grade": one_shot_grade_seconds}
    result = {}
    for name in names:
        measure[name](env)  # the operating system's file cache warmed, as for a user's second command
        seconds, imports = [], []
        for _ in range(repeat):
            seconds.append(measure[name](env))
            imports.append(import_seconds())
        median, reference = statistics.median(seconds), statistics.median(imports)
        result[name] = {"seconds": [round(s, 2) for s in seconds], "median_s": round(median, 2),
                        "import_sentence_transformers_s": [round(s, 2) for s in imports],
                        "import_median_s": round(reference, 2), "ratio": round(median / reference, 3)}
    if "cold-grade" in names:
        with tempfile.TemporaryDirectory() as cache:  # the first run ever: export and index build
            result["cold-grade"]["first_run_ever_s"] = round(
                one_shot_grade_seconds({**env, "INTERVIEWER_CACHE_DIR": cache}), 2)
    return result


def answers_of(question) -> dict[str, str]:
    """The three warm answers to QUESTION: a key point, five sentences, 300 words."""
    sentences = list(question.reference_sentences) or list(question.key_points)
    five = (sentences * 5)[:5]
    words, long = 0, []
    while words < WORDS_300:
        sentence = sentences[len(long) % len(sentences)]
        long.append(sentence)
        words += len(sentence.split())
    return {"short": question.key_points[0], "5 sentences": " ".join(five),
            "300 words": " ".join(" ".join(long).split()[:WORDS_300])}


def warm_grade_row() -> dict:
    """Per-answer grading time on the shipped bank, and the raw model cost of the same texts."""
    from interviewer.config import load_settings
    from interviewer.grading.offline import OfflineGrader
    from interviewer.runtime import Runtime
    from interviewer.text import split_units

    runtime = Runtime(load_settings())
    index = runtime.index()
    grader = OfflineGrader(index)
    embedder = index.embedder
    questions = runtime.bank.questions
    for question in questions:  # every question's own vectors and word pieces, once, as a server would
        grader.grade(question, question.key_points[0])
    times: dict[str, dict[str, list[float]]] = {}
    for question in questions:
        for kind, answer in answers_of(question).items():
            started = time.perf_counter()
            embedder.embed(split_units(answer))
            embedder.embed_tokens([answer])
            raw = time.perf_counter() - started
            started = time.perf_counter()
            grader.grade(question, answer)
            graded = time.perf_counter() - started
            row = times.setdefault(kind, {"grade": [], "raw": []})
            row["grade"].append(graded * 1000)
            row["raw"].append(raw * 1000)
    result = {"model": embedder.identity, "embedder": type(embedder).__name__, "answers": {}}
    for kind, row in times.items():
        figures = {f"{name}_{p}_ms": round(percentile(row[name], share), 1)
                   for name in ("grade", "raw") for p, share in (("p50", 0.5), ("p95", 0.95))}
        figures["ratio_p50"] = round(figures["grade_p50_ms"] / figures["raw_p50_ms"], 2)
        figures["ratio_p95"] = round(figures["grade_p95_ms"] / figures["raw_p95_ms"], 2)
        result["answers"][kind] = {"n": len(row["grade"]), **figures}
    return result


def together_row(spinning: str) -> dict:
    """Grades per second of one grader shared by 1 and by 4 threads (as the web chat's queue runs them),
    ONNX Runtime's idle threads spinning ("1") or sleeping ("0", what ships)."""
    from concurrent.futures import ThreadPoolExecutor

    import onnxruntime

    shipped_options = onnxruntime.SessionOptions

    def options() -> onnxruntime.SessionOptions:
        made = shipped_options()
        made.add_session_config_entry("session.intra_op.allow_spinning", spinning)
        return made

    onnxruntime.SessionOptions = options  # read when the embedder loads, after the product's own entry
    from interviewer.config import load_settings
    from interviewer.grading.offline import OfflineGrader
    from interviewer.runtime import Runtime

    runtime = Runtime(load_settings())
    grader = OfflineGrader(runtime.index())
    for question in runtime.bank.questions:
        grader.grade(question, question.key_points[0])
    jobs = [(q, " ".join(q.key_points[:3])) for q in runtime.bank.questions] * 2
    result = {"spinning": spinning, "answers": len(jobs)}
    for threads in TOGETHER_THREADS:
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda job: grader.grade(*job), jobs))
        result[f"grades_per_s_{threads}_threads"] = round(len(jobs) / (time.perf_counter() - started), 2)
    return result


def long_text(characters: int) -> str:
    """The interview dev set's answers, sentence by sentence, until CHARACTERS characters."""
    from interviewer.evaluation.datasets import default_data_dir

    path = default_data_dir() / "interview" / "dev.jsonl"
    answers = [json.loads(line)["answer"] for line in path.read_text(encoding="utf-8").splitlines()]
    sentences = [s for a in answers for s in re.split(r"(?<=[.!?])\s+", a) if s.strip()]
    chosen, length = [], 0
    while length < characters:
        chosen.append(sentences[len(chosen) % len(sentences)])
        length += len(chosen[-1]) + 1
    return " ".join(chosen)[:characters]


def long_answer_row(characters: str) -> dict:
    """One long answer graded through the engine, in this process, the model and index warmed first."""
    from interviewer.config import load_settings
    from interviewer.runtime import Runtime

    with tempfile.TemporaryDirectory() as data_dir:
        runtime = Runtime(load_settings().with_overrides(data_dir=Path(data_dir)))
        question = runtime.bank.get(LONG_QUESTION)
        runtime.interview([question], "offline").answer("A perceptron is a linear classifier.")
        answer = long_text(int(characters))
        interview = runtime.interview([question], "offline")
        started = time.perf_counter()
        interview.answer(answer)
        seconds = time.perf_counter() - started
    graded = len(interview.last_turn.answer)
    return {"characters": int(characters), "characters_graded": graded, "seconds": round(seconds, 2),
            "ms_per_1000_graded": round(seconds * 1e6 / graded, 1),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def child(row: str, *args: str) -> dict:
    """A row measured in a fresh Python process, so it pays for nothing an earlier row loaded."""
    run = subprocess.run([sys.executable, __file__, "--child", row, *args], capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"{row} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.splitlines()[-1])


def script_row(script: str, out: Path, extra: list[str]) -> dict:
    """Run benchmarks/SCRIPT as it is (it prints its own table) and keep its JSON."""
    subprocess.run([sys.executable, str(HERE / script), "--out", str(out), *extra], check=True)
    return json.loads(out.read_text())


def print_table(result: dict) -> None:
    print(f"\n{result['machine']}")
    print(f"{'figure':44s} {'measured':>12s} {'reference':>14s} {'ratio':>7s}")
    for name in ("cold-ask", "cold-grade"):
        if name in result:
            row = result[name]
            label = "first question, ask" if name == "cold-ask" else "one-shot grade"
            print(f"{label:44s} {row['median_s']:10.2f} s {row['import_median_s']:10.2f} s ST "
                  f"{row['ratio']:7.2f}")
    if "cold-grade" in result:
        print(f"{'one-shot grade, first run ever (export, index)':44s} "
              f"{result['cold-grade']['first_run_ever_s']:10.2f} s")
    for kind, row in result.get("warm-grade", {}).get("answers", {}).items():
        for p in ("p50", "p95"):
            print(f"{'warm grade, ' + kind + ' ' + p:44s} {row[f'grade_{p}_ms']:9.1f} ms "
                  f"{row[f'raw_{p}_ms']:8.1f} ms raw {row[f'ratio_{p}']:7.2f}")
    for row in result.get("together", []):
        label = f"grades/s, 1 | 4 threads, ORT {'spinning' if row['spinning'] == '1' else 'sleeping'}"
        print(f"{label:44s} {row['grades_per_s_1_threads']:7.2f} | {row['grades_per_s_4_threads']:.2f}")
    for row in result.get("long", []):
        print(f"{'answer of ' + format(row['characters'], ',') + ' characters':44s} {row['seconds']:10.2f} s "
              f"{row['characters_graded']:8,d} graded, {row['ms_per_1000_graded']:.0f} ms per 1,000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", choices=ROWS, default=list(ROWS))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each cold start (median)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "speed.json")
    parser.add_argument("--bank-args", default="", help="extra arguments for bank_scale.py")
    parser.add_argument("--web-args", default="", help="extra arguments for web_load.py")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        row, *rest = args.child
        measure = {"warm-grade": warm_grade_row, "together": together_row, "long": long_answer_row}[row]
        print(json.dumps(measure(*rest)))
        return
    result: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as data_dir:  # the cold commands record their answers there
        result.update(cold_rows([r for r in ("cold-ask", "cold-grade") if r in args.rows], args.repeat,
                                {**env, "INTERVIEWER_DATA_DIR": data_dir}))
    if "warm-grade" in args.rows:
        result["warm-grade"] = child("warm-grade")
    if "together" in args.rows:
        result["together"] = [child("together", spinning) for spinning in ("0", "1")]
    if "long" in args.rows:
        result["long"] = [child("long", str(n)) for n in LONG_CHARACTERS]
    print_table(result)
    if "bank" in args.rows:
        result["bank"] = script_row("bank_scale.py", args.out.with_name("bank_scale.json"),
                                    args.bank_args.split())
    if "web" in args.rows:
        result["web"] = script_row("web_load.py", args.out.with_name("web_load.json"),
                                   args.web_args.split())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

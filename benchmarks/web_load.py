"""Many simulated candidates in the web chat at once, offline grading; prints a table and writes JSON.

    .venv/bin/python benchmarks/web_load.py [--candidates 20 50] [--questions 3] [--think 0]
                                            [--out benchmarks/results/web_load.json]

Starts a real server (`interviewer web --port 0 --offline`, its history in a temporary folder, the index
from the usual cache) and drives it through gradio_client on loopback, one client and one thread per
candidate. Each candidate starts an interview on all topics, then answers QUESTIONS questions, each
answer 1-5 sentences drawn from that question's key points and reference (chosen and ordered per
candidate), pressing Next after each grade. Pacing: every candidate of a round sends its first answer at
the same instant, then each answers its next question THINK seconds after its last grade arrived (0, the
harsh case: at once). The server has loaded the model and index and prepared the grading of every
question (it says "Ready to grade") before the first candidate starts. A grade's latency is the /answer
call as the client sees it (queue, grading, rendering). First one candidate alone is measured as the
reference. The server's CPU time per grade and the clients' (this process) are recorded beside it: the
clients share the machine with the server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
QUESTION_ID = re.compile(r"\*\*Question \d+/\d+\*\* · `([^`]+)`")
SERVING = re.compile(r"Serving the interview chat at (\S+)")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MAX_SENTENCES = 5
READY = re.compile(r"Ready to grade: ")  # the model and index loaded, every question's grading prepared
SERVER_START_LIMIT = 300  # seconds for the server to say each (a busy 2-core machine: about a minute)


@dataclass
class Tally:
    """What a round's candidates saw: each grade's latency in seconds, each error's text, and how many
    candidates did not answer every question."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unfinished: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float | None = None, error: str | None = None, unfinished: bool = False) -> None:
        with self.lock:
            if latency is not None:
                self.latencies.append(latency)
            if error is not None:
                self.errors.append(error)
            self.unfinished += unfinished


class Server:
    """`interviewer web --port 0 --offline` in a process of its own, its history and data in FOLDER."""

    def __init__(self, folder: Path, concurrency: int | None) -> None:
        self.log_path = folder / "server.log"
        flags = ["--concurrency", str(concurrency)] if concurrency else []
        env = {**os.environ, "INTERVIEWER_DATA_DIR": str(folder / "data"),
               "INTERVIEWER_DB": str(folder / "history.sqlite3")}
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "interviewer", "web", "--port", "0", "--offline", *flags],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.url = self._wait_for(SERVING).group(1)
        self._wait_for(READY)

    def _wait_for(self, said: re.Pattern) -> re.Match:
        """What the server said that matches SAID; the benchmark stops if it does not say it in time."""
        deadline = time.monotonic() + SERVER_START_LIMIT
        while time.monotonic() < deadline and self.process.poll() is None:
            found = said.search(self.log_path.read_text())
            if found:
                return found
            time.sleep(0.2)
        self.stop()
        sys.exit(f"the server did not say {said.pattern!r}:\n{self.log_path.read_text()[-3000:]}")

    def memory_mb(self) -> dict[str, float]:
        """The server's resident size now (VmRSS) and its peak since the last reset_peak (VmHWM), in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
        return {name: round(int(kb) / 1024) for name, kb in values.items()}

    def cpu_s(self) -> float:
        """The CPU time the server has used so far (user and system), in seconds."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset_peak(self) -> None:
        """Start the server's peak resident size (VmHWM) again from its present size (Linux)."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def chat_text(output: list[dict]) -> list[str]:
    """The text of each chat message (gradio_client gives each as a list of typed parts)."""
    return ["".join(part.get("text", "") for part in m["content"]) if isinstance(m["content"], list)
            else str(m["content"]) for m in output]


def sentences_of(question) -> list[str]:
    """The question's key points and its reference cut into sentences: what a candidate may say."""
    reference = [s for s in SENTENCE_END.split(question.reference) if s.strip()]
    return list(dict.fromkeys([*question.key_points, *reference]))


def answer_for(question, rng: random.Random) -> str:
    """1 to 5 of the question's sentences, chosen and ordered by RNG (one per candidate)."""
    said = sentences_of(question)
    return " ".join(rng.sample(said, rng.randint(1, min(MAX_SENTENCES, len(said)))))


class Candidate:
    """One simulated candidate with its own client: start, then answer and press Next, QUESTIONS times."""

    def __init__(self, url: str, bank, number: int, chat_at: int) -> None:
        from gradio_client import Client

        self.client = Client(url, verbose=False, download_files=False)
        self.bank, self.chat_at = bank, chat_at
        self.rng = random.Random(number)

    def chat(self, api_name: str, *inputs: object) -> list[str]:
        return chat_text(self.client.predict(*inputs, api_name=api_name)[self.chat_at])

    def sit(self, questions: int, think: float, start_together: threading.Barrier, deadline: float,
            tally: Tally) -> None:
        """Start, wait for the others, then answer: each grade's latency and each error go to TALLY."""
        try:
            shown = self.chat("/start", [], "", questions, "offline", 0)
        except Exception as exc:  # counted; it still takes its place at the start, so the others begin
            shown = None
            tally.add(error=f"{type(exc).__name__}: {exc}")
        start_together.wait()
        if shown is not None:
            self.answer_each(shown, questions, think, deadline, tally)

    def answer_each(self, shown: list[str], questions: int, think: float, deadline: float, tally: Tally
                    ) -> None:
        """Answer QUESTIONS questions, the first in SHOWN, THINK seconds apart; stop at DEADLINE."""
        try:
            for number in range(questions):
                if time.monotonic() > deadline:
                    tally.add(unfinished=True)
                    return
                if number:
                    time.sleep(think)
                    shown = self.chat("/next")
                asked = QUESTION_ID.findall(shown[-1])
                started = time.perf_counter()
                shown = self.chat("/answer", answer_for(self.bank.get(asked[-1]), self.rng))
                tally.add(time.perf_counter() - started, error_in(shown))
        except Exception as exc:  # counted, never raised: the other candidates go on
            tally.add(error=f"{type(exc).__name__}: {exc}", unfinished=True)


def error_in(chat: list[str]) -> str | None:
    """The problem a chat shows after an answer: an error message, or no grade as its last message."""
    if any(m.startswith("⚠️ **Error:**") for m in chat):
        return next(m for m in chat if m.startswith("⚠️ **Error:**"))
    return None if chat and chat[-1].startswith("### Score: ") else f"no grade shown: {chat[-1:]!r}"


def chat_position(url: str) -> int:
    """Where the chat is among the endpoints' outputs, found by its label."""
    from gradio_client import Client

    api = Client(url, verbose=False, download_files=False).view_api(print_info=False, return_format="dict")
    return [r["label"] for r in api["named_endpoints"]["/answer"]["returns"]].index("Interview")


def own_cpu_s() -> float:
    """The CPU time this process (the candidates' clients) has used so far, in seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], share: float) -> float:
    """The value SHARE of the way up VALUES, interpolated between the two nearest."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1] if len(
        values) > 1 else values[0]


def run_round(server: Server, bank, candidates: int, questions: int, think: float, limit: float,
              chat_at: int) -> dict:
    """CANDIDATES candidates at once, QUESTIONS each, stopped after LIMIT seconds; the round's figures."""
    sitters = [Candidate(server.url, bank, number, chat_at) for number in range(candidates)]
    tally, start_together = Tally(), threading.Barrier(candidates + 1)
    server.reset_peak()
    before, cpu_before, own_cpu_before = server.memory_mb()["VmRSS"], server.cpu_s(), own_cpu_s()
    deadline = time.monotonic() + limit
    threads = [threading.Thread(target=s.sit, args=(questions, think, start_together, deadline, tally),
                                daemon=True) for s in sitters]
    for thread in threads:
        thread.start()
    start_together.wait(timeout=limit)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
    wall = time.perf_counter() - started
    server_cpu, own_cpu = server.cpu_s() - cpu_before, own_cpu_s() - own_cpu_before
    memory = server.memory_mb()
    tally.unfinished += sum(thread.is_alive() for thread in threads)
    seconds = tally.latencies or [float("nan")]
    return {"candidates": candidates, "questions_each": questions, "think_s": think,
            "grades": len(tally.latencies), "seconds": round(wall, 2),
            "grades_per_s": round(len(tally.latencies) / wall, 2),
            "p50_s": round(percentile(seconds, 0.5), 2), "p95_s": round(percentile(seconds, 0.95), 2),
            "max_s": round(max(seconds), 2),
            "server_cpu_s_per_grade": round(server_cpu / max(1, len(tally.latencies)), 2),
            "clients_cpu_s_per_grade": round(own_cpu / max(1, len(tally.latencies)), 2),
            "errors": len(tally.errors), "error_examples": tally.errors[:3],
            "unfinished": tally.unfinished, "rss_before_mb": before, "rss_after_mb": memory["VmRSS"],
            "peak_rss_mb": memory["VmHWM"]}


def print_table(result: dict) -> None:
    print(f"{result['machine']}; server: {result['server']}; pacing: {result['pacing']}")
    print(f"{'candidates':>10s} {'grades':>7s} {'grades/s':>9s} {'p50 s':>6s} {'p95 s':>6s} {'max s':>6s} "
          f"{'errors':>7s} {'RSS before':>11s} {'peak':>6s} {'after MB':>9s}")
    for row in [result["reference"], *result["rounds"]]:
        print(f"{row['candidates']:10d} {row['grades']:7d} {row['grades_per_s']:9.2f} {row['p50_s']:6.2f} "
              f"{row['p95_s']:6.2f} {row['max_s']:6.2f} {row['errors']:7d} {row['rss_before_mb']:11,d} "
              f"{row['peak_rss_mb']:6,d} {row['rss_after_mb']:9,d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, nargs="+", default=[20, 50], help="one round per count")
    parser.add_argument("--questions", type=int, default=3, help="questions each candidate answers")
    parser.add_argument("--think", type=float, default=0.0, 
                        help="seconds between a grade and the next answer")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds a round may take")
    parser.add_argument("--concurrency", type=int, help="the server's --concurrency (default: its own)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/web_load.json"))
    args = parser.parse_args()
    from interviewer.config import load_settings
    from interviewer.corpus import load_bank

    bank = load_bank(load_settings().bank)
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder), args.concurrency)
        try:
            chat_at = chat_position(server.url)
            run_round(server, bank, 1, 1, 0, args.limit, chat_at)  # warm-up: the model and index load
            reference = run_round(server, bank, 1, args.questions, args.think, args.limit, chat_at)
            rounds = [run_round(server, bank, n, args.questions, args.think, args.limit, chat_at)
                      for n in args.candidates]
        finally:
            server.stop()
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "server": f"interviewer web --offline, concurrency {args.concurrency or 'default'}",
              "pacing": f"first answers at the same instant, then each {args.think:g} s after its grade",
              "reference": reference, "rounds": rounds}
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

"""The deployment deploy/compose.yaml describes, run without Docker: two `interviewer web` replicas over one
real PostgreSQL database, behind a real nginx running deploy/nginx.conf with its upstreams and port on
loopback. (Docker itself is not run here: this machine has no Docker daemon.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from .interviewer_process import ROOT, output_of, run_interviewer, start_interviewer
from .postgres_server import free_port

DEPLOY = ROOT / "deploy"
LOGIN = ("candidate", "s3cret-pw-0815")
ANSWERS = ("Momentum keeps a moving average of past gradients and steps along it.",
           "Adam keeps moving averages of the gradient and of its square and divides the one by the root of "
           "the other.")
READY = "Ready to grade: "  # the replica has loaded its model and index and prepared the grading
START_LIMIT = 300  # seconds for a replica to say so (two starting at once on a busy 2-core machine)
SCORE = re.compile(r"### Score: ")


def nginx_binary() -> str:
    """nginx's path; missing, a skip (a failure under .ci/run, which installs it)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if found is None:
        missing = "nginx is not installed: apt-get install nginx (the balancer of the deployment)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    return found


def on_loopback(config: str, replica_ports: list[int], listen_port: int, folder: Path) -> str:
    """deploy/nginx.conf with its replicas on loopback at REPLICA_PORTS, listening on LISTEN_PORT, its
    temporary files in FOLDER; each replacement must find what it replaces."""
    replicas = "".join(f"        server 127.0.0.1:{port};\n" for port in replica_ports)
    temporary = "".join(f"    {kind}_temp_path {folder / kind};\n"
                        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    replacements = [(r"(?m)^        server web1:7860;\n        server web2:7860;\n", replicas),
                    (r"(?m)^        listen 80;$", f"        listen 127.0.0.1:{listen_port};"),
                    (r"(?m)^http \{\n", "http {\n" + temporary)]
    for pattern, replacement in replacements:
        config, found = re.subn(pattern, lambda _, r=replacement: r, config)
        assert found == 1, f"deploy/nginx.conf no longer has {pattern!r}"
    return config


def wait_until(done, what: str, limit: float = START_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not done():
        assert time.monotonic() < deadline, f"{what} within {limit:.0f} s"
        time.sleep(0.2)


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def chat(result: tuple) -> str:
    """Every text an endpoint returned, joined: the chat's messages among them."""
    return json.dumps(result, ensure_ascii=False)


def interview(url: str, answer: str) -> str:
    """One candidate at URL: log in, start an interview on optimizers, answer; what the chat showed."""
    from gradio_client import Client

    client = Client(url, auth=LOGIN, verbose=False, download_files=False)
    client.predict(["optimizers"], "", 1, "offline", 0, api_name="/start")
    return chat(client.predict(answer, api_name="/answer"))


def test_compose_file_runs_two_replicas_postgres_and_the_balancer_with_this_nginx_conf():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "web1", "web2", "balancer"}
    for name in ("web1", "web2"):
        replica = services[name]
        assert replica["build"]["dockerfile"] == "Dockerfile" and (DEPLOY / replica["build"]["context"]
                                                                   / "Dockerfile").is_file()
        assert replica["environment"]["INTERVIEWER_DB"].startswith("postgresql://")
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["balancer"]["volumes"]
    upstreams = re.findall(r"server (web\d):7860;", (DEPLOY / "nginx.conf").read_text())
    assert upstreams == ["web1", "web2"]


def test_two_replicas_behind_nginx_grade_into_one_postgresql_history(postgres_url, index, tmp_path):
    nginx = nginx_binary()
    ports = [free_port(), free_port()]
    login = f"{LOGIN[0]}:{LOGIN[1]}"
    # Started together on a fresh database: both migrate it at once, and one waits for the other's lock.
    replicas = [start_interviewer("web", "--port", str(port), "--offline", "--auth", login, "--db",
                                  postgres_url, INTERVIEWER_DATA_DIR=str(tmp_path / f"web{number}"))
                for number, port in enumerate(ports, start=1)]
    balancer = None
    try:
        for replica in replicas:
            wait_until(lambda r=replica: READY in output_or_exit(r), "a replica said it is ready")
        listen_port = free_port()
        config = tmp_path / "nginx.conf"
        config.write_text(on_loopback((DEPLOY / "nginx.conf").read_text(), ports, listen_port, tmp_path))
        log = tmp_path / "nginx.log"
        with log.open("w") as out:
            balancer = subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp_path), "-e",
                                         str(tmp_path / "error.log"), "-g",
                                         f"daemon off; pid {tmp_path / 'nginx.pid'};"],
                                        stdout=out, stderr=subprocess.STDOUT)
        wait_until(lambda: accepts(listen_port) or balancer.poll() is not None, "nginx listened", 30)
        assert balancer.poll() is None, log.read_text() + (tmp_path / "error.log").read_text()

        through_balancer = interview(f"http://127.0.0.1:{listen_port}/", ANSWERS[0])
        assert SCORE.search(through_balancer), through_balancer
        served = set(re.findall(r"upstream=(\S+)", log.read_text()))
        # ip_hash keeps a candidate on one replica
        assert len(served) == 1 and served <= {f"127.0.0.1:{port}" for port in ports}, served
        other = next(port for port in ports if f"127.0.0.1:{port}" not in served)
        straight_to_the_other = interview(f"http://127.0.0.1:{other}/", ANSWERS[1])
        assert SCORE.search(straight_to_the_other), straight_to_the_other
    finally:
        for process in [*replicas, *([balancer] if balancer else [])]:
            process.terminate()
        for process in [*replicas, *([balancer] if balancer else [])]:
            process.wait(timeout=60)

    said = "".join(output_of(replica) for replica in replicas)
    assert LOGIN[1] not in said and "Traceback" not in said, said
    exported = run_interviewer("history", "--export", "-", "--user", LOGIN[0], "--db", postgres_url)
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert sorted(row["answer"] for row in rows) == sorted(ANSWERS)
    assert all(row["user"] == LOGIN[0] and row["score"] is not None for row in rows)


def output_or_exit(process: subprocess.Popen) -> str:
    """What a replica has said so far; a replica that exited fails the test with it."""
    said = output_of(process)
    assert process.poll() is None, f"a replica exited with {process.returncode}:\n{said}"
    return said

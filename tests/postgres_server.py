"""A real PostgreSQL server for tests, in a temp folder on a free loopback port, run as the postgres account
when the tests run as root (PostgreSQL refuses root)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVER_ACCOUNT = "postgres"


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: the newest /usr/lib/postgresql/*/bin, else the PATH's."""
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name),
                     reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        folders.append(Path(on_path).resolve().parent)
    return next((f for f in folders if (f / "initdb").exists() and (f / "pg_ctl").exists()), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a PostgreSQL server; its URL (user postgres, no password, database postgres); stopped after."""
    binaries = server_binaries()
    if binaries is None:
        missing = ("the PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
                   "apt-get install postgresql")
        if os.environ.get("CI"):  # .ci/run installs them: there, their absence is a failure, not a skip
            pytest.fail(missing)
        pytest.skip(missing)
    root = Path(tempfile.mkdtemp(prefix="interviewer-postgres-"))
    as_account: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_ACCOUNT)
        except KeyError:
            pytest.fail(f"running as root, PostgreSQL needs the {SERVER_ACCOUNT!r} account: "
                        "apt-get install postgresql")
        shutil.chown(root, SERVER_ACCOUNT)
        as_account = ["runuser", "-u", SERVER_ACCOUNT, "--"]
    data, log, port = root / "data", root / "server.log", free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"

    def run(*command: object) -> None:
        done = subprocess.run([*as_account, *map(str, command)], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            said = log.read_text() if log.exists() else ""
            pytest.fail(f"{command[0]} failed:\n{done.stdout}{done.stderr}{said}")

    try:
        run(binaries / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        run(binaries / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(binaries / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_database(server_url: str) -> str:
    """A fresh, empty database on the server at SERVER_URL: its URL."""
    import psycopg

    name = "test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name

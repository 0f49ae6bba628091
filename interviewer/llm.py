"""A chat client for any OpenAI-compatible server: JSON replies whatever format it supports, and retries."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from interviewer.config import Settings
from interviewer.errors import BackendError, ConfigError

OPENAI_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
# The structured-output ladder, best first: a JSON schema, JSON mode with a schema, plain text.
FORMATS = ("json_schema", "json_object", "text")
# What servers answer to a response_format they do not support (llama.cpp: 500 or 422; others 400).
FORMAT_REFUSALS = frozenset({400, 422, 500})
MAX_BACKOFF = 8.0


class LLMError(BackendError):
    """The LLM server gave no usable reply; `reason` is a short phrase fit to show the candidate."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the LLM server gave no usable reply ({reason})")
        self.reason = reason


class FormatRefused(Exception):
    """The server refused the requested response_format; the caller tries the next one."""


class FormatMemory:
    """Which structured-output format worked, per server, kept in a small JSON file when given one."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._formats: dict[str, str] = self._read()

    def get(self, server: str) -> str | None:
        """The format that last worked with SERVER, if any."""
        found = self._formats.get(server)
        return found if found in FORMATS else None

    def remember(self, server: str, format_name: str) -> None:
        """Record that FORMAT_NAME works with SERVER; a cache that cannot be written is only memory."""
        if self._formats.get(server) == format_name:
            return
        self._formats[server] = format_name
        if self.path is not None:
            try:
                write_atomically(self.path, json.dumps(self._formats, indent=1))
            except OSError:
                self.path = None

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_atomically(path: Path, text: str) -> None:
    """Replace PATH's content in one step, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(staging, path)


def response_format(format_name: str, schema: dict, name: str) -> dict:
    """The response_format request field for 'json_schema' or 'json_object' (with the schema)."""
    if format_name == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    return {"type": "json_object", "schema": schema}


def extract_json(text: str) -> dict:
    """The JSON object a reply starts with, bare or after prose or a code fence; LLMError if there is none.

    Only the first '{' is tried: when the object it opens is cut off, an object nested in it is no reply.
    """
    start = text.find("{")
    try:
        value = json.JSONDecoder().raw_decode(text, start)[0] if start != -1 else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise LLMError("the reply was not JSON")
    return value


class ChatClient:
    """Chat completions from one OpenAI-compatible server and model, with bounded retries and backoff."""

    def __init__(self, base_url: str = "", api_key: str = "", model: str = "", timeout: float = 60.0,
                 retries: int = 2, temperature: float = 0.0, memory: FormatMemory | None = None,
                 client: Any = None, backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.server = base_url.rstrip("/") or OPENAI_URL
        self.retries = retries
        self.temperature = temperature
        self.memory = memory or FormatMemory()
        self.backoff = backoff
        self.sleep = sleep
        self._model = model
        self._uses_openai = not base_url
        self.client = client or self.create_client(api_key, timeout)

    def create_client(self, api_key: str, timeout: float) -> Any:
        """An openai.OpenAI client with its own retries off: this class retries."""
        import openai

        if self._uses_openai and not api_key:
            raise ConfigError("no LLM configured: set OPENAI_BASE_URL to a local server or OPENAI_API_KEY "
                              "for OpenAI, or use --offline")
        return openai.OpenAI(base_url=self.server, api_key=api_key or "not-needed", timeout=timeout,
                             max_retries=0)

    @property
    def model(self) -> str:
        """The model name: the configured one, else the server's first model (OpenAI: gpt-4o-mini)."""
        if not self._model:
            self._model = OPENAI_DEFAULT_MODEL if self._uses_openai else self._first_model()
        return self._model

    def _first_model(self) -> str:
        models = self._with_retries(lambda: self.client.models.list().data)
        if not models:
            raise LLMError("the server lists no models; set INTERVIEWER_LLM_MODEL")
        return models[0].id

    def complete_json(self, messages: list[dict], schema: dict, name: str, max_tokens: int = 1000) -> dict:
        """A JSON object reply, asking for SCHEMA in the best format the server accepts (remembered)."""
        known = self.memory.get(self.server) or FORMATS[0]
        for format_name in FORMATS[FORMATS.index(known):-1]:
            wanted = response_format(format_name, schema, name)
            try:
                text = self._complete(messages, True, max_tokens=max_tokens, response_format=wanted)
            except FormatRefused:
                continue
            self.memory.remember(self.server, format_name)
            return extract_json(text)
        text = self._complete(messages, False, max_tokens=max_tokens)
        self.memory.remember(self.server, "text")
        return extract_json(text)

    def complete_text(self, messages: list[dict], max_tokens: int = 200) -> str:
        """A plain-text reply."""
        return self._complete(messages, refusable=False, max_tokens=max_tokens).strip()

    def _complete(self, messages: list[dict], refusable: bool, **options: Any) -> str:
        def create() -> str:
            response = self.client.chat.completions.create(
                model=self.model, messages=messages, temperature=self.temperature, **options)
            return response.choices[0].message.content or ""

        return self._with_retries(create, refusable)

    def _with_retries(self, call: Callable[[], Any], refusable: bool = False) -> Any:
        """CALL's result, retrying timeouts, lost connections, 429 and 5xx with exponential backoff."""
        import openai

        for attempt in range(self.retries + 1):
            try:
                return call()
            except openai.APIStatusError as exc:
                if refusable and exc.status_code in FORMAT_REFUSALS:
                    raise FormatRefused() from exc
                if exc.status_code != 429 and exc.status_code < 500:
                    raise LLMError(f"HTTP {exc.status_code}") from None
                reason = f"HTTP {exc.status_code}"
            except openai.APITimeoutError:
                reason = "timeout"
            except openai.APIConnectionError:
                reason = "connection error"
            except (openai.APIError, AttributeError, IndexError, TypeError, ValueError):
                raise LLMError("malformed reply") from None
            if attempt < self.retries:
                self.sleep(min(MAX_BACKOFF, self.backoff * 2**attempt))
        raise LLMError(reason if self.retries == 0 else f"{reason} after {self.retries + 1} tries")


def chat_client_for(settings: Settings, client: Any = None) -> ChatClient:
    """The chat client the settings describe, remembering output formats in the cache folder."""
    memory = FormatMemory(Path(settings.cache_dir) / "llm-formats.json")
    return ChatClient(settings.base_url, settings.api_key, settings.llm_model, settings.timeout,
                      settings.retries, settings.temperature, memory, client)

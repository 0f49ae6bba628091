"""A chat client for any OpenAI-compatible server: JSON replies in whatever format it supports, what each
server and model refuses learnt and remembered, bounded retries, and a circuit breaker for a server that
has just failed, so a hung server costs one wait and not one per answer."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from interviewer.config import Settings
from interviewer.errors import BackendError, ConfigError
from interviewer.files import write_atomically

OPENAI_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
# The structured-output ladder, best first: a JSON schema, JSON mode with a schema, plain text.
FORMATS = ("json_schema", "json_object", "text")
# A worse format than the best is remembered this long; then the better ones are tried again (a server
# upgraded, or a refusal that was a passing fault).
RETRY_BETTER_FORMAT_AFTER = 24 * 3600.0
# Statuses with which OpenAI, vLLM, Ollama and llama.cpp refuse a request's form rather than fail.
REFUSAL_STATUSES = frozenset({400, 422})
# What a server names when it refuses the response format; llama-cpp-python does so with a 500.
ABOUT_FORMAT = re.compile(r"response_format|json_schema|json_object|\bschema\b|grammar", re.IGNORECASE)
# What a 400 names when something other than the format is wrong: no other format will help.
OTHER_CAUSE = re.compile(r"context.length|context window|maximum context|too long|max_tokens|max_completion"
                         r"|temperature|model|api.key|auth", re.IGNORECASE)
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 30.0  # a 429's Retry-After up to this is waited out; a longer one fails the call at once
# After a server fails a call (no reply in time, no connection, 5xx or 429 after the retries), it is not
# asked again for this long: the answers in between are graded offline at once, with a note saying why.
BREAKER_COOLDOWN = 120.0
QUICK_TIMEOUT = 15.0  # hints and follow-ups: the candidate is waiting at the keyboard; no retries either
MAX_SERVER_MESSAGE = 240  # characters of a server's own error message kept for the candidate's note
# OpenAI's reasoning models take max_completion_tokens and only their default temperature.
REASONING_MODEL = re.compile(r"^(o\d|gpt-5)", re.IGNORECASE)
# Model names a server lists that are not chat models (Ollama lists its embedding models beside them).
NOT_CHAT_MODEL = re.compile(r"embed|bge-|\be5-|minilm|rerank|whisper|tts|dall-e|moderation", re.IGNORECASE)
# A reasoning model's thinking before its reply; an unclosed block runs to the end of the reply.
THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE)
SECRET = re.compile(r"\b(sk|key|token)-[\w*.-]{4,}", re.IGNORECASE)


class LLMError(BackendError):
    """The LLM server gave no usable reply; `reason` is a short phrase fit to show the candidate."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the LLM server gave no usable reply ({reason})")
        self.reason = reason


class FormatRefused(Exception):
    """The server refused the requested response_format; the caller tries the next one."""


@dataclass(frozen=True)
class ServerQuirks:
    """What one server and model accept, as learnt from their refusals."""

    format: str = FORMATS[0]
    format_since: float = 0.0  # when FORMAT was learnt (seconds since the epoch)
    token_field: str = "max_tokens"  # or max_completion_tokens (OpenAI)
    temperature: bool = True  # False: the model takes only its default temperature

    @staticmethod
    def defaults(server: str, model: str) -> ServerQuirks:
        """What is assumed before anything is learnt: OpenAI takes max_completion_tokens, and its
        reasoning models only their own temperature."""
        openai_hosted = is_openai(server)
        return ServerQuirks(token_field="max_completion_tokens" if openai_hosted else "max_tokens",
                            temperature=not REASONING_MODEL.match(model))


class ServerMemory:
    """What each server and model accept, kept in a small JSON file when given one (llm-formats.json)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._known: dict[str, dict] = self._read()

    def get(self, server: str, model: str) -> ServerQuirks:
        """What was learnt about MODEL on SERVER, else the defaults."""
        found = self._known.get(memory_key(server, model))
        quirks = ServerQuirks.defaults(server, model)
        if not isinstance(found, dict):
            return quirks
        names = {f.name for f in fields(ServerQuirks)}
        learnt = {k: v for k, v in found.items() if k in names}
        try:
            quirks = replace(quirks, **learnt)
        except TypeError:
            return quirks
        return quirks if quirks.format in FORMATS else ServerQuirks.defaults(server, model)

    def remember(self, server: str, model: str, quirks: ServerQuirks) -> None:
        """Record QUIRKS; a file that cannot be written leaves them in memory only."""
        key = memory_key(server, model)
        if self._known.get(key) == asdict(quirks):
            return
        self._known[key] = asdict(quirks)
        if self.path is not None:
            try:
                write_atomically(self.path, json.dumps(self._known, indent=1))
            except OSError:
                self.path = None

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except (OSError, ValueError):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def memory_key(server: str, model: str) -> str:
    return f"{server} {model}"


def is_openai(server: str) -> bool:
    """True for OpenAI's own API."""
    return urlsplit(server).hostname == "api.openai.com"


def server_name(url: str) -> str:
    """URL as it may be shown: without a user name, password or query."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")) or url


def response_format(format_name: str, schema: dict, name: str) -> dict:
    """The response_format request field for 'json_schema' or 'json_object' (with the schema)."""
    if format_name == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": strict_schema(schema),
                                                       "strict": True}}
    return {"type": "json_object", "schema": schema}


# Keywords OpenAI's strict mode has rejected (numeric and length limits; formats and patterns): the grade
# is checked against the question after it comes back, so the schema loses nothing by leaving them out.
STRICT_UNSUPPORTED = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
                                "minItems", "maxItems", "minLength", "maxLength", "pattern", "format"})


def strict_schema(schema: object) -> object:
    """SCHEMA without the keywords strict mode rejects, at every level."""
    if isinstance(schema, dict):
        return {key: strict_schema(value) for key, value in schema.items()
                if key not in STRICT_UNSUPPORTED or not isinstance(value, (int, float, str))}
    if isinstance(schema, list):
        return [strict_schema(item) for item in schema]
    return schema


def without_reasoning(text: str) -> str:
    """TEXT without a reasoning model's <think> blocks."""
    return THINK_BLOCK.sub("", text).strip()


def extract_json(text: str) -> dict:
    """The JSON object a reply holds, bare or after prose, reasoning or a code fence; LLMError if none.

    Only the first '{' outside reasoning is tried: when the object it opens is cut off, an object nested
    in it is no reply.
    """
    text = without_reasoning(text)
    start = text.find("{")
    try:
        value = json.JSONDecoder().raw_decode(text, start)[0] if start != -1 else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise LLMError("the reply was not JSON")
    return value


def server_message(exc: Exception, secret: str = "") -> str:
    """The server's own words about an error (its code and message), cut short, with any key hidden."""
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        code, message = error.get("code") or error.get("type"), error.get("message")
        text = f"{code}: {message}" if code and message and str(code) not in str(message) else str(
            message or code or "")
    else:
        text = str(error or "")
    if secret:
        text = text.replace(secret, "***")
    text = " ".join(SECRET.sub(r"\1-***", text).split())
    return text if len(text) <= MAX_SERVER_MESSAGE else text[:MAX_SERVER_MESSAGE].rsplit(" ", 1)[0] + " ..."


def retry_after(exc: Exception) -> float | None:
    """The seconds a Retry-After header asks for, if it gives a number."""
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Reply:
    text: str
    cut_off: bool  # the server stopped at the token limit (finish_reason 'length')


class ChatClient:
    """Chat completions from one OpenAI-compatible server and model.

    Retries lost connections, 429 (as long as Retry-After asks) and 5xx with backoff, saying so through
    NOTIFY; a call that gets no reply in time is not retried. A server that fails a call is not asked
    again for BREAKER_COOLDOWN seconds. Errors name the server, the status and the server's message.
    """

    def __init__(self, base_url: str = "", api_key: str = "", model: str = "", timeout: float = 60.0,
                 retries: int = 2, temperature: float = 0.0, memory: ServerMemory | None = None,
                 client: Any = None, backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep,
                 notify: Callable[[str], None] | None = None, clock: Callable[[], float] = time.monotonic,
                 ) -> None:
        self.server = base_url.rstrip("/") or OPENAI_URL
        self.name = server_name(self.server)
        self.timeout = timeout
        self.retries = retries
        self.temperature = temperature
        self.memory = memory or ServerMemory()
        self.backoff = backoff
        self.sleep = sleep
        self.notify = notify or (lambda message: None)
        self.clock = clock
        self._api_key = api_key
        self._model = model
        self._failure: tuple[float, str] | None = None  # when the server last failed, and how
        self.client = client or self.create_client(api_key, timeout)

    def create_client(self, api_key: str, timeout: float) -> Any:
        """An openai.OpenAI client with its own retries off: this class retries."""
        import openai

        if is_openai(self.server) and not api_key:
            raise ConfigError("no LLM configured: set OPENAI_BASE_URL to a local server or OPENAI_API_KEY "
                              "for OpenAI, or use --offline")
        return openai.OpenAI(base_url=self.server, api_key=api_key or "not-needed", timeout=timeout,
                             max_retries=0)

    @property
    def model(self) -> str:
        """The model name: the configured one; OpenAI's gpt-4o-mini; else the server's first chat model."""
        if not self._model:
            self._model = OPENAI_DEFAULT_MODEL if is_openai(self.server) else self._first_chat_model()
        return self._model

    def _first_chat_model(self) -> str:
        listed = [m.id for m in self._call(lambda: self.client.models.list().data)]
        chat = [name for name in listed if not NOT_CHAT_MODEL.search(name)]
        if not chat:
            shown = ", ".join(listed[:5]) or "none"
            raise LLMError(f"{self.name} lists no chat model ({shown}); name one with --llm-model or "
                           "INTERVIEWER_LLM_MODEL")
        return chat[0]

    def complete_json(self, messages: list[dict], schema: dict, name: str, max_tokens: int = 1000) -> dict:
        """A JSON object reply, asking for SCHEMA in the best format the server accepts.

        A format is remembered once a reply in it was JSON; a worse one is given up for the best again
        after RETRY_BETTER_FORMAT_AFTER.
        """
        quirks = self.memory.get(self.server, self.model)
        known = quirks.format
        if known != FORMATS[0] and time.time() - quirks.format_since > RETRY_BETTER_FORMAT_AFTER:
            known = FORMATS[0]
        for format_name in FORMATS[FORMATS.index(known):]:
            wanted = {} if format_name == "text" else {"response_format": response_format(format_name, schema,
                                                                                          name)}
            try:
                reply = self._complete(messages, max_tokens, refusable=format_name != "text", **wanted)
            except FormatRefused:
                continue
            if reply.cut_off:
                raise LLMError(f"{self.name} cut the reply off at {max_tokens} tokens "
                               "(finish_reason 'length')")
            value = extract_json(reply.text)
            retried_better = known != quirks.format
            if format_name != quirks.format or not quirks.format_since or retried_better:
                self._learn(format=format_name, format_since=time.time())  # the day starts again
            return value
        raise LLMError(f"{self.name} refused every reply format")  # unreachable: text is never refused

    def complete_text(self, messages: list[dict], max_tokens: int = 200, quick: bool = False) -> str:
        """A plain-text reply without reasoning blocks; QUICK: a short timeout and no retries."""
        return without_reasoning(self._complete(messages, max_tokens, quick=quick).text)

    def _complete(self, messages: list[dict], max_tokens: int, refusable: bool = False, quick: bool = False,
                  **extra: Any) -> Reply:
        def create() -> Reply:
            quirks = self.memory.get(self.server, self.model)
            options = {quirks.token_field: max_tokens, **extra}
            if quirks.temperature:
                options["temperature"] = self.temperature
            if quick:
                options["timeout"] = min(self.timeout, QUICK_TIMEOUT)
            response = self.client.chat.completions.create(model=self.model, messages=messages, **options)
            choice = response.choices[0]
            return Reply(choice.message.content or "", choice.finish_reason == "length")

        return self._call(create, refusable, quick)

    def _call(self, call: Callable[[], Any], refusable: bool = False, quick: bool = False) -> Any:
        """CALL's result; retries what may pass (not when QUICK), learns what the server refuses, and
        trips the breaker when the server fails."""
        import openai

        self._check_breaker()
        tries = 1 if quick else self.retries + 1
        waited = min(self.timeout, QUICK_TIMEOUT) if quick else self.timeout
        attempt = 0
        while True:
            wait = None
            try:
                result = call()
                self._failure = None
                return result
            except openai.APIStatusError as exc:
                status, message = exc.status_code, server_message(exc, self._api_key)
                reason = f"HTTP {status}" + (f": {message}" if message else "")
                if refusable and is_format_refusal(status, message):
                    raise FormatRefused() from None
                if status in REFUSAL_STATUSES and self._learn_from_refusal(message):
                    continue
                if status != 429 and status < 500:
                    raise LLMError(f"{self.name} answered {reason}") from None
                wait = retry_after(exc) if status == 429 else None
                if wait is not None and wait > MAX_RETRY_AFTER:
                    self._trip(reason)
                    raise LLMError(f"{self.name} answered {reason} and asks to wait {wait:g} s") from None
            except openai.APITimeoutError:
                self._trip("no reply in time")
                raise LLMError(f"{self.name} sent no reply within {waited:g} s") from None
            except openai.APIConnectionError:
                reason = "connection error"
            except (openai.APIError, AttributeError, IndexError, TypeError, ValueError):
                raise LLMError(f"{self.name} sent a malformed reply") from None
            attempt += 1
            if attempt >= tries:
                self._trip(reason)
                raise LLMError(f"{self.name}: {reason}" + (f" after {tries} tries" if tries > 1 else ""))
            delay = wait if wait is not None else min(MAX_BACKOFF, self.backoff * 2 ** (attempt - 1))
            self.notify(f"The LLM server {self.name}: {reason}; retrying in {delay:g} s...")
            self.sleep(delay)

    def _check_breaker(self) -> None:
        """LLMError while the server failed less than BREAKER_COOLDOWN seconds ago."""
        if self._failure is None:
            return
        when, reason = self._failure
        ago = self.clock() - when
        if ago < BREAKER_COOLDOWN:
            left = BREAKER_COOLDOWN - ago
            raise LLMError(f"{self.name} not asked: it failed {ago:.0f} s ago ({reason}); "
                           f"asked again in {left:.0f} s")

    def _trip(self, reason: str) -> None:
        self._failure = (self.clock(), reason)

    def _learn(self, **changes: Any) -> None:
        quirks = self.memory.get(self.server, self.model)
        self.memory.remember(self.server, self.model, replace(quirks, **changes))

    def _learn_from_refusal(self, message: str) -> bool:
        """Adapt to a 400 that names max_tokens or temperature (OpenAI's reasoning models); True if the
        request changed and is worth sending again."""
        quirks = self.memory.get(self.server, self.model)
        names_token_field = "max_tokens" in message and "max_completion_tokens" in message
        if names_token_field and quirks.token_field == "max_tokens":
            self._learn(token_field="max_completion_tokens")
            return True
        if "temperature" in message and quirks.temperature:
            self._learn(temperature=False)
            return True
        return False


def is_format_refusal(status: int, message: str) -> bool:
    """True when an error refuses the response format: a 400 or 422 that names no other cause, or any
    error whose message is about the format (llama-cpp-python answers json_schema with a 500)."""
    if ABOUT_FORMAT.search(message):
        return True
    return status in REFUSAL_STATUSES and not OTHER_CAUSE.search(message)


def chat_client_for(settings: Settings, client: Any = None,
                    notify: Callable[[str], None] | None = None) -> ChatClient:
    """The chat client the settings describe, remembering what the server accepts in the cache folder."""
    memory = ServerMemory(Path(settings.cache_dir) / "llm-formats.json")
    return ChatClient(settings.base_url, settings.api_key, settings.llm_model, settings.timeout,
                      settings.retries, settings.temperature, memory, client, notify=notify)

"""A fake OpenAI-compatible server on loopback for fault tests: scripted replies, delays, hang-ups,
headers (Retry-After), cut-off replies and the models it lists."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What the fake server does with one request."""

    status: int = 200
    content: str | None = None  # the assistant message; None with status 200 sends BODY as is
    body: str = ""
    delay: float = 0.0
    drop: bool = False  # close the connection without answering
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"


def completion(content: str, finish_reason: str = "stop") -> str:
    """A chat completion response body carrying CONTENT."""
    return json.dumps({
        "id": "fake-1", "object": "chat.completion", "created": 0, "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    })


class FakeLLMServer:
    """Answers /v1/chat/completions with whatever SCRIPT returns for each request body; records requests."""

    def __init__(self, script: Callable[[dict], Reply], models: tuple[str, ...] = ("fake-model",)) -> None:
        self.script = script
        self.models = models
        self.requests: list[dict] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeLLMServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def formats(self) -> list[str]:
        """The response_format type of each chat request so far ('text' when none)."""
        chats = [r for r in self.requests if "messages" in r]
        return [(r.get("response_format") or {}).get("type", "text") for r in chats]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                models = {"object": "list", "data": [{"id": m, "object": "model"} for m in server.models]}
                self._send(200, json.dumps(models))

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append(request)
                reply = server.script(request)
                time.sleep(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                body = (completion(reply.content, reply.finish_reason) if reply.content is not None
                        else reply.body)
                self._send(reply.status, body, reply.headers)

            def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
                data = body.encode("utf-8")
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up waiting

        return Handler

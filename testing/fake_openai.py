"""A local, scriptable OpenAI-compatible HTTP endpoint.

It serves ``POST .../chat/completions`` (any prefix, so ``base_url`` may or may not end in
``/v1``) on 127.0.0.1 with an OS-chosen port, in a background thread: point a server at
it with ``OPENAI_BASE_URL`` (``FakeOpenAI.env()``) or an ``LlmSettings.base_url``. Each
request takes the next behaviour from a queue (``enqueue``); when the queue is empty
``default`` answers. Every request is recorded (``requests``) before its behaviour runs,
so tests can assert attempt counts and what was sent.

Nothing here waits on a timer for synchronisation: a hanging or held request waits on a
``threading.Event``, and ``stop()`` sets every such event, so shutdown is immediate.

Behaviours (build them with the helpers below):

* ``good(refiner)``        -- 200 with ``refiner(request_body)`` as the JSON content
* ``content(text)``        -- 200 with ``text`` as the assistant content (malformed JSON, ...)
* ``raw(body, ...)``       -- any HTTP body (an HTML page, JSON that is no completion)
* ``refusal(text)``        -- 200 with a refusal instead of content
* ``status(code, ...)``    -- an error status with an OpenAI-style error body and headers
* ``rate_limited(after)``  -- 429 with ``Retry-After: after``
* ``hang(seconds)``        -- answer nothing for ``seconds`` (longer than the client timeout)
* ``trickle(every_s)``     -- a good answer sent one byte every ``every_s`` seconds: each
  read is quick, the whole answer slow (a client must bound the whole call, not each read)
* ``Hold()``               -- block until the test calls ``release()``; ``entered`` is set
  when a request reaches it, so a test can wait for "the LLM call is in flight"

The default answers come from ``refiners``, which understand the draft the refinement
stage sends.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from programgen.testing.refiners import JsonObject, Refiner, first_substitute, user_payload


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: JsonObject

    @property
    def response_format(self) -> JsonObject | None:
        rf = self.body.get("response_format")
        return rf if isinstance(rf, dict) else None

    @property
    def user_payload(self) -> JsonObject:
        """The JSON document in the last user message (the refinement stage's draft)."""
        return user_payload(self.body)


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    byte_every_s: float = 0.0  # > 0: the body goes out one byte at a time, this far apart


class Behaviour:
    """One scripted answer. ``respond`` runs on the server's handler thread."""

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply | None:
        raise NotImplementedError  # pragma: no cover


def _completion(model: str, content: str | None, refusal: str | None = None) -> bytes:
    doc = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    return json.dumps(doc).encode()


class _Content(Behaviour):
    def __init__(self, make: Callable[[RecordedRequest], str]) -> None:
        self._make = make

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply:
        model = str(request.body.get("model", "fake-model"))
        return Reply(200, _completion(model, self._make(request)))


class _Refusal(Behaviour):
    def __init__(self, text: str) -> None:
        self._text = text

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply:
        model = str(request.body.get("model", "fake-model"))
        return Reply(200, _completion(model, None, refusal=self._text))


class _Status(Behaviour):
    def __init__(self, code: int, message: str, headers: dict[str, str]) -> None:
        self._code = code
        self._message = message
        self._headers = headers

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply:
        body = {"error": {"message": self._message, "type": "fake_error", "code": None}}
        return Reply(self._code, json.dumps(body).encode(), dict(self._headers))


class _Raw(Behaviour):
    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self._reply = Reply(status, body, {"Content-Type": content_type})

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply:
        return self._reply


class _Hang(Behaviour):
    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply | None:
        # Not a sleep: returns at once when the server stops.
        server.stopping.wait(self._seconds)
        return Reply(504, b'{"error": {"message": "fake hang ended"}}')


class _Trickle(Behaviour):
    def __init__(self, every_s: float, then: Behaviour) -> None:
        self._every_s = every_s
        self._then = then

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply | None:
        reply = self._then.respond(request, server)
        if reply is not None:
            reply.byte_every_s = self._every_s
        return reply


class Hold(Behaviour):
    """Block the request until ``release()`` (or server stop), then answer with ``then``
    (when None: the server's default behaviour, or ``good()`` if this Hold is the default).
    One Hold may serve many requests (e.g. as ``FakeOpenAI(default=hold)``): ``entered`` is
    set by the first, ``release()`` lets all of them go, now and later."""

    def __init__(self, then: Behaviour | None = None) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()
        self._then = then

    def release(self) -> None:
        self.released.set()

    def respond(self, request: RecordedRequest, server: FakeOpenAI) -> Reply | None:
        self.entered.set()
        while not self.released.is_set() and not server.stopping.is_set():
            self.released.wait(0.05)
        if server.stopping.is_set():
            return None
        after = self._then or server.default
        if after is self:  # a Hold used as the server's default answers good() once released
            after = good()
        return after.respond(request, server)


# --------------------------------------------------------------------------- constructors


def good(refiner: Refiner | None = None) -> Behaviour:
    """A 200 whose content is ``json.dumps(refiner(request_body))`` (default: first_substitute)."""
    fn = refiner or first_substitute

    return _Content(lambda req: json.dumps(fn(req.body)))


def content(text: str) -> Behaviour:
    return _Content(lambda req: text)


def raw(body: bytes, status: int = 200, content_type: str = "text/html") -> Behaviour:
    """Any HTTP body, e.g. an HTML error page from a proxy, or JSON that is no completion."""
    return _Raw(status, body, content_type)


def refusal(text: str = "I can't help with that.") -> Behaviour:
    return _Refusal(text)


def status(
    code: int, message: str = "fake error", headers: dict[str, str] | None = None
) -> Behaviour:
    return _Status(code, message, headers or {})


def rate_limited(retry_after: str | None = "1") -> Behaviour:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return _Status(429, "Rate limit reached (fake)", headers)


def server_error(code: int = 500) -> Behaviour:
    return _Status(code, "The server had an error while processing your request (fake)", {})


def hang(seconds: float = 30.0) -> Behaviour:
    return _Hang(seconds)


def trickle(every_s: float = 0.1, then: Behaviour | None = None) -> Behaviour:
    """``then`` (default ``good()``) with its body sent one byte every ``every_s`` seconds."""
    return _Trickle(every_s, then or good())


# --------------------------------------------------------------------------- server


class FakeOpenAI:
    def __init__(self, default: Behaviour | None = None) -> None:
        self.default: Behaviour = default or good()
        self.requests: list[RecordedRequest] = []
        self.stopping = threading.Event()
        self._queue: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:  # shutdown() would wait forever on a server never started
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self, api_key: str = "sk-test-fake-openai") -> dict[str, str]:
        """The environment a ``programgen serve`` process needs to refine through this."""
        return {"OPENAI_API_KEY": api_key, "OPENAI_BASE_URL": self.base_url}

    # -- scripting
    def enqueue(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._queue.extend(behaviours)

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next(self, request: RecordedRequest) -> Behaviour:
        with self._lock:
            self.requests.append(request)
            return self._queue.popleft() if self._queue else self.default

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode(errors="replace")}
                path = self.path.split("?", 1)[0]
                request = RecordedRequest(
                    method="POST",
                    path=path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body if isinstance(body, dict) else {"_json": body},
                )
                if not path.endswith("/chat/completions"):
                    with fake._lock:
                        fake.requests.append(request)
                    self._send(Reply(404, b'{"error": {"message": "not found"}}'))
                    return
                reply = fake._next(request).respond(request, fake)
                if reply is not None:
                    self._send(reply)

            def _send(self, reply: Reply) -> None:
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "application/json", **reply.headers}
                    headers["Content-Length"] = str(len(reply.body))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if reply.byte_every_s <= 0:
                        self.wfile.write(reply.body)
                        return
                    for i in range(len(reply.body)):
                        self.wfile.write(reply.body[i : i + 1])
                        self.wfile.flush()
                        # Pacing the bytes, not synchronising: stop() cuts it short.
                        if fake.stopping.wait(reply.byte_every_s):
                            return
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout); nothing to tell it

        return Handler

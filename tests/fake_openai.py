"""A local, scriptable OpenAI-compatible HTTP server for tests.

It serves ``POST .../chat/completions`` (any prefix, so ``base_url`` may or may not end in
``/v1``) on 127.0.0.1 with an OS-chosen port, in a background thread. Each request takes the
next behaviour from a queue (``enqueue``); when the queue is empty ``default`` answers.
Every request is recorded (``requests``) before its behaviour runs, so tests can assert
attempt counts and what was sent.

Nothing here sleeps: a hanging or held request waits on a ``threading.Event``, and
``stop()`` sets every such event, so shutdown is immediate.

Behaviours (build them with the helpers below):

* ``good(refiner)``        -- 200 with ``refiner(request_body)`` as the JSON content
* ``content(text)``        -- 200 with ``text`` as the assistant content (malformed JSON, ...)
* ``raw(body, ...)``       -- any HTTP body (an HTML page, JSON that is no completion)
* ``refusal(text)``        -- 200 with a refusal instead of content
* ``status(code, ...)``    -- an error status with an OpenAI-style error body and headers
* ``rate_limited(after)``  -- 429 with ``Retry-After: after``
* ``hang(seconds)``        -- answer nothing for ``seconds`` (longer than the client timeout)
* ``Hold()``               -- block until the test calls ``release()``; ``entered`` is set
  when a request reaches it, so a test can wait for "the LLM call is in flight"

The refiners at the bottom understand the payload ``pipeline.llm_refine`` sends (the user
message is JSON with ``weeks``, ``slots``, ``substitutes`` and ``exercises``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JsonObject = dict[str, Any]
Refiner = Callable[[JsonObject], JsonObject]


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
        """The JSON document in the last user message (what llm_refine sends)."""
        return user_payload(self.body)


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


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
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout); nothing to tell it

        return Handler


# --------------------------------------------------------------------------- refiners


def user_payload(body: JsonObject) -> JsonObject:
    """The JSON document in the last user message of a chat.completions request body."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            text = message["content"]
            if isinstance(text, list):  # content parts
                text = "".join(p.get("text", "") for p in text)
            doc = json.loads(text)
            assert isinstance(doc, dict)
            return doc
    raise AssertionError("no user message in the request")


def iter_slots(payload: JsonObject) -> Iterator[tuple[int, int, JsonObject]]:
    """(week, day, exercise) for every prescribed exercise in the draft."""
    for week in payload["weeks"]:
        for day in week["days"]:
            for exercise in day["exercises"]:
                yield week["week"], day["day"], exercise


def iter_layout(payload: JsonObject) -> Iterator[tuple[int, JsonObject]]:
    """(day, exercise) for every exercise slot, the layout every week repeats."""
    for day in payload["slots"]:
        for exercise in day["exercises"]:
            yield day["day"], exercise


def substitution(day: int, exercise: JsonObject, new_exercise_id: str) -> JsonObject:
    """A substitution of the slot (day, exercise["pos"]) in every week."""
    return {
        "day": day,
        "position": exercise["pos"],
        "current_exercise_id": exercise["id"],
        "new_exercise_id": new_exercise_id,
    }


def empty_refinement(summary_note: str = "") -> JsonObject:
    return {
        "substitutions": [],
        "set_changes": [],
        "exercise_notes": [],
        "summary_note": summary_note,
    }


def first_substitute(body: JsonObject) -> JsonObject:
    """A valid refinement: swap the first exercise slot that has an offered substitute
    (not already on that day) for that substitute - in every week, as substitutions go -
    note it, and add a summary."""
    payload = user_payload(body)
    out = empty_refinement("Fake coach: keep two reps in reserve on the anchor lifts.")
    for day, exercise in iter_layout(payload):
        offered = payload["substitutes"].get(exercise["id"], [])
        day_ids = {e["id"] for d, e in iter_layout(payload) if d == day}
        choice = next((c for c in offered if c not in day_ids), None)
        if choice is None:
            continue
        out["substitutions"].append(substitution(day, exercise, choice))
        out["exercise_notes"].append({"exercise_id": choice, "note": f"Fake note for {choice}."})
        return out
    return out


def not_offered(body: JsonObject) -> JsonObject:
    """Rule-breaking: substitute the first exercise with a catalog id it was not offered."""
    payload = user_payload(body)
    day, exercise = next(iter_layout(payload))
    offered = set(payload["substitutes"].get(exercise["id"], []))
    known = [i for i in payload["exercises"] if i not in offered and i != exercise["id"]]
    out = empty_refinement()
    out["substitutions"].append(
        substitution(day, exercise, known[0] if known else "not_a_catalog_id")
    )
    return out


def above_mrv(body: JsonObject, max_sets: int = 10) -> JsonObject:
    """Rule-breaking: raise every exercise of one muscle in one week to ``max_sets`` sets,
    enough to push that muscle's weekly hard sets above its MRV (first such muscle/week)."""
    payload = user_payload(body)
    muscle_of = {i: e["muscle"] for i, e in payload["exercises"].items()}
    for week in payload["weeks"]:
        slots = [(day["day"], ex) for day in week["days"] for ex in day["exercises"]]
        for muscle, limits in payload["landmarks"].items():
            mine = [(d, ex) for d, ex in slots if muscle_of.get(ex["id"]) == muscle]
            if not mine or len(mine) * max_sets <= limits["mrv"]:
                continue
            out = empty_refinement()
            total = 0
            for d, ex in mine:
                out["set_changes"].append(
                    {
                        "week": week["week"],
                        "day": d,
                        "position": ex["pos"],
                        "exercise_id": ex["id"],
                        "sets": max_sets,
                    }
                )
                total += max_sets
                if total > limits["mrv"]:
                    break
            return out
    raise AssertionError("no muscle has room to exceed its MRV with this draft")

"""The call to an OpenAI-compatible endpoint, with retries; the only module that imports
``openai``.

Every attempt is bounded as a whole by ``timeout_s`` (the SDK's own timeout bounds each
read, so an endpoint that trickles a byte now and then would never trip it), and all
attempts and the waits between them by ``deadline_s``.

Retry policy (``max_attempts`` attempts in all, whatever went wrong):
- timeout, connection error, 408/409/429, 5xx: retried. The wait is the server's
  ``retry-after-ms``/``Retry-After`` when a 429 carries one (if it exceeds the cap we stop
  at once), else exponential backoff with full jitter (``backoff_base_s`` doubling, capped
  at ``backoff_max_s``; "Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
- malformed JSON, schema mismatch, truncated/empty answer: retried the same way. With
  strict structured output these are sampling or transport glitches, not the model's
  considered answer, so a fresh sample is likely to be fine.
- what ``accept`` rejects as non-retryable (rule-breaking answers), a refusal, other 4xx
  (bad key, unknown model, bad request): NOT retried; the same prompt would very likely
  get the same result.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
from collections.abc import Callable, Mapping
from typing import TypeVar

import openai
from openai.types.chat import ChatCompletion

from programgen.pipeline.refine.failures import Failure, GaveUp, redact
from programgen.pipeline.refine.pacing import Clock, Pacing
from programgen.pipeline.refine.prompt import LlmRequest
from programgen.pipeline.refine.settings import LlmSettings

log = logging.getLogger("programgen.pipeline.refine")

T = TypeVar("T")

TEMPERATURE = 0.2  # low: the answer is an edit list checked against rules, not prose

# Status codes worth another try (the same set the openai SDK retries by default).
_TRANSIENT_STATUS = frozenset({408, 409, 429})


def retry_after_seconds(headers: Mapping[str, str], clock: Clock) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (delta-seconds or HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            value = float(raw_ms) / 1000
            if math.isfinite(value):
                return max(0.0, value)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        value = float(raw)
        return max(0.0, value) if math.isfinite(value) else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - clock())


def classify(exc: openai.OpenAIError, clock: Clock) -> Failure:
    if isinstance(exc, openai.APITimeoutError):
        return Failure("timeout", "request timed out", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return Failure("connection error", str(exc), retryable=True)
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        if code == 429:
            after = retry_after_seconds(exc.response.headers, clock)
            return Failure("rate limited", exc.message, retryable=True, retry_after=after)
        if code in _TRANSIENT_STATUS or code >= 500:
            return Failure(f"server error {code}", exc.message, retryable=True)
        return Failure(f"http {code}", exc.message, retryable=False)
    if isinstance(exc, openai.APIResponseValidationError):
        return Failure("malformed output", str(exc), retryable=True)
    return Failure("client error", f"{type(exc).__name__}: {exc}", retryable=False)


def backoff(settings: LlmSettings, attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base * 2**(attempt-1)))."""
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * 2 ** (attempt - 1))
    return rng.uniform(0.0, max(0.0, ceiling))


async def _ask(client: openai.AsyncOpenAI, model: str, request: LlmRequest) -> str:
    """The assistant's content, or a Failure when the answer is no usable completion."""
    completion = await client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": request.system},
            {"role": "user", "content": request.user},
        ],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": request.schema_name, "strict": True, "schema": request.schema},
        },
        temperature=TEMPERATURE,
    )
    # The SDK does not validate the body: a non-JSON 200 comes back as a str, and a JSON
    # object of another shape as a ChatCompletion whose fields are None.
    choices = completion.choices if isinstance(completion, ChatCompletion) else None
    if not choices or getattr(choices[0], "message", None) is None:
        raise Failure("malformed output", "the response is not a chat completion", retryable=True)
    choice = choices[0]
    if choice.message.refusal:
        # The model declined on purpose: asking the same again will not change its mind.
        raise Failure("refused", choice.message.refusal, retryable=False)
    if choice.finish_reason == "length":
        raise Failure("malformed output", "answer truncated (length limit)", retryable=True)
    if not choice.message.content:
        raise Failure("malformed output", "empty content", retryable=True)
    return choice.message.content


async def _attempt(
    client: openai.AsyncOpenAI,
    settings: LlmSettings,
    request: LlmRequest,
    accept: Callable[[str], T],
    clock: Clock,
) -> T:
    try:
        async with asyncio.timeout(settings.timeout_s):
            text = await _ask(client, settings.model, request)
    except TimeoutError:
        raise Failure("timeout", "request timed out", retryable=True) from None
    except openai.OpenAIError as exc:
        raise classify(exc, clock) from None
    return accept(text)


def _attempts(attempt: int) -> str:
    return f"{attempt} attempt" if attempt == 1 else f"{attempt} attempts"


class _Loop:
    """The retry loop's state: which attempt, the last failure, and the stage's deadline."""

    def __init__(self, settings: LlmSettings, pacing: Pacing, deadline_at: float) -> None:
        self.settings, self.pacing, self.deadline_at = settings, pacing, deadline_at
        self.rng = pacing.rng or random.Random()
        self.attempt = 0
        self.last: Failure | None = None

    def reason(self) -> str:
        last = self.last
        assert last is not None
        if last.retryable:
            return f"{last.kind} after {_attempts(self.attempt)}: {last.message}"
        return f"{last.kind}: {last.message}"

    def deadline_reason(self, waiting_s: float | None = None) -> str:
        """Why the stage's deadline ended it: it expired during an attempt, or the wait
        before the next attempt would pass it (then we stop at once rather than sleep)."""
        deadline = f"deadline {self.settings.deadline_s:g}s"
        if waiting_s is None:
            reason = f"{deadline} exceeded during attempt {self.attempt}"
        else:
            reason = f"{deadline} leaves no time to wait {waiting_s:.2f}s for another attempt"
        if self.last is not None:
            reason += f"; last failure: {self.last.kind}: {self.last.message}"
        return reason

    def wait_after(self, failure: Failure) -> float | None:
        """Seconds to wait before the next attempt, or None to stop here."""
        attempts, cap = self.settings.max_attempts, self.pacing.retry_after_cap_s
        if not failure.retryable or self.attempt >= attempts:
            return None
        if failure.retry_after is not None and failure.retry_after > cap:
            failure.message = f"retry-after {failure.retry_after:g}s exceeds cap {cap:g}s"
            failure.retryable = False
            return None
        if failure.retry_after is not None:
            return failure.retry_after
        return backoff(self.settings, self.attempt, self.rng)


async def call_with_retries(
    settings: LlmSettings, request: LlmRequest, accept: Callable[[str], T], pacing: Pacing
) -> T:
    """``accept(content)`` of the first attempt whose answer it takes; GaveUp otherwise.
    ``accept`` raises Failure to reject an answer (retryable or not)."""
    clock = pacing.clock
    secret = settings.secret
    loop = asyncio.get_running_loop()
    state = _Loop(settings, pacing, loop.time() + settings.deadline_s)
    try:
        async with (
            asyncio.timeout_at(state.deadline_at),
            openai.AsyncOpenAI(
                api_key=secret,
                base_url=settings.base_url,
                timeout=settings.timeout_s,
                max_retries=0,  # our own loop controls backoff and Retry-After
            ) as client,
        ):
            while True:
                state.attempt += 1
                try:
                    result = await _attempt(client, settings, request, accept, clock)
                except Failure as failure:
                    state.last = failure
                    delay = state.wait_after(failure)
                    _log_failure(state, redact(failure.message, secret), delay)
                    if delay is None:
                        raise GaveUp(state.reason()) from None
                    if loop.time() + delay >= state.deadline_at:
                        raise GaveUp(state.deadline_reason(delay)) from None
                    await pacing.sleep(delay)
                    continue
                attempts = f"attempt {state.attempt}/{settings.max_attempts}"
                log.info("llm answer accepted (model %s, %s)", settings.model, attempts)
                return result
    except TimeoutError:
        reason = state.deadline_reason()
        log.warning("llm refinement stopped: %s", redact(reason, secret))
        raise GaveUp(reason) from None


def _log_failure(state: _Loop, message: str, delay: float | None) -> None:
    attempts = state.settings.max_attempts
    kind = state.last.kind if state.last is not None else "failure"
    if delay is None:
        log.warning("llm attempt %d/%d failed: %s: %s", state.attempt, attempts, kind, message)
    else:
        log.warning(
            "llm attempt %d/%d failed: %s: %s; retrying in %.2fs",
            state.attempt,
            attempts,
            kind,
            message,
            delay,
        )

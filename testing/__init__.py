"""Test support shipped with programgen: a real server in a child process
(``ServerProcess``) and a scriptable OpenAI-compatible endpoint (``FakeOpenAI``), for this
project's tests and benchmarks and for users testing their own integrations
(docs/testing.md). Nothing in the server, the client or the pipeline imports it.
"""

from __future__ import annotations

from programgen.testing.fake_openai import Behaviour, FakeOpenAI, Hold, RecordedRequest
from programgen.testing.server_process import ServerError, ServerProcess, free_port

__all__ = [
    "Behaviour",
    "FakeOpenAI",
    "Hold",
    "RecordedRequest",
    "ServerError",
    "ServerProcess",
    "free_port",
]

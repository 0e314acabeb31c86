"""Transport-level behaviour: TLS, message size limits, heartbeats on idle watch streams."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import grpc
import pytest

from programgen.client import AsyncClient
from programgen.client.errors import ResourceExhausted, Unavailable
from programgen.v1 import generation_service_pb2 as pb
from programgen.v1 import generation_service_pb2_grpc as pb_grpc
from tests.harness import Gate, example, running_server, served


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_tls_serves_trusting_clients_and_refuses_plaintext(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    async with running_server(tmp_path, tls_cert=str(cert), tls_key=str(key)) as server:
        target = f"127.0.0.1:{server.port}"
        async with AsyncClient(target, root_certificates=cert.read_bytes()) as client:
            generation = await client.start(example())
            program = await client.wait(generation.id)
            assert program.weeks
        async with AsyncClient(target, timeout_s=5) as plaintext:
            with pytest.raises(Unavailable):
                await plaintext.list_page()


async def test_an_oversize_request_is_rejected_by_the_transport(tmp_path: Path) -> None:
    profile = example()
    profile["injuryNote"] = "x" * (2 << 20)  # beyond the 1 MiB receive limit
    async with served(tmp_path) as (_server, client):
        with pytest.raises(ResourceExhausted) as error:
            await client.start(profile)
        assert "larger than max" in error.value.message
        assert (await client.list_page())[0] == []


async def test_an_idle_watch_stream_gets_heartbeats_with_the_current_state(
    tmp_path: Path,
) -> None:
    gate = Gate()
    async with served(tmp_path, generate_fn=gate, heartbeat_s=0.05) as (server, client):
        generation = await client.start(example())
        await asyncio.wait_for(gate.entered.get(), 10)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = pb_grpc.ProgramGenerationServiceStub(channel)
            call = stub.WatchGeneration(pb.WatchGenerationRequest(id=generation.id))
            kinds = []
            while "heartbeat" not in kinds:
                response = await asyncio.wait_for(call.read(), 10)
                kinds.append(response.WhichOneof("kind"))
            assert kinds[:2] == ["event", "event"]  # pending, processing
            assert response.heartbeat.status == pb.GENERATION_STATUS_PROCESSING
            assert response.heartbeat.last_sequence == 2
            call.cancel()
        gate.release()
        await client.wait(generation.id)

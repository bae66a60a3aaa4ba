"""Memory test fixtures: settings for an embedded store and a real Chroma server process."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coach.config import Settings, load_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chroma_executable() -> Path:
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.skip(f"no chroma executable next to {sys.executable}")
    return exe


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run` on 127.0.0.1, in its own process session, killed by group."""
    base = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (base / "server.log").open("wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [
            str(chroma_executable()),
            "run",
            "--path",
            str(base / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
        cwd=base,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma server exited early; see {base / 'server.log'}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=0.5).is_success:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"chroma server did not start in 30 s; see {base / 'server.log'}")
            time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


@pytest.fixture
def embedded_settings(tmp_path: Path) -> Settings:
    from coach.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws").root
    return load_settings(ws, env={})


@pytest.fixture
def server_settings(tmp_path: Path, chroma_server: tuple[str, int]) -> Settings:
    """Settings for the shared server, with a collection of its own per test."""
    from coach.workspace import init_workspace

    host, port = chroma_server
    ws = init_workspace(tmp_path / "ws").root
    return load_settings(
        ws,
        flags={
            "chroma.host": host,
            "chroma.port": port,
            "chroma.collection": f"t_{uuid.uuid4().hex[:12]}",
        },
        env={},
    )


RETRO_EN = """---
team: sales
---
# Retrospective 2025-Q3

## What went well
- The onboarding checklist cut the time to first value for new customers.
- Friday check-ins kept the confidence scores honest.

## What did not work
We spent most of the quarter on cold calling: 1,200 calls, only 3 customers won in segment B.
The key result counted calls, an activity, instead of customers won.

## Lessons
Measure outcomes. Next quarter the key result is to win 15 new customers in segment B.
"""

CHECKIN_SV = """# Avstämning vecka 12, 2025-Q4

Kundbortfallet steg till 4,1 % efter prishöjningen i oktober.
Supporten har långa svarstider på måndagar.

## Beslut
Vi inför en chattbot för enkla ärenden och bemannar upp under topptider.
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A small folder of past-cycle documents in both languages."""
    root = tmp_path / "docs"
    root.mkdir()
    (root / "retro-2025-Q3.md").write_text(RETRO_EN, encoding="utf-8")
    (root / "avstamning-v12.md").write_text(CHECKIN_SV, encoding="utf-8")
    return root

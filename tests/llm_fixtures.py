"""Pytest fixtures around the scripted LLM server (``tests/llm_server.py``).

Use in a conftest (any test folder)::

    from tests.llm_fixtures import llm_server, scripted_llm, llm_settings  # noqa: F401

- ``llm_server`` (session): one server process for the whole run, started in a new process
  session with output in a log file, killed by process group at the end.
- ``scripted_llm`` (function): the same server, reset before the test. Methods:
  ``script(*replies)``, ``default(reply)``, ``requests()``, ``chat_requests()``, ``api_base``.
- ``llm_settings`` (function): ``LlmSettings`` pointing at it (model ``openai/scripted``,
  timeout 2 s, no retries); override with ``llm_settings.model_copy(update={...})``.

Reply helpers build the scripted answers: :func:`content`, :func:`json_reply`,
:func:`stream`, :func:`status`, :func:`hang`, :func:`drip`, :func:`refusal`, :func:`truncated`,
:func:`empty`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SERVER_SCRIPT = Path(__file__).with_name("llm_server.py")


def content(text: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "content", "text": text, **extra}


def json_reply(data: Any) -> dict[str, Any]:
    return content(json.dumps(data, ensure_ascii=False))


def stream(text: str, chunks: int = 4) -> dict[str, Any]:
    return {"kind": "stream", "text": text, "chunks": chunks}


def status(code: int, headers: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    return {"kind": "status", "status": code, "headers": headers or {}, "body": body}


def hang(seconds: float) -> dict[str, Any]:
    return {"kind": "hang", "seconds": seconds}


def drip(text: str, interval: float = 1.0) -> dict[str, Any]:
    return {"kind": "drip", "text": text, "interval": interval}


def refusal(text: str = "I can't help with that.") -> dict[str, Any]:
    return {"kind": "refusal", "text": text}


def truncated(text: str) -> dict[str, Any]:
    return content(text, finish_reason="length")


def empty() -> dict[str, Any]:
    return {"kind": "empty"}


class ScriptedLlm:
    """A handle on a running scripted server process."""

    def __init__(self, proc: subprocess.Popen, port: int, log: Path):
        self.proc = proc
        self.port = port
        self.log = log

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.root}/v1"

    def _call(self, path: str, data: Any | None = None) -> Any:
        raw = None if data is None else json.dumps(data).encode("utf-8")
        req = urllib.request.Request(
            self.root + path, data=raw, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            return json.loads(resp.read())

    def script(self, *replies: dict[str, Any]) -> None:
        """Queue replies; each chat request takes the next one."""
        self._call("/_script", {"replies": list(replies)})

    def default(self, reply: dict[str, Any] | None) -> None:
        """The reply given when the queue is empty."""
        self._call("/_script", {"replies": [], "default": reply})

    def reset(self) -> None:
        self._call("/_reset", {})

    def requests(self) -> list[dict[str, Any]]:
        return self._call("/_requests")

    def chat_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat completion requests received, in order."""
        return [r["body"] for r in self.requests() if r["path"].endswith("/chat/completions")]


def start_server(log_dir: Path) -> ScriptedLlm:
    port_file = log_dir / "llm-server.port"
    log = log_dir / "llm-server.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), "--port-file", str(port_file)],
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: teardown kills all of it
        )
    deadline = time.monotonic() + 10
    while not port_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"scripted LLM server did not start; see {log}")
        time.sleep(0.02)
    return ScriptedLlm(proc, int(port_file.read_text(encoding="utf-8")), log)


def stop_server(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def llm_server() -> Iterator[ScriptedLlm]:
    log_dir = Path(tempfile.mkdtemp(prefix="okr-coach-llm-server-"))
    server = start_server(log_dir)
    try:
        yield server
    finally:
        stop_server(server.proc)


@pytest.fixture
def scripted_llm(llm_server: ScriptedLlm) -> ScriptedLlm:
    llm_server.reset()
    return llm_server


@pytest.fixture
def llm_settings(scripted_llm: ScriptedLlm):
    from coach.config import LlmSettings

    return LlmSettings(
        model="openai/scripted", api_base=scripted_llm.api_base, timeout=2.0, max_retries=0
    )

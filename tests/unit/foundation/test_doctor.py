"""`okr-coach doctor` reports each part and fails fast on an unreachable server."""

from __future__ import annotations

import json
import socket
import time


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_doctor_on_a_fresh_workspace_is_all_ok(run_cli, workspace):
    code, out, err = run_cli("--workspace", str(workspace), "doctor", "--format", "json")
    data = json.loads(out)
    assert code == 0, data
    names = [c["name"] for c in data["checks"]]
    assert names == [
        "python", "install", "workspace", "store", "embeddings", "retrieval", "llm", "offline"
    ]  # fmt: skip
    retrieval = next(c for c in data["checks"] if c["name"] == "retrieval")["detail"]
    assert "Snowball" in retrieval and "glossary" in retrieval and "wordllama" in retrieval
    llm = next(c for c in data["checks"] if c["name"] == "llm")
    assert "OKR_COACH_MODEL" in llm["detail"]  # the one-line hint how to turn the LLM on


def test_doctor_flags_unreachable_model_server_quickly(run_cli, workspace, monkeypatch):
    port = _closed_port()
    monkeypatch.setenv("OKR_COACH_MODEL", "openai/local")
    monkeypatch.setenv("OKR_COACH_API_BASE", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("OKR_COACH_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("OKR_COACH_CHROMA_PORT", str(port))
    t = time.monotonic()
    code, out, _ = run_cli("--workspace", str(workspace), "doctor", "--timeout", "1")
    assert time.monotonic() - t < 10
    assert code == 1
    assert "FAIL llm" in out and "FAIL store" in out and "unreachable" in out

"""`okr-coach ingest / ask / forget / reindex` end to end, including two processes at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from coach.config import Settings


def test_ingest_ask_forget_text_and_json(run_cli, embedded_settings: Settings, docs: Path):
    ws = str(embedded_settings.workspace)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    code, out, err = run_cli("--workspace", ws, "ingest", str(docs), "--quiet")
    assert code == 2  # one unreadable file: reported, the rest goes in
    assert "ingested 3 files (2 new" in out
    assert "skipped" in err and "broken.pdf" in err and "cannot read the PDF" in err

    code, out, _ = run_cli("--workspace", ws, "ask", "vad lärde vi oss om kalla samtal?", "-k", "2")
    assert code == 0
    assert out.startswith("Passages:\n[1] docs/retro-2025-Q3.md:11-12")
    assert "What did not work" in out and "no LLM configured" in out

    code, out, _ = run_cli(
        "--workspace", ws, "ask", "churn", "--cycle", "2025-Q4", "--format", "json", "-k", "3"
    )
    data = json.loads(out)
    assert code == 0 and data["answer"] is None
    first = data["passages"][0]
    assert set(first) >= {
        "n",
        "id",
        "source",
        "heading_path",
        "lines",
        "cycle",
        "team",
        "kind",
        "score",
    }
    assert first["n"] == 1 and first["source"] == "docs/avstamning-v12.md"
    assert all(p["cycle"] == "2025-Q4" for p in data["passages"])
    assert all(0 <= p["score"] <= 1 for p in data["passages"])

    code, out, _ = run_cli("--workspace", ws, "forget", str(docs / "avstamning-v12.md"))
    assert code == 0 and out.startswith("forgot ")
    code, out, _ = run_cli("--workspace", ws, "ask", "kundbortfall", "--format", "json")
    assert all(p["source"] != "docs/avstamning-v12.md" for p in json.loads(out)["passages"])


def test_ingest_json_report_lists_errors(run_cli, embedded_settings: Settings, docs: Path):
    (docs / "latin1.txt").write_bytes("Möte".encode("latin-1"))
    code, out, _ = run_cli(
        "--workspace", str(embedded_settings.workspace), "ingest", str(docs), "--format", "json"
    )
    data = json.loads(out)
    assert code == 2 and data["files_added"] == 2
    assert data["skipped"] == [
        {
            "path": str(docs / "latin1.txt"),
            "error": "is not valid UTF-8 text (save it as UTF-8; " "Excel: 'CSV UTF-8')",
        }
    ]


def test_ask_on_empty_memory(run_cli, embedded_settings: Settings):
    ws = str(embedded_settings.workspace)
    code, out, _ = run_cli("--workspace", ws, "ask", "anything")
    assert code == 0 and "Memory is empty" in out
    code, out, _ = run_cli("--workspace", ws, "ask", "anything", "--format", "json")
    assert json.loads(out) == {"answer": None, "passages": []}
    code, out, _ = run_cli("--workspace", ws, "--lang", "sv", "ask", "något")
    assert "Minnet är tomt" in out


def test_llm_failure_falls_back_to_passages(
    run_cli, embedded_settings: Settings, docs: Path, monkeypatch
):
    """With an LLM configured but unreachable, ask prints the passages and a one-line note."""
    ws = str(embedded_settings.workspace)
    assert run_cli("--workspace", ws, "ingest", str(docs), "--quiet")[0] == 0
    monkeypatch.setenv("OKR_COACH_MODEL", "openai/none")
    monkeypatch.setenv("OKR_COACH_API_BASE", "http://127.0.0.1:9/v1")  # nothing listens there
    monkeypatch.setenv("OKR_COACH_LLM_TIMEOUT", "1")
    monkeypatch.setenv("OKR_COACH_LLM_MAX_RETRIES", "0")
    code, out, err = run_cli("--workspace", ws, "ask", "cold calling")
    assert code == 0
    assert "[1] docs/retro-2025-Q3.md" in out
    assert "no written answer" in err
    # what was sent, where, and what it cost are said even when the answer failed
    assert "sent to http://127.0.0.1:9/v1: the question, 5 passage(s)" in err
    assert "LLM: 1 requests" in err and err.count("\n") == 3


def test_server_down_is_a_clear_error(run_cli, embedded_settings: Settings, monkeypatch):
    monkeypatch.setenv("OKR_COACH_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("OKR_COACH_CHROMA_PORT", "9")
    code, out, err = run_cli("--workspace", str(embedded_settings.workspace), "ask", "churn")
    assert code == 1 and "cannot reach the Chroma server at http://127.0.0.1:9" in err
    assert "Traceback" not in err


def test_reindex_rebuilds_from_manifest(run_cli, embedded_settings: Settings, docs: Path):
    ws = str(embedded_settings.workspace)
    run_cli("--workspace", ws, "ingest", str(docs), "--quiet")
    code, out, _ = run_cli("--workspace", ws, "reindex", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["files_seen"] == 2 and data["chunks_added"] == data["chunks_total"]
    code, out, _ = run_cli("--workspace", ws, "ask", "kalla samtal", "--format", "json", "-k", "1")
    assert json.loads(out)["passages"][0]["source"] == "docs/retro-2025-Q3.md"


def test_two_processes_ingesting_at_once(embedded_settings: Settings, tmp_path: Path):
    """Both finish (the second waits for the workspace lock) and nothing is duplicated."""
    folders = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        for i in range(6):
            (folder / f"note-{i}.md").write_text(
                f"# Notes {name}{i}\nTeam {name} learned lesson {i} about churn and onboarding.\n",
                encoding="utf-8",
            )
        folders.append(folder)
    env = {**os.environ, "OKR_COACH_HOME": str(embedded_settings.workspace)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "coach", "ingest", str(f), "--quiet", "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for f in folders
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert json.loads(out)["chunks_added"] == 6
    from coach.memory import MemoryStore

    store = MemoryStore.open(embedded_settings)
    assert store.count() == 12
    hits = store.search("lesson about churn", k=12, mode="lexical")
    assert len({p.id for p in hits}) == 12
    # A third run changes nothing.
    again = store.ingest(folders)
    assert again.files_unchanged == 12 and again.chunks_added == 0

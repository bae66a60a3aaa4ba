"""CLI of the foundation: init, new-cycle, import/export, schema, config; exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

OKRS = """\
cycle: 2026-Q1
language: sv
objectives:
  - title: Vinn mellanmarknaden
    key_results:
      - Få 15 nya kunder i segment X detta kvartal
      - text: Öka konverteringen från 8 % till 12 %
        owner: Anna
"""


def test_help_lists_subcommands(run_cli):
    code, out, _ = run_cli("--help")
    assert code == 0
    for name in ("init", "new-cycle", "import", "export", "schema", "config"):
        assert name in out


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("okr-coach ")


def test_usage_error_exits_2_with_one_line(run_cli):
    code, _, err = run_cli("export", "--bogus")
    assert code == 2 and "error:" in err


def test_init_writes_gitignore_and_settings(run_cli, tmp_path: Path):
    ws = tmp_path / "ws"
    code, out, _ = run_cli("init", str(ws))
    assert code == 0 and str(ws) in out
    assert "store/" in (ws / ".gitignore").read_text()
    assert (ws / "okr-coach.toml").exists() and (ws / "cycles").is_dir()


def test_import_assigns_ids_and_export_converts(run_cli, tmp_path: Path):
    src = tmp_path / "okrs.yaml"
    src.write_text(OKRS, encoding="utf-8")
    ws = tmp_path / "ws"
    code, out, err = run_cli("--workspace", str(ws), "import", str(src))
    assert code == 0, err
    assert "imported 1 objective and 2 key results" in out
    saved = (ws / "cycles" / "2026-Q1.yaml").read_text(encoding="utf-8")
    assert "id: o1.kr2" in saved and "Öka konverteringen" in saved
    assert "start: 2026-01-01" in saved and "end: 2026-03-31" in saved
    # --workspace also works after the subcommand
    code, out, err = run_cli(
        "export", "--cycle", "2026-Q1", "--workspace", str(ws), "--format", "md"
    )
    assert code == 0, err
    assert out.splitlines()[0] == "---" and "# Vinn mellanmarknaden" in out
    out_csv = tmp_path / "out.csv"
    code, _, err = run_cli("export", "--file", str(src), "-o", str(out_csv))
    assert code == 0 and "Få 15 nya kunder" in out_csv.read_text(encoding="utf-8")
    # importing again without --force refuses and keeps the file
    code, _, err = run_cli("--workspace", str(ws), "import", str(src))
    assert code == 2 and "already exists" in err
    assert (ws / "cycles" / "2026-Q1.yaml").read_text(encoding="utf-8") == saved


def test_import_of_unreadable_file_exits_2_naming_it(run_cli, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"objectives: [\n")
    code, out, err = run_cli("--workspace", str(tmp_path / "ws"), "import", str(bad))
    assert code == 2 and str(bad) in err and "Traceback" not in err


def test_new_cycle_sets_dates(run_cli, tmp_path: Path):
    ws = tmp_path / "ws"
    code, out, err = run_cli(
        "--workspace", str(ws), "new-cycle", "--cycle", "2026-Q3", "--team", "Växt"
    )
    assert code == 0, err
    text = (ws / "cycles" / "2026-Q3.yaml").read_text(encoding="utf-8")
    assert "start: 2026-07-01" in text and "end: 2026-09-30" in text and "team: Växt" in text
    code, _, err = run_cli("--workspace", str(ws), "new-cycle", "--cycle", "2026-Q3")
    assert code == 2 and "already exists" in err


def test_schema_is_json_schema_of_the_file(run_cli):
    code, out, _ = run_cli("schema")
    schema = json.loads(out)
    assert schema["title"] == "okr-coach cycle file"
    assert "objectives" in schema["properties"] and "KeyResult" in schema["$defs"]


def test_config_precedence_and_masking(run_cli, tmp_path: Path, monkeypatch):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "okr-coach.toml").write_text(
        'language = "sv"\n[llm]\nmodel = "openai/from-file"\ntimeout = 30\n', encoding="utf-8"
    )
    monkeypatch.setenv("OKR_COACH_MODEL", "openai/from-env")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123")
    monkeypatch.setenv("OKR_COACH_CHROMA_HEADERS", '{"Authorization": "Bearer tok-456"}')
    code, out, _ = run_cli("--workspace", str(ws), "config", "--format", "json")
    data = json.loads(out)
    assert data["llm"]["model"] == "openai/from-env"  # env beats file
    assert data["llm"]["timeout"] == 30.0  # file beats default
    assert data["language"] == "sv"
    assert data["chroma"]["path"] == str(ws / "store")  # the store actually used, not None
    code, out, _ = run_cli("--workspace", str(ws), "--lang", "en", "config", "--format", "json")
    assert json.loads(out)["language"] == "en"  # flag beats file
    assert "sk-secret" not in out and "tok-456" not in out


def test_secrets_in_the_toml_file_are_refused(run_cli, tmp_path: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "okr-coach.toml").write_text(
        '[chroma]\nheaders = {Authorization = "x"}\n', encoding="utf-8"
    )
    code, _, err = run_cli("--workspace", str(ws), "config")
    assert code == 2 and "OKR_COACH_CHROMA_HEADERS" in err


def test_bad_toml_is_a_readable_error(run_cli, tmp_path: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "okr-coach.toml").write_text("[llm\n", encoding="utf-8")
    code, _, err = run_cli("--workspace", str(ws), "config")
    assert code == 2 and "invalid TOML" in err


def test_python_dash_m_coach_works():
    proc = subprocess.run(
        [sys.executable, "-m", "coach", "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "okr-coach" in proc.stdout


@pytest.mark.parametrize("stdin_text", [OKRS])
def test_export_reads_stdin(tmp_path: Path, stdin_text: str):
    proc = subprocess.run(
        [sys.executable, "-m", "coach", "export", "--file", "-", "--format", "json"],
        input=stdin_text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["objectives"][0]["title"] == "Vinn mellanmarknaden"


def test_demo_workspace_is_remembered_so_lessons_show_at_once(run_cli, tmp_path: Path):
    demo = tmp_path / "demo"
    code, out, err = run_cli("demo-workspace", str(demo))
    assert code == 0, err
    assert "memory:" in out and (demo / "store").is_dir()
    code, out, err = run_cli(
        "--workspace", str(demo), "ask", "baseline for first contact resolution", "--format", "json"
    )
    assert code == 0, err
    sources = [p["source"] for p in json.loads(out)["passages"]]
    assert any(s.startswith("retros/") for s in sources), sources
    # the bundled copy is never touched, and a non-empty target is refused
    code, _, err = run_cli("demo-workspace", str(demo))
    assert code == 1 and "not empty" in err


def test_demo_workspace_without_ingest(run_cli, tmp_path: Path):
    code, out, _ = run_cli("demo-workspace", str(tmp_path / "d"), "--no-ingest")
    assert code == 0 and "memory:" not in out and not (tmp_path / "d" / "store").exists()

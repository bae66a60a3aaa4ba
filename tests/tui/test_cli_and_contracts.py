"""The `tui` subcommand and the import contract: Textual-free coach/, no litellm/chromadb at start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_tui_help_lists_the_file_argument(run_cli) -> None:
    code, out, _ = run_cli("tui", "--help")
    assert code == 0
    assert "FILE" in out.upper()


def test_tui_with_a_missing_file_exits_2_naming_it(run_cli, workspace: Path) -> None:
    code, _, err = run_cli("--workspace", str(workspace), "tui", "nowhere/okrs.yaml")
    assert code == 2
    assert "nowhere/okrs.yaml" in err and "Traceback" not in err


def test_app_start_path_imports_neither_litellm_nor_chromadb(tmp_path: Path) -> None:
    code = (
        "import sys, json\n"
        "from coach.config import load_settings\n"
        "from tui.app import OkrCoachApp\n"
        "import tui.screens.key_results, tui.screens.review, tui.screens.strategy\n"
        f"OkrCoachApp(load_settings({str(tmp_path)!r}, env={{}}))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('litellm', 'chromadb', 'wordllama', 'onnxruntime'))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []


def test_tui_package_imports_no_heavy_libraries_directly() -> None:
    for path in (ROOT / "tui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("litellm", "chromadb"):
            assert f"import {name}" not in text, path
            assert f"from {name}" not in text, path

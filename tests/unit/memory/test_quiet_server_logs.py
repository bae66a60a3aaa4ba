"""`ingest --quiet` against a real Chroma server: stderr stays empty (no httpx INFO lines)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path


def test_ingest_quiet_against_a_server_keeps_stderr_clean(
    chroma_server: tuple[str, int], docs: Path, tmp_path: Path
):
    host, port = chroma_server
    env = {
        **os.environ,
        "OKR_COACH_CHROMA_HOST": host,
        "OKR_COACH_CHROMA_PORT": str(port),
    }
    from coach.workspace import init_workspace

    ws = str(init_workspace(tmp_path / "ws").root)
    config = Path(ws) / "okr-coach.toml"  # a collection of its own on the shared server
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[chroma]\ncollection = "t_{uuid.uuid4().hex[:12]}"\n',
        encoding="utf-8",
    )
    for argv in (["ingest", str(docs), "--quiet"], ["ask", "churn", "--format", "json"]):
        proc = subprocess.run(
            [sys.executable, "-m", "coach", "--workspace", ws, *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr == "", proc.stderr  # was: INFO:httpx:HTTP Request: POST …
    assert "retro-2025-Q3.md" in proc.stdout

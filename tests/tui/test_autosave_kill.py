"""Kill the process in the middle of autosaving: the draft is the old or the new one, never broken."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tui.session import draft_path_for

ROOT = Path(__file__).resolve().parents[2]


def test_kill_during_autosave_leaves_a_whole_draft(workspace: Path, tmp_path: Path) -> None:
    draft = draft_path_for(workspace, workspace / "cycles" / "2026-Q3.yaml")
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for round_ in range(4):
        ready = tmp_path / f"ready-{round_}"
        proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("autosave_writer.py")),
                str(workspace),
                str(ready),
            ],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while not ready.exists():
                assert proc.poll() is None, "the writer died before it wrote anything"
                assert time.monotonic() < deadline
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.2))  # somewhere in a write, most likely
            os.killpg(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=10)
        doc = json.loads(draft.read_text(encoding="utf-8"))
        strategy = doc["cycle"]["strategy"]
        assert strategy in {("old " * 20000).strip(), ("new " * 20000).strip()}
        assert doc["cycle"]["objectives"][0]["title"] == "Make winter bookable"
    leftovers = [p.name for p in draft.parent.iterdir() if p.name != draft.name]
    # a killed writer may leave its temp file; it never replaces the draft and is git-ignored
    assert all(name.endswith(".tmp") for name in leftovers)

"""One writer at a time: a second writer waits, then gives up naming the holder."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from coach.errors import LockTimeout
from coach.locking import workspace_lock


def test_second_writer_times_out_and_says_who_holds_the_lock(tmp_path: Path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom coach.locking import workspace_lock\n"
            f"with workspace_lock({str(tmp_path)!r}):\n    print('held', flush=True)\n    time.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        with pytest.raises(LockTimeout) as exc, workspace_lock(tmp_path, timeout=0.5):
            pass
        assert time.monotonic() - start < 5
        assert f"pid {holder.pid}" in str(exc.value) and "busy" in str(exc.value)
    finally:
        holder.kill()
        holder.wait()
    with workspace_lock(tmp_path, timeout=2):  # released when the holder died
        pass

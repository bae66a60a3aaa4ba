"""One writer at a time per workspace: a file lock that says who holds it when we give up."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from coach.errors import LockTimeout, WriteError

LOCK_NAME = ".okr-coach.lock"
DEFAULT_WAIT_S = 10.0


@contextlib.contextmanager
def workspace_lock(workspace: str | Path, timeout: float = DEFAULT_WAIT_S) -> Iterator[None]:
    """Hold the workspace write lock; wait up to ``timeout`` seconds, then raise LockTimeout."""
    from filelock import FileLock, Timeout

    ws = Path(workspace)
    lock_path = ws / LOCK_NAME
    lock = FileLock(str(lock_path))
    holder = ws / (LOCK_NAME + ".holder")
    try:
        ws.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=timeout)
    except Timeout:
        who = "another okr-coach process"
        with contextlib.suppress(OSError, ValueError):
            info = json.loads(holder.read_text(encoding="utf-8"))
            who = f"pid {info['pid']} on {info['host']} ({info['command']}, since {info['since']})"
        raise LockTimeout(
            f"the workspace {ws} is busy: {who} is writing to it; waited {timeout:g} s. "
            "Try again when it has finished."
        ) from None
    except OSError as e:  # read-only or full workspace (after Timeout, itself an OSError)
        raise WriteError(
            f"{lock_path}: cannot take the workspace lock ({e.strerror or e}); "
            "nothing was changed",
            str(lock_path),
            e.errno,
        ) from None
    try:
        with contextlib.suppress(OSError):
            holder.write_text(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "host": socket.gethostname(),
                        "command": " ".join(sys.argv[:2]) or "okr-coach",
                        "since": time.strftime("%H:%M:%S"),
                    }
                ),
                encoding="utf-8",
            )
        yield
    finally:
        with contextlib.suppress(OSError):
            holder.unlink()
        lock.release()

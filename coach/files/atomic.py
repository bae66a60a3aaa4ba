"""Atomic writes: a temp file in the same folder, fsync, then rename. Never a half-written file.

A write that fails (disk full, read-only or immutable file or folder) raises ``WriteError``
naming the file; an existing file is left as it was. Temp files left by a writer that was killed are
removed by the next write to the same file (only our own ``.<name>.XXXXXXXX.tmp`` files, and
only when no live writer holds them).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
from pathlib import Path

from coach.errors import WriteError

try:  # a live writer holds an exclusive lock on its temp file; absent on Windows
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms we test
    fcntl = None  # type: ignore[assignment]

# Younger temp files are left alone: a writer may be between creating and locking its file.
# Without fcntl a live writer cannot be told from a dead one, so only old files go.
STALE_AGE_S = 2.0 if fcntl is not None else 600.0

_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted: the file or its folder may be immutable or read-only",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
}


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _temp_pattern(target: Path) -> re.Pattern[str]:
    # mkstemp's random part is 8 characters of [a-z0-9_]
    return re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")


def remove_stale_temps(target: Path) -> int:
    """Delete temp files an interrupted write of ``target`` left behind; return how many."""
    pattern, removed, now = _temp_pattern(target), 0, time.time()
    try:
        candidates = [p for p in target.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return 0
    for p in candidates:
        with contextlib.suppress(OSError):
            if now - p.lstat().st_mtime < STALE_AGE_S or not p.is_file() or p.is_symlink():
                continue
            if fcntl is not None:
                fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # OSError: a writer is alive
                    p.unlink()
                finally:
                    os.close(fd)
            else:
                p.unlink()
            removed += 1
    return removed


def _write_error(target: Path, e: OSError) -> WriteError:
    reason = _REASONS.get(e.errno or 0) or e.strerror or str(e)
    return WriteError(f"{target}: cannot write ({reason}); nothing was changed", str(target))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, mode: int | None = None) -> None:
    """``mode`` (e.g. 0o600 for a private file) is set before the rename, never after."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise _write_error(target, e) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # "alive" for remove_stale_temps
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            # mkstemp creates 0600; keep the old file's mode, or give a new file the umask mode
            with contextlib.suppress(OSError):
                if mode is None:
                    mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
                os.chmod(tmp, mode)
            os.replace(tmp, target)  # still locked: the rename happens while we hold the file
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, WriteError):
            raise _write_error(target, e) from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def atomic_write_text(path: str | os.PathLike[str], text: str, mode: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)

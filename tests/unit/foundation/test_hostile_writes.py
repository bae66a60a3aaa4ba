"""Writes that cannot happen: immutable or read-only targets, a full disk, leftover temp files.

Each failing write is one line on stderr naming the file, exit 2, and the user's file intact.
The immutable and full-disk cases are real (chattr +i, a small tmpfs; both need root, which
these machines and CI have) and are skipped where the system refuses; the injected-OSError
tests run everywhere and cover the same code paths.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.errors import WriteError
from coach.files import atomic
from coach.files.atomic import atomic_write_text, remove_stale_temps
from coach.workspace import copy_demo

CHECKIN = ("checkin", "--kr", "o1.kr3", "--value", "41")


def _one_line_error(err: str, path: Path) -> None:
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and str(path) in lines[0], err
    assert "Traceback" not in err


@contextlib.contextmanager
def _immutable(path: Path) -> Iterator[None]:
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not possible here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (a real ENOSPC); skipped where mounting is not allowed."""
    mnt = tmp_path / "fs"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path) -> None:
    """Write until the file system is full."""
    with open(folder / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC
    with contextlib.suppress(OSError), open(folder / "filler2", "wb") as fh:  # the last blocks
        while True:
            fh.write(b"\0" * 512)
            fh.flush()


def test_checkin_on_an_immutable_cycle_file(demo_workspace: Path, run_cli) -> None:
    path = demo_workspace / "cycles" / "2026-Q4.yaml"
    before = path.read_bytes()
    with _immutable(path):
        code, out, err = run_cli(*CHECKIN, "--workspace", str(demo_workspace))
    assert code == 2 and "recorded" not in out
    _one_line_error(err, path)
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_export_into_an_immutable_folder(demo_workspace: Path, tmp_path: Path, run_cli) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "okrs.json"
    with _immutable(out_dir):
        code, _, err = run_cli(
            "export", "--workspace", str(demo_workspace), "--cycle", "2026-Q4", "-o", str(target)
        )
    assert code == 2 and "not permitted" in err
    _one_line_error(err, target)
    assert not target.exists()


def test_a_full_disk_on_checkin_export_and_report(tiny_fs: Path, run_cli) -> None:
    ws = copy_demo(tiny_fs / "ws").root
    path = ws / "cycles" / "2026-Q4.yaml"
    before = path.read_bytes()
    _fill(tiny_fs)
    code, _, err = run_cli(*CHECKIN, "--workspace", str(ws))
    assert code == 2 and "the disk is full" in err
    _one_line_error(err, path)
    assert path.read_bytes() == before
    for argv, target in (
        (("export", "--cycle", "2026-Q4", "-o"), tiny_fs / "okrs.json"),
        (("report", "--cycle", "2026-Q4", "-o"), tiny_fs / "report.html"),
    ):
        code, _, err = run_cli(*argv, str(target), "--workspace", str(ws))
        assert code == 2 and "the disk is full" in err, (argv, err)
        _one_line_error(err, target)
        assert not target.exists()
    leftovers = [p for p in tiny_fs.rglob("*.tmp")]
    assert leftovers == []


def test_a_read_only_workspace(tiny_fs: Path, run_cli) -> None:
    ws = copy_demo(tiny_fs / "ws").root
    path = ws / "cycles" / "2026-Q4.yaml"
    before = path.read_bytes()
    done = subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=False)
    if done.returncode != 0:
        pytest.skip("cannot remount read-only here")
    code, _, err = run_cli(*CHECKIN, "--workspace", str(ws))
    assert code == 2 and "read-only" in err.lower()
    _one_line_error(err, ws / ".okr-coach.lock")
    assert path.read_bytes() == before


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_disk_full_injected_at_fsync_or_rename(
    demo_workspace: Path, run_cli, monkeypatch, where: str
) -> None:
    """Runs everywhere: ENOSPC raised where a full disk shows on file systems that allocate late."""
    path = demo_workspace / "cycles" / "2026-Q4.yaml"
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, where, full)
    code, _, err = run_cli(*CHECKIN, "--workspace", str(demo_workspace))
    monkeypatch.undo()
    assert code == 2 and "the disk is full" in err
    _one_line_error(err, path)
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_write_error_is_still_an_oserror_for_callers_that_tolerate_failed_writes(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(
        atomic.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(errno.EROFS, "ro"))
    )
    with pytest.raises(OSError) as info:
        atomic_write_text(tmp_path / "a.txt", "x")
    assert isinstance(info.value, WriteError) and info.value.exit_code == 2
    assert (
        str(info.value) == f"{tmp_path / 'a.txt'}: cannot write (the file system is read-only);"
        " nothing was changed"
    )


# ---------------------------------------------------------------------- leftover temp files


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_leftover_temp_files_are_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "2026-Q2.yaml"
    target.write_text("old\n", encoding="utf-8")
    stale = tmp_path / ".2026-Q2.yaml.k3j_x9a2.tmp"  # what a writer killed mid-write leaves
    stale.write_text("half", encoding="utf-8")
    _age(stale, 60)
    fresh = tmp_path / ".2026-Q2.yaml.abcd1234.tmp"  # a writer may be creating this right now
    fresh.write_text("half", encoding="utf-8")
    mine = [  # never ours to delete: other names, the user's files
        tmp_path / ".2026-Q2.yaml.tmp",
        tmp_path / "2026-Q2.yaml.abcd1234.tmp",
        tmp_path / ".other.yaml.abcd1234.tmp",
        tmp_path / ".2026-Q2.yaml.ABCD1234.tmp",
    ]
    for p in mine:
        p.write_text("keep", encoding="utf-8")
        _age(p, 3600)
    atomic_write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert not stale.exists() and fresh.exists()
    assert all(p.exists() for p in mine)


def test_a_temp_file_held_by_a_live_writer_is_left_alone(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    target = tmp_path / "cycle.yaml"
    live = tmp_path / ".cycle.yaml.live0001.tmp"
    live.write_text("in progress", encoding="utf-8")
    _age(live, 60)
    with open(live, "rb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        assert remove_stale_temps(target) == 0
        assert live.exists()
    assert remove_stale_temps(target) == 1 and not live.exists()


def test_a_killed_writer_leaves_a_temp_file_that_the_next_checkin_removes(
    demo_workspace: Path, run_cli
) -> None:
    """kill -9 between the temp file and the rename, for real, then an ordinary check-in."""
    import sys
    import textwrap

    path = demo_workspace / "cycles" / "2026-Q4.yaml"
    script = textwrap.dedent(
        f"""
        import os, signal
        from coach.files import atomic
        def die(*a):
            os.kill(os.getpid(), signal.SIGKILL)
        atomic.os.replace = die
        atomic.atomic_write_text({str(path)!r}, "half written")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert done.returncode == -9
    leftovers = [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1
    _age(leftovers[0], 60)
    code, _, err = run_cli(*CHECKIN, "--workspace", str(demo_workspace))
    assert code == 0, err
    assert not leftovers[0].exists()

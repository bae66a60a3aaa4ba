"""Every file under tests/hostile/** through the real CLI: no crash, no hang, no traceback, and
a refusal is one line on stderr that names the file (exit 2).

Committed files are picked up by extension (OKR formats get check, check from stdin, import,
score and export; files memory would ingest also go through the ingest reader). Special files
that cannot be committed (FIFO, sockets, device symlinks, megabyte nesting) are made at test
time and each run in its own ``python -m coach`` process.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "hostile"
DRIVER = Path(__file__).with_name("hostile_driver.py")
BOUND_S = 20
EXIT_CODES = {0, 1, 2}


def corpus_files() -> list[Path]:
    return sorted(p for p in HOSTILE.rglob("*") if p.is_file() and not p.name.startswith("."))


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["OKR_COACH_HOME"] = str(tmp_path / "home-ws")
    env["PYTHONPATH"] = str(ROOT)
    env.pop("PYTHONWARNINGS", None)
    return env


def _problems(result: dict, shown: str) -> list[str]:
    """What is wrong with one command's result (empty when it behaved)."""
    out = result["stdout"] + result["stderr"]
    problems = []
    if result["rc"] not in EXIT_CODES:
        problems.append(f"exit {result['rc']}")
    if "Traceback" in out:
        problems.append("traceback")
    if result["seconds"] > BOUND_S:
        problems.append(f"took {result['seconds']} s")
    if result["rc"] == 2:
        lines = [ln for ln in result["stderr"].splitlines() if ln.strip()]
        if len(lines) != 1:
            problems.append(f"{len(lines)} stderr lines, not 1")
        elif shown not in lines[0]:
            problems.append(f"stderr does not name {shown}")
    return problems


def test_corpus_is_big_enough():
    files = corpus_files()
    assert len(files) >= 60
    assert {p.parent.name for p in files} >= {"yaml", "json", "markdown", "csv"}


def test_every_corpus_file_ends_cleanly(tmp_path: Path):
    files = [str(p) for p in corpus_files()]
    halves = [files[0::2], files[1::2]]  # two processes for two cores
    procs = [
        subprocess.Popen(
            [sys.executable, str(DRIVER), str(tmp_path), *half],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp_path),
            cwd=tmp_path,
        )
        for half in halves
    ]
    failures: list[str] = []
    seen = 0
    for proc, half in zip(procs, halves, strict=True):
        out, err = proc.communicate(timeout=BOUND_S * 10)
        records = [json.loads(ln) for ln in out.splitlines() if ln.startswith("{")]
        done = [r for r in records if "rc" in r]
        if proc.returncode != 0:
            last = records[-1] if records else {"file": half[0], "command": "start"}
            failures.append(
                f"driver died (exit {proc.returncode}) at {last['file']} {last['command']}: "
                f"{err[-800:]}"
            )
        for r in done:
            shown = "<stdin>" if r["command"].startswith("check-stdin") else r["file"]
            if problems := _problems(r, shown):
                detail = (r["stdout"] + r["stderr"])[-600:]
                failures.append(f"{r['file']} [{r['command']}]: {', '.join(problems)}\n{detail}")
        seen += len({r["file"] for r in done})
    assert not failures, "\n\n".join(failures)
    assert seen == len(files)


# ------------------------------------------------------------------ special files, made here


def _deep_yaml(n: int) -> str:
    return "objectives: " + "[" * n + "]" * n + "\n"


@pytest.fixture
def special_files(tmp_path: Path) -> dict[str, Path]:
    """Files that cannot live in git or would weigh megabytes there."""
    d = tmp_path / "special"
    d.mkdir()
    files: dict[str, Path] = {}

    def add(name: str, text: str | bytes) -> None:
        p = d / name
        p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        files[name] = p

    fifo = d / "fifo.yaml"
    os.mkfifo(fifo)
    files["fifo.yaml"] = fifo
    for name, target in {
        "zero.yaml": "/dev/zero",
        "urandom.json": "/dev/urandom",
        "null.md": "/dev/null",
        "dangling.yaml": str(d / "missing.yaml"),
    }.items():
        (d / name).symlink_to(target)
        files[name] = d / name
    (d / "loop.yaml").symlink_to(d / "loop.yaml")
    files["loop.yaml"] = d / "loop.yaml"
    (d / "folder.yaml").mkdir()
    files["folder.yaml"] = d / "folder.yaml"
    sock_path = d / "socket.yaml"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    files["socket.yaml"] = sock_path
    add("deep_100k.yaml", _deep_yaml(100_000))
    add("deep_1000.yaml", _deep_yaml(1_000))
    add("deep_block_3000.yaml", "".join(" " * i + "a:\n" for i in range(3000)))
    add("deep_100k.json", '{"objectives": ' + "[" * 100_000 + "]" * 100_000 + "}")
    add("huge_6mb.yaml", "objectives: []\n" + "# padding\n" * 600_000)
    add("giant_line.yaml", "objectives: []\nx: " + "y" * 3_000_000 + "\n")
    big_field = "x" * 200_000
    add("huge_field.csv", f"objective,key_result\nWin,{big_field}\n")
    add("huge_int.json", '{"objectives": [], "n": ' + "1" * 5000 + "}")
    add(
        "alias_billion.yaml",
        "a: &a ["
        + ", ".join(["x"] * 50)
        + "]\n"
        + "".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 50)}]\n"
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        )
        + "objectives: *h\n",
    )
    yield files
    sock.close()


def _run(args: list[str], env: dict[str, str], stdin: object = subprocess.DEVNULL) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "coach", *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=BOUND_S,
        env=env,
    )
    return {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr, "seconds": 0}


def test_special_files_are_refused_in_one_line(special_files: dict[str, Path], tmp_path: Path):
    env = _env(tmp_path)
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "coach", "check", str(p)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name, p in special_files.items()
    }
    failures = []
    for name, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=BOUND_S * 3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            failures.append(f"{name}: hang")
            continue
        r = {"rc": proc.returncode, "stdout": out, "stderr": err, "seconds": 0}
        if problems := _problems(r, str(special_files[name])):
            failures.append(f"{name}: {', '.join(problems)}\n{(out + err)[-600:]}")
        elif proc.returncode != 2:
            failures.append(f"{name}: exit {proc.returncode}, expected a refusal (2)")
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(
    "args",
    [["check", "-"], ["draft", "--strategy", "-"], ["import", "-", "--cycle", "2026-Q1"]],
    ids=["check", "draft", "import"],
)
def test_endless_stdin_is_refused(args: list[str], tmp_path: Path):
    with open("/dev/zero", "rb") as zero:
        r = _run(args, _env(tmp_path), stdin=zero)
    assert r["rc"] == 2, r
    assert _problems(r, "<stdin>") == []
    assert "limit" in r["stderr"]


def test_a_strategy_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "strategy.md"
    os.mkfifo(fifo)
    r = _run(["draft", "--strategy", str(fifo)], _env(tmp_path))
    assert r["rc"] == 2
    assert _problems(r, str(fifo)) == []
    assert "pipe" in r["stderr"]

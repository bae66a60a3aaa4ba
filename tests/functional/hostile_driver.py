"""Run the real CLI over many hostile files in one process (tests/functional/test_hostile_corpus.py).

Starting Python once per file and command would cost minutes; this driver imports the CLI once
and calls ``coach.cli.main`` for each command with its own stdin, stdout and stderr, and an
alarm as the per-command bound. It prints one JSON line per command, flushed before the next
starts, so a crash (which would end this process) still names the file that caused it.

Usage: python hostile_driver.py WORKDIR FILE...
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import time
import traceback
from pathlib import Path

BOUND_S = 20
OKR_EXTENSIONS = {".yaml", ".yml", ".json", ".md", ".markdown", ".csv"}


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def commands_for(path: Path, work: Path) -> list[tuple[str, list[str], bytes | None]]:
    """(label, argv, stdin bytes) for every CLI command that reads this kind of file."""
    f = str(path)
    if path.suffix.lower() not in OKR_EXTENSIONS:
        return [("check", ["check", f], None)]
    ws = str(work / f"ws-{path.parent.name}-{path.name}")
    fmt = {".yml": "yaml", ".markdown": "md"}.get(path.suffix.lower(), path.suffix.lower()[1:])
    return [
        ("check", ["check", f], None),
        ("check-stdin", ["check", "-"], path.read_bytes()),
        ("check-stdin-format", ["check", "--input-format", fmt, "-"], path.read_bytes()),
        ("import", ["--workspace", ws, "import", f, "--cycle", "2026-Q1", "--force"], None),
        ("score", ["--workspace", ws, "score", f, "--no-calibration"], None),
        ("export", ["export", "--file", f, "--format", "json"], None),
    ]


def run_cli(argv: list[str], stdin: bytes | None) -> dict[str, object]:
    from coach.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin or b""))
    start = time.perf_counter()
    signal.alarm(BOUND_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc: object = main(argv)
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else 2
    except Hang:
        rc = "hang"
    except BaseException:  # reported, not raised: the test names the file and the traceback
        rc = "exception"
        err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
        sys.stdin = old_stdin
    return {
        "rc": rc,
        "stdout": out.getvalue()[-4000:],
        "stderr": err.getvalue()[-4000:],
        "seconds": round(time.perf_counter() - start, 3),
    }


def read_as_document(path: Path) -> dict[str, object]:
    """The ingest reader for files memory would take in (office, PDF, text, Markdown, CSV)."""
    from coach.errors import InputError
    from coach.ingest import read_document

    start = time.perf_counter()
    signal.alarm(BOUND_S)
    try:
        read_document(path)
        rc: object = 0
        err = ""
    except InputError as e:
        rc, err = 2, str(e)
    except Hang:
        rc, err = "hang", ""
    except BaseException:
        rc, err = "exception", traceback.format_exc()
    finally:
        signal.alarm(0)
    return {"rc": rc, "stdout": "", "stderr": err, "seconds": round(time.perf_counter() - start, 3)}


def main(argv: list[str]) -> int:
    from coach.ingest import SUPPORTED_EXTENSIONS

    signal.signal(signal.SIGALRM, _alarm)
    work = Path(argv[0])
    for name in argv[1:]:
        path = Path(name)
        for label, args, stdin in commands_for(path, work):
            print(json.dumps({"file": name, "command": label, "started": True}), flush=True)
            result = run_cli(args, stdin)
            print(json.dumps({"file": name, "command": label, **result}), flush=True)
        if path.suffix.lower() in SUPPORTED_EXTENSIONS:
            print(json.dumps({"file": name, "command": "ingest-read", "started": True}), flush=True)
            result = read_as_document(path)
            print(json.dumps({"file": name, "command": "ingest-read", **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

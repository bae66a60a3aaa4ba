"""How long the input gate takes to refuse each class of hostile input, and what its checks
cost on a good file.

Each refusal is timed in-process through ``read_okr_file`` (the path every command takes),
median over N runs; the process start of the CLI (~0.3 s, see bench_startup) comes on top.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.errors import InputError  # noqa: E402
from coach.files import dumps, read_okr_file  # noqa: E402
from coach.files.gate import check_json_depth, check_yaml_depth  # noqa: E402
from coach.files.yaml_io import _Loader  # noqa: E402

RUNS = 11


class _Endless(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        b[:] = b"\0" * len(b)
        return len(b)


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def refusal(path: str | Path) -> Callable[[], None]:
    def run() -> None:
        try:
            read_okr_file(path)
        except InputError:
            return
        raise AssertionError(f"{path} was not refused")

    return run


def endless_stdin() -> None:
    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BufferedReader(_Endless()))
    try:
        refusal("-")()
    finally:
        sys.stdin = old


def main() -> int:
    d = Path(tempfile.mkdtemp(prefix="bench-refuse-"))

    def write(name: str, text: str) -> Path:
        p = d / name
        p.write_text(text, encoding="utf-8")
        return p

    fifo = d / "fifo.yaml"
    os.mkfifo(fifo)
    zero = d / "zero.yaml"
    zero.symlink_to("/dev/zero")
    huge = d / "huge.yaml"
    with huge.open("wb") as fh:
        fh.truncate(6 * 1024 * 1024)
    cases: list[tuple[str, Callable[[], None]]] = [
        ("YAML flow nested 100,000 deep", refusal(write("d.yaml", "a: " + "[" * 100_000))),
        ("YAML flow nested 1,000 deep", refusal(write("d1k.yaml", "a: " + "[" * 1000))),
        ("YAML alias chain 200 deep", refusal(ROOT / "tests/hostile/yaml/alias_chain_deep.yaml")),
        ("JSON nested 100,000 deep", refusal(write("d.json", "[" * 100_000 + "]" * 100_000))),
        ("FIFO", refusal(fifo)),
        ("symlink to /dev/zero", refusal(zero)),
        ("stdin from an endless stream (5 MB cap)", endless_stdin),
        ("6 MB file (size cap)", refusal(huge)),
        ("CSV field of 200 kB", refusal(write("f.csv", "objective,kr\nWin," + "x" * 200_000))),
        ("JSON integer of 5,000 digits", refusal(write("n.json", '{"n": ' + "9" * 5000 + "}"))),
        ("YAML integer of 5,000 digits", refusal(write("n.yaml", "n: " + "9" * 5000 + "\n"))),
        (
            "JSON duplicate key after 1 MB",
            refusal(write("dup.json", '{"x": "' + "y" * 1_000_000 + '", "x": 1}')),
        ),
    ]
    print(f"refusal, median of {RUNS} runs in-process (ms):")
    for label, fn in cases:
        print(f"  {label:<42} {median_ms(fn):8.2f}")
    print("the same through the CLI, `python -m coach check FILE`, process start included (ms):")
    for label, path in [("FIFO", fifo), ("YAML nested 100,000 deep", d / "d.yaml")]:
        argv = [sys.executable, "-m", "coach", "check", str(path)]
        cli = median_ms(lambda a=argv: subprocess.run(a, capture_output=True, cwd=ROOT), runs=5)
        print(f"  {label:<42} {cli:8.2f}")

    from bench_files import big_cycle  # the 25-objective x 5-KR cycle with check-ins

    cycle = big_cycle()
    yaml_text, json_text = dumps(cycle, "yaml"), dumps(cycle, "json")
    good_yaml, good_json = write("good.yaml", yaml_text), write("good.json", json_text)
    anchored = yaml_text + "anchor: &a x\n"  # an anchor: no cheap bound, the event scan runs
    costs: list[tuple[str, Callable[[], object]]] = [
        ("YAML depth check (cheap bound)", lambda: check_yaml_depth(yaml_text, "x", _Loader)),
        (
            "YAML depth check (event scan, an anchor)",
            lambda: check_yaml_depth(anchored, "x", _Loader),
        ),
        ("YAML whole read (read_okr_file)", lambda: read_okr_file(good_yaml)),
        ("JSON depth check (flat scan)", lambda: check_json_depth(json_text, "x")),
        ("JSON whole read (read_okr_file)", lambda: read_okr_file(good_json)),
    ]
    print(f"cost of the checks on a good {len(yaml_text) // 1024} KB YAML / JSON cycle (ms):")
    for label, fn in costs:
        print(f"  {label:<42} {median_ms(fn):8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

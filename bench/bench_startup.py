"""Start-up cost: importing coach, building the CLI parser, `okr-coach --version`.

Each measured in fresh interpreters (median of N runs) against a bare `python -c pass`
baseline in the same run, so the ratio shows what okr-coach itself adds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 9
CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "import coach (all modules of the core)": [
        sys.executable,
        "-c",
        "import pkgutil, importlib, coach\n"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(coach.__path__, 'coach.')"
        " if not m.name.endswith('__main__')]",
    ],
    "okr-coach --version": [sys.executable, "-m", "coach", "--version"],
    "okr-coach --help": [sys.executable, "-m", "coach", "--help"],
}


def median_seconds(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    base = None
    print(f"{'case':<42} {'median':>9} {'x baseline':>11}   (runs={RUNS})")
    for name, cmd in CASES.items():
        m = median_seconds(cmd)
        base = base or m
        print(f"{name:<42} {m * 1000:>7.0f}ms {m / base:>10.1f}x")


if __name__ == "__main__":
    main()

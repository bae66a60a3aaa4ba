"""Hostile input: how long a long or large input takes to check, and a bad one to be refused.

Cases (median of --repeat runs, each in a child process with a time limit, so a quadratic path
reports "> limit" instead of hanging the bench):
  - a 1 MB objective title that is one word (the shape that made the language detector
    backtrack), and 10/20/40 kB of the same (to show the growth on old code);
  - a 1 MB KR text through check_kr_text;
  - 10,000 objectives of 2 KRs each through check_cycle (OKR015 used to compare every pair);
  - refusing a cycle file with a NaN target, a path as cycle id, a write to a full disk.

Run: .venv/bin/python bench/bench_hostile.py            (or `make bench`)
Before/after: export another revision and point the bench at it, e.g.
  git archive main | tar -x -C /tmp/main-src
  BENCH_CODE_ROOT=/tmp/main-src .venv/bin/python bench/bench_hostile.py --limit 120
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = os.environ.get("BENCH_CODE_ROOT") or str(Path(__file__).resolve().parents[1])
sys.path.insert(0, ROOT)


def _title_cycle(n: int):
    from coach.models import Cycle, KeyResult, Objective

    return Cycle(
        objectives=[
            Objective(title="a" * n, key_results=[KeyResult(text="Raise NPS from 20 to 40")])
        ]
    )


def _many_objectives(n: int):
    from coach.models import Cycle, KeyResult, Objective

    return Cycle(
        objectives=[
            Objective(
                id=f"o{i}",
                title=f"Make winter season {i} a time guests plan for",
                key_results=[
                    KeyResult(text=f"Raise bookings for cabin group {i} from {i} to {2 * i + 10}"),
                    KeyResult(text=f"Cut support wait time in region {i} from 30 to 10 minutes"),
                ],
            )
            for i in range(n)
        ]
    )


def case_title(n: int) -> None:
    from coach.engine import check_cycle

    check_cycle(_title_cycle(n))


def case_kr(n: int) -> None:
    from coach.engine import check_kr_text

    check_kr_text(("Raise NPS from 20 to 40 by Q3 " * (n // 30 + 1))[:n])


def case_objectives(n: int) -> None:
    from coach.engine import check_cycle

    check_cycle(_many_objectives(n))


def case_refuse_nan(_: int) -> None:
    import tempfile

    from coach.errors import InputError
    from coach.files import read_okr_file

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "okrs.yaml"
        p.write_text(
            "cycle: 2026-Q2\nobjectives:\n  - title: Guests\n    key_results:\n"
            "      - text: Raise NPS to 40\n        target: .nan\n",
            encoding="utf-8",
        )
        try:
            read_okr_file(p)
        except InputError:
            return
        raise SystemExit("a NaN target was accepted")


def case_refuse_cycle_id(_: int) -> None:
    import tempfile

    from coach.errors import InputError
    from coach.workspace import Workspace

    with tempfile.TemporaryDirectory() as d:
        try:
            Workspace(Path(d)).cycle_path("../../x")
        except InputError:
            return
        raise SystemExit("a path was accepted as cycle id")


def case_refuse_full_disk(_: int) -> None:
    import errno
    import tempfile

    from coach.files import atomic

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    atomic.os.fsync = full  # a child process: the patch dies with it
    with tempfile.TemporaryDirectory() as d:
        try:
            atomic.atomic_write_text(Path(d) / "c.yaml", "x" * 100_000)
        except OSError as e:
            if "Errno" in str(e):
                raise SystemExit(f"not a one-line error: {e}") from None
            return
        raise SystemExit("the write did not fail")


CASES = {
    "title": case_title,
    "kr": case_kr,
    "objectives": case_objectives,
    "refuse_nan": case_refuse_nan,
    "refuse_cycle_id": case_refuse_cycle_id,
    "refuse_full_disk": case_refuse_full_disk,
}


def _child(name: str, n: int, q: mp.Queue) -> None:
    sys.path.insert(0, ROOT)
    # warm up imports and lexicon caches on a tiny input: time the work, not the first import
    CASES[name](10)
    t0 = time.perf_counter()
    CASES[name](n)
    q.put(time.perf_counter() - t0)


def measure(name: str, n: int, repeat: int, limit: float) -> str:
    times = []
    for _ in range(repeat):
        q: mp.Queue = mp.Queue()
        p = mp.Process(target=_child, args=(name, n, q))
        p.start()
        p.join(limit)
        if p.is_alive():
            p.kill()
            p.join()
            return f"> {limit:g} s (stopped)"
        if p.exitcode != 0:
            return f"failed (exit {p.exitcode})"
        times.append(q.get())
    med = statistics.median(times)
    return f"{med:.3f} s" if med >= 0.01 else f"{med * 1000:.2f} ms"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=float, default=300.0, help="seconds per run before stopping")
    ap.add_argument("--objectives", type=int, default=10_000)
    args = ap.parse_args(argv)
    print(f"code: {ROOT}")
    rows = [
        ("objective title, one 10 kB word", "title", 10_000, args.repeat),
        ("objective title, one 20 kB word", "title", 20_000, args.repeat),
        ("objective title, one 40 kB word", "title", 40_000, args.repeat),
        ("objective title, one 1 MB word", "title", 1_000_000, args.repeat),
        ("KR text of 1 MB (check_kr_text)", "kr", 1_000_000, args.repeat),
        (f"{args.objectives:,} objectives x 2 KRs (check_cycle)", "objectives", args.objectives, 1),
        ("refuse a NaN target (read_okr_file)", "refuse_nan", 0, args.repeat),
        ("refuse '../../x' as cycle id", "refuse_cycle_id", 0, args.repeat),
        ("refuse a 100 kB write on a full disk", "refuse_full_disk", 0, args.repeat),
    ]
    for label, name, n, repeat in rows:
        print(f"{label:<48} {measure(name, n, repeat, args.limit)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

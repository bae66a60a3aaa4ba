"""Lifecycle costs: scoring a cycle, recording a check-in, rendering reports.

A busy cycle (5 objectives x 5 KRs x 13 weekly check-ins) is written to a temp workspace;
each case is the median of N runs against reading that cycle file (the baseline every command
pays), measured in the same run, so the ratio shows what the lifecycle itself adds.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

RUNS = 7


def busy_cycle():
    from coach.models import CheckIn, Cycle, KeyResult, Objective

    objectives = []
    for o in range(1, 6):
        krs = []
        for k in range(1, 6):
            checkins = [
                CheckIn(
                    date=date(2026, 1, 2) + timedelta(weeks=w),
                    value=10 + w * (k + 1) * 0.5,
                    confidence=0.6,
                    note=f"week {w + 1}: steady progress on the onboarding funnel",
                )
                for w in range(13)
            ]
            krs.append(
                KeyResult(
                    id=f"o{o}.kr{k}",
                    text=f"Raise metric {o}.{k} from 10 to {10 + 8 * (k + 1)}",
                    baseline=10,
                    target=10 + 8 * (k + 1),
                    direction="up",
                    kind="aspirational" if k % 2 else "committed",
                    checkins=checkins,
                )
            )
        objectives.append(Objective(id=f"o{o}", title=f"Objective {o}", key_results=krs))
    return Cycle(
        cycle="2026-Q1",
        status="active",
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        team="Bench",
        objectives=objectives,
    )


def median(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    from coach.files import read_okr_file, write_okr_file
    from coach.lifecycle import add_checkin
    from coach.report import render_report
    from coach.scoring import calibrate, score_cycle
    from coach.workspace import init_workspace

    ws = init_workspace(Path(tempfile.mkdtemp(prefix="okr-bench-")) / "ws")
    cycle = busy_cycle()
    path = ws.cycle_path("2026-Q1")
    write_okr_file(path, cycle)
    loaded = read_okr_file(path).cycle
    render_report(loaded, "html")  # first call pays the matplotlib import; not measured below

    days = iter(range(10_000))
    cases: list[tuple[str, Callable[[], object]]] = [
        ("read cycle file (baseline)", lambda: read_okr_file(path)),
        ("score_cycle (25 KRs, 325 check-ins)", lambda: score_cycle(loaded)),
        ("calibrate over 4 cycles", lambda: calibrate([loaded] * 4)),
        (
            "checkin (lock + read + write)",
            lambda: add_checkin(
                ws, "2026-Q1", "o1.kr1", value=20, day=date(2026, 3, 1) + timedelta(next(days) % 30)
            ),
        ),
        ("report md, no charts", lambda: render_report(loaded, "md")),
        ("report html, 27 SVG charts", lambda: render_report(loaded, "html")),
    ]
    print(f"{'case':<40} {'median':>10} {'x baseline':>11}   (runs={RUNS})")
    base = None
    for name, fn in cases:
        runs = 3 if "html" in name else RUNS
        m = median(fn, runs)
        base = base or m
        print(f"{name:<40} {m * 1000:>8.1f}ms {m / base:>10.3f}x")


if __name__ == "__main__":
    main()

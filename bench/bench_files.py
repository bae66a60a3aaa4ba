"""Reading and writing cycle files: YAML (libyaml nodes + validation), JSON, Markdown, CSV.

Median over N runs for the busiest demo cycle and for a generated 25-objective x 5-KR cycle
with weekly check-ins, against plain `json.loads` of the same data as the baseline.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.files import dumps, read_okr_file, write_okr_file  # noqa: E402
from coach.models import Cycle, assign_ids  # noqa: E402

RUNS = 21


def big_cycle() -> Cycle:
    objectives = []
    for o in range(25):
        krs = []
        for k in range(5):
            checkins = [
                {
                    "date": f"2026-{1 + w // 4:02d}-{1 + (w % 4) * 7:02d}",
                    "value": 10 + w,
                    "confidence": 0.6,
                    "note": f"week {w}: steady progress on the funnel",
                }
                for w in range(12)
            ]
            krs.append(
                {
                    "text": f"Raise metric {o}.{k} from 10 to 40 by 2026-03-31",
                    "baseline": 10,
                    "target": 40,
                    "owner": "Åsa",
                    "checkins": checkins,
                }
            )
        objectives.append(
            {"title": f"Objective {o}: customers love onboarding", "key_results": krs}
        )
    return assign_ids(Cycle.model_validate({"cycle": "2026-Q1", "objectives": objectives}))


def median_ms(fn) -> float:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    cases = {
        "demo 2026-Q3": read_okr_file(ROOT / "coach/demo/cycles/2026-Q3.yaml").cycle,
        "125 KRs x 12 check-ins": big_cycle(),
    }
    print(f"{'cycle':<24} {'operation':<18} {'median':>9} {'x json.loads':>13}   (runs={RUNS})")
    for name, cycle in cases.items():
        as_json = dumps(cycle, "json")
        base = median_ms(lambda s=as_json: json.loads(s))
        print(f"{name:<24} {'json.loads (base)':<18} {base:>7.2f}ms {1.0:>12.1f}x")
        for fmt in ("yaml", "json", "md", "csv"):
            path = tmp / f"c.{fmt}"
            write_okr_file(path, cycle)
            r = median_ms(lambda p=path: read_okr_file(p))
            w = median_ms(lambda p=path, c=cycle: write_okr_file(p, c))
            print(f"{name:<24} {'read ' + fmt:<18} {r:>7.2f}ms {r / base:>12.1f}x")
            print(f"{name:<24} {'write ' + fmt:<18} {w:>7.2f}ms {w / base:>12.1f}x")


if __name__ == "__main__":
    main()

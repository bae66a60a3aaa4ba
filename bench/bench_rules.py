"""Rule-check speed: 10,000 generated KRs (English and Swedish) through ``check_kr_text``.

Reports the median time per KR (each KR timed on its own) and the throughput of whole passes,
against a baseline measured in the same run: one plain regex pass over the same texts (a
number search plus a verb lookup). Target: <= 0.2 ms per KR. Also times ``check_cycle`` on a
20-KR cycle.

Run: .venv/bin/python bench/bench_rules.py   (or `make bench`)
"""

from __future__ import annotations

import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N = 10_000
PASSES = 3

EN = [
    "Raise {metric} from {a} to {b} by the end of Q{q}",
    "Increase {metric} by {p}% this quarter",
    "Launch the new {thing} for {who}",
    "Publish {n} {output} per month",
    "Improve {metric}",
    "{p}% of {who} use the {thing} weekly by {month}",
    "Cut {metric} from {a} ms to {b} ms",
    "Maintain {metric} at {p}%",
    "KR{q}: Hire {n} engineers – {owner}",
    "[{thing}](https://example.com) is implemented [p{q}]",
]
SV = [
    "Öka {smetric} från {a} till {b} senast {sday} juni",
    "Minska {smetric} med {p} % under året",
    "Införa en ny {sthing}",
    "Publicera {n} {soutput} i månaden",
    "Förbättra {smetric}",
    "Minst {p} % av {swho} svarar att de är nöjda",
]
WORDS = {
    "metric": ["NPS", "weekly active users", "trial-to-paid conversion", "p95 latency", "churn"],
    "thing": ["dashboard", "onboarding flow", "billing page", "partner portal", "mobile app"],
    "who": ["new users", "enterprise customers", "trial accounts", "partners"],
    "output": ["blog posts", "case studies", "videos", "newsletters"],
    "owner": ["Maria", "Jonas", "Ana Ruiz"],
    "month": ["March", "June", "September", "December"],
    "smetric": ["kundnöjdheten", "svarstiden", "antalet aktiva användare", "ledtiden"],
    "sthing": ["kundportal", "chattbot", "rapportmall"],
    "soutput": ["blogginlägg", "nyhetsbrev", "kundcase"],
    "swho": ["kunderna", "deltagarna", "användarna"],
}


def generate(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        lang = "sv" if i % 3 == 0 else "en"
        template = rnd.choice(SV if lang == "sv" else EN)
        values = {k: rnd.choice(v) for k, v in WORDS.items()}
        values.update(
            a=rnd.randint(10, 900), b=rnd.randint(10, 900), p=rnd.randint(2, 95),
            n=rnd.randint(2, 40), q=rnd.randint(1, 4), sday=rnd.randint(1, 30),
        )  # fmt: skip
        out.append((template.format(**values) + f" #{i}", lang))
    return out


BASELINE_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(%|ms|h)?|\b(raise|increase|cut|öka|minska)\b", re.I)


def baseline_pass(texts: list[tuple[str, str]]) -> list[float]:
    times = []
    for text, _ in texts:
        t = time.perf_counter()
        BASELINE_RE.findall(text)
        times.append(time.perf_counter() - t)
    return times


def rules_pass(texts: list[tuple[str, str]]) -> list[float]:
    from coach.engine import check_kr_text

    times = []
    for text, lang in texts:
        t = time.perf_counter()
        check_kr_text(text, lang=lang)
        times.append(time.perf_counter() - t)
    return times


def main() -> int:
    from coach.engine import check_cycle, check_kr_text
    from coach.models import Cycle

    texts = generate(N)
    t = time.perf_counter()
    check_kr_text("Raise NPS from 32 to 45 by Q3")  # load lexicons and rules once
    warm = time.perf_counter() - t
    rules_medians, base_medians, rules_totals, base_totals = [], [], [], []
    for _ in range(PASSES):
        b = baseline_pass(texts)
        r = rules_pass(texts)
        base_medians.append(statistics.median(b))
        rules_medians.append(statistics.median(r))
        base_totals.append(sum(b))
        rules_totals.append(sum(r))
    rule_us = statistics.median(rules_medians) * 1e6
    base_us = statistics.median(base_medians) * 1e6
    mean_us = statistics.median(rules_totals) / N * 1e6
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{N} KRs x {PASSES} passes (first call, loading lexicons and rules: {warm * 1000:.0f} ms)"
    )
    print(f"load average: {load:.1f} on {os.cpu_count()} CPUs (timings are wall clock)")
    print(f"plain regex pass : median {base_us:8.2f} µs/KR")
    print(f"check_kr_text    : median {rule_us:8.2f} µs/KR  (mean {mean_us:.1f} µs/KR)")
    print(f"ratio            : {rule_us / base_us:8.1f}x the regex pass")
    verdict = "OK" if rule_us <= 200 else "OVER"
    print(f"target <= 200 µs/KR (0.2 ms): {verdict}")
    doc = {
        "cycle": "2026-Q2",
        "objectives": [
            {"title": f"Objective {o}", "key_results": [t for t, _ in texts[o * 4 : o * 4 + 4]]}
            for o in range(5)
        ],
    }
    cycle = Cycle.model_validate(doc)
    runs = []
    for _ in range(20):
        t = time.perf_counter()
        check_cycle(cycle)
        runs.append(time.perf_counter() - t)
    print(f"check_cycle (5 objectives, 20 KRs): median {statistics.median(runs) * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""KPI suggestions on real key results: top-3 relevance, honest "no close match", latency.

Data: bench/kpi_real/krs.jsonl — 153 KRs from public goal documents, labelled before any
tuning, split into `tune` and `test` halves by source document (see bench/kpi_real/README.md).
  - covered domains: hit@3 = a KPI a careful coach would pick is among the first three
    suggestions (and the tool did not answer "no close match");
  - uncovered domains (policing, public transport, culture/leisure): the share answered with
    "no close match" rather than a wrong KPI.
Also reported: hit@3 on the catalog author's own set (tests/fixtures/kpi_labels.jsonl, for
comparison only: it was written by the catalog's author), and latency per KR (median, p95)
after the catalog is loaded, each KR matched once (cold word caches) and again (warm).

Run: .venv/bin/python bench/bench_kpis.py [--split test|tune|all] [--misses]   (make bench)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "bench" / "kpi_real" / "krs.jsonl"
AUTHOR = ROOT / "tests" / "fixtures" / "kpi_labels.jsonl"
sys.path.insert(0, str(ROOT))

from coach import kpis  # noqa: E402


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def evaluate(items: list[dict], show_misses: bool) -> dict[str, float]:
    hit = cov = nomatch = unc = 0
    per_domain: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for it in items:
        m = kpis.match_kr(it["kr"], it["lang"])
        top3 = [s.kpi_id for s in m.suggestions[:3]]
        if it["covered"]:
            cov += 1
            ok = not m.no_match and bool(set(top3) & set(it["relevant"]))
            hit += ok
            per_domain[it["domain"]][0] += ok
            per_domain[it["domain"]][1] += 1
        else:
            unc += 1
            ok = m.no_match
            nomatch += ok
            per_domain[it["domain"]][0] += ok
            per_domain[it["domain"]][1] += 1
        if show_misses and not ok:
            got = "no close match" if m.no_match else ", ".join(top3)
            print(f"  miss {it['id']}: {it['kr'][:70]!r} measured={m.measured!r} "
                  f"best={m.best_match:.2f} got=[{got}] want={it['relevant']}")  # fmt: skip
    for d, (ok, n) in sorted(per_domain.items()):
        print(f"    {d:<16} {ok}/{n}")
    return {"hit@3 covered": hit / cov if cov else 0.0, "covered n": cov,
            "no-match uncovered": nomatch / unc if unc else 0.0, "uncovered n": unc}  # fmt: skip


def author_set() -> float:
    data = rows(AUTHOR)
    hits = 0
    for r in data:
        ids = [s.kpi_id for s in kpis.suggest_kpis(r["text"], k=5)[:3]]
        hits += bool(set(ids) & set(r["ids"]))
    return hits / len(data)


def latency(items: list[dict]) -> tuple[float, float, float]:
    cold, warm = [], []
    for store in (cold, warm):
        for it in items:
            t = time.perf_counter()
            kpis.match_kr(it["kr"], it["lang"])
            store.append((time.perf_counter() - t) * 1000)
    cold.sort()
    return statistics.median(cold), cold[int(0.95 * (len(cold) - 1))], statistics.median(warm)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["test", "tune", "all"], default="test")
    ap.add_argument("--misses", action="store_true", help="print every miss")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    kpis.load_catalog()
    kpis.match_kr("warm up the index")
    print(f"catalog: {len(kpis.load_catalog())} KPIs, loaded and indexed in "
          f"{(time.perf_counter() - t) * 1000:.0f} ms")  # fmt: skip
    everything = rows(REAL)
    med, p95, warm = latency(everything)  # before quality: the word caches start cold
    items = (
        everything if args.split == "all" else [r for r in everything if r["split"] == args.split]
    )
    print(f"real KRs, split={args.split} ({len(items)} KRs):")
    res = evaluate(items, args.misses)
    print(f"  hit@3 where the catalog covers the domain: {res['hit@3 covered']:.2f} "
          f"(n={res['covered n']})")  # fmt: skip
    print(f"  'no close match' where it does not:        {res['no-match uncovered']:.2f} "
          f"(n={res['uncovered n']})")  # fmt: skip
    print(f"author's own labelled set (tests/fixtures/kpi_labels.jsonl) hit@3: {author_set():.2f}")
    print(f"latency per KR over all {len(everything)} KRs: median {med:.1f} ms, p95 {p95:.1f} ms "
          f"(cold word caches); median {warm:.1f} ms warm")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

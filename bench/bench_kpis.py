"""KPI suggestions: ranking quality on the labelled set, latency, and catalog load time.

Quality: hit@3 and MRR on tests/fixtures/kpi_labels.jsonl for
  - keyword-only ranking (the baseline: bilingual names/synonyms, no embeddings),
  - embedding-only ranking (wordllama similarity alone),
  - fused ranking (keywords + embeddings),
  - the final suggestions (fused ranking + roles: drivers, outcomes, counter-metrics),
per subset (plain, paraphrase) and language, with the number of KRs beside each score.
Latency: median and p95 per suggestion with the catalog and vectors loaded, against the
keyword-only ranking measured in the same run.
Load: a fresh process importing and loading the catalog; the first suggestion with no vector
cache (embeds the catalog) and with the disk cache (the normal case after the first run).

Run: .venv/bin/python bench/bench_kpis.py   (or make bench)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "fixtures" / "kpi_labels.jsonl"
SANDBOX = Path(tempfile.mkdtemp(prefix="okr-coach-bench-kpis-"))
os.environ["XDG_CACHE_HOME"] = str(SANDBOX / "cache")  # never touch the user's cache
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))

from coach import kpis  # noqa: E402


def load_rows() -> list[dict]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line]


def hit_and_mrr(rows: list[dict], ranked: list[list[str]], at: int = 3) -> tuple[float, float]:
    hits, rr = 0, 0.0
    for row, ids in zip(rows, ranked, strict=True):
        gold = set(row["ids"])
        hits += any(i in gold for i in ids[:at])
        rank = next((n for n, i in enumerate(ids, 1) if i in gold), None)
        rr += 1.0 / rank if rank else 0.0
    return hits / len(rows), rr / len(rows)


def embedding_only(text: str) -> list[str]:
    saved = kpis.KEYWORD_WEIGHT
    kpis.KEYWORD_WEIGHT = 0.0
    try:
        return [c.key for c in kpis.rank_kpis(text)]
    finally:
        kpis.KEYWORD_WEIGHT = saved


SYSTEMS: dict[str, Callable[[str], list[str]]] = {
    "keyword-only (baseline)": lambda t: [c.key for c in kpis.rank_kpis(t, use_embeddings=False)],
    "embedding-only": embedding_only,
    "fused ranking": lambda t: [c.key for c in kpis.rank_kpis(t)],
    "suggestions (k=5)": lambda t: [s.kpi_id for s in kpis.suggest_kpis(t, k=5)],
}


def quality(rows: list[dict]) -> None:
    results = {name: [fn(r["text"]) for r in rows] for name, fn in SYSTEMS.items()}
    groups = {
        "all": rows,
        "plain": [r for r in rows if r["set"] == "plain"],
        "paraphrase": [r for r in rows if r["set"] == "paraphrase"],
        "en": [r for r in rows if r["lang"] == "en"],
        "sv": [r for r in rows if r["lang"] == "sv"],
    }
    print(f"quality on {LABELS.relative_to(ROOT)}: hit@3 / MRR (n = KRs in the group)")
    header = f"  {'system':<24}" + "".join(
        f"{g + f' (n={len(rs)})':>22}" for g, rs in groups.items()
    )
    print(header)
    index = {id(r): i for i, r in enumerate(rows)}
    for name, ranked in results.items():
        cells = []
        for group in groups.values():
            sub = [ranked[index[id(r)]] for r in group]
            h, m = hit_and_mrr(group, sub)
            cells.append(f"{h:.3f} / {m:.3f}")
        print(f"  {name:<24}" + "".join(f"{c:>22}" for c in cells))
    base_h, base_m = hit_and_mrr(rows, results["keyword-only (baseline)"])
    sug_h, sug_m = hit_and_mrr(rows, results["suggestions (k=5)"])
    print(
        f"  suggestions vs baseline: hit@3 {sug_h:.3f} vs {base_h:.3f} "
        f"(x{sug_h / base_h:.2f}), MRR {sug_m:.3f} vs {base_m:.3f} (x{sug_m / base_m:.2f})"
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def latency(rows: list[dict], passes: int = 3) -> None:
    texts = [r["text"] for r in rows]
    kpis.suggest_kpis(texts[0])  # load catalog, model and vectors once
    timings: dict[str, list[float]] = {"keyword-only ranking": [], "suggest_kpis (fused)": []}
    for _ in range(passes):
        for t in texts:
            s = time.perf_counter()
            kpis.rank_kpis(t, use_embeddings=False)
            timings["keyword-only ranking"].append(time.perf_counter() - s)
            s = time.perf_counter()
            kpis.suggest_kpis(t)
            timings["suggest_kpis (fused)"].append(time.perf_counter() - s)
    print(f"latency per suggestion, warm ({passes} passes x {len(texts)} KRs)")
    base = statistics.median(timings["keyword-only ranking"])
    for name, values in timings.items():
        med = statistics.median(values)
        print(
            f"  {name:<24} median {med * 1000:6.2f} ms   p95 {percentile(values, 95) * 1000:6.2f} ms"
            f"   x{med / base:.2f} of keyword-only"
        )


_CHILD = """
import time
t0 = time.perf_counter()
from coach.kpis import load_catalog, suggest_kpis
t1 = time.perf_counter()
load_catalog()
t2 = time.perf_counter()
suggest_kpis("Raise NPS from 32 to 45")
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def load_times(reps: int = 5) -> None:
    def child(cache: Path) -> list[float]:
        env = {**os.environ, "XDG_CACHE_HOME": str(cache), "HOME": str(SANDBOX / "home")}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        return [float(x) for x in out]

    imports, loads, no_cache, cached = [], [], [], []
    for i in range(reps):
        fresh = SANDBOX / f"fresh-{i}"
        imp, load, first = child(fresh)  # empty cache: embeds the catalog, writes the cache
        imports.append(imp)
        loads.append(load)
        no_cache.append(first)
        cached.append(child(fresh)[2])  # same cache dir: vectors read from disk
    med = statistics.median
    print(f"catalog load in a fresh process ({reps} runs, medians)")
    rows = [
        ("import coach.kpis (pydantic, domain model)", med(imports), ""),
        ("load_catalog() (parse + validate YAML)", med(loads), ""),
        ("first suggestion, no vector cache", med(no_cache), "  (baseline)"),
        (
            "first suggestion, vectors cached on disk",
            med(cached),
            f"  x{med(cached) / med(no_cache):.2f} of baseline",
        ),
    ]
    for label, value, note in rows:
        print(f"  {label:<44} {value * 1000:7.1f} ms{note}")
    print("  (first suggestions include loading the wordllama model; none of this runs at start)")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> int:
    rows = load_rows()
    quality(rows)
    print()
    latency(rows)
    print()
    load_times()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Memory at scale: ingest and query 10k and 100k chunks, against a brute-force numpy baseline.

For each size, synthetic but realistic past-cycle documents (retros and check-ins in Swedish
and English, 50 sections each) are written to a temp dir and ingested through the real path
(read → chunk → embed → Chroma + BM25). Reported: ingest chunks/s, p50/p95 latency of
`MemoryStore.search` (fused, what `ask` uses), of the Chroma vector query alone and of BM25
alone, each unfiltered and filtered by cycle, and the store's size on disk. The baseline in
the same run embeds the same chunks into one numpy matrix and answers by a full dot product
(with a boolean mask when filtered).

Run: .venv/bin/python bench/bench_memory.py [--sizes 10000 100000] [--queries 200]
Targets (issue 4): ≥ 500 chunks/s ingest, p95 ≤ 20 ms unfiltered at 100k on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

SECTIONS_PER_DOC = 50
TEAMS = ["sales", "support", "marketing", "product", "people", "finance"]
CYCLES = [f"{y}-Q{q}" for y in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
EN = {
    "metric": [
        "churn",
        "win rate",
        "response time",
        "NPS",
        "lead time",
        "build time",
        "weekly active users",
        "qualified leads",
        "CSAT",
        "first-contact resolution",
        "staff turnover",
        "gross margin",
        "deal size",
        "uptime",
        "time to hire",
    ],
    "cause": [
        "the price increase",
        "a missing integration",
        "staff shortage in peak weeks",
        "unclear ownership",
        "a late release",
        "a changed lead definition",
        "too many objectives",
        "no baseline at the start",
        "slow legal review",
        "a seasonal dip",
    ],
    "action": [
        "add a leading indicator",
        "name one owner per key result",
        "move the task to initiatives",
        "agree the metric definition up front",
        "hold a 15-minute check-in every Friday",
        "document mid-cycle changes",
        "staff the Monday peak",
        "stagger campaigns",
        "measure outcomes, not activities",
    ],
    "heading": [
        "What went well",
        "What did not work",
        "Lessons",
        "Blockers",
        "Decisions",
        "Results",
        "Risks",
        "Next steps",
    ],
}
SV = {
    "metric": [
        "kundbortfall",
        "vinstandel",
        "svarstid",
        "NPS",
        "ledtid",
        "byggtid",
        "aktiva användare",
        "kvalificerade leads",
        "kundnöjdhet",
        "personalomsättning",
        "bruttomarginal",
        "affärsstorlek",
        "drifttid",
        "tid till anställning",
    ],
    "cause": [
        "prishöjningen",
        "en saknad integration",
        "personalbrist under toppveckor",
        "otydligt ägarskap",
        "en sen release",
        "en ändrad leaddefinition",
        "för många mål",
        "inget utgångsläge från start",
        "långsam juridisk granskning",
    ],
    "action": [
        "lägga till en ledande indikator",
        "utse en ägare per nyckelresultat",
        "flytta uppgiften till initiativ",
        "komma överens om måttet i förväg",
        "hålla en kort avstämning varje fredag",
        "dokumentera ändringar under cykeln",
        "bemanna upp på måndagar",
        "mäta resultat, inte aktiviteter",
    ],
    "heading": [
        "Vad gick bra",
        "Vad gick mindre bra",
        "Lärdomar",
        "Hinder",
        "Beslut",
        "Utfall",
        "Risker",
        "Nästa steg",
    ],
}
QUERIES = [
    "why did churn rise after the price increase",
    "vad lärde vi oss om svarstid",
    "how did we improve win rate",
    "hinder för kundnöjdhet",
    "lessons about build time",
    "too many objectives",
    "varför sjönk vinstandelen",
    "who owns the key result for NPS",
    "kalla samtal",
    "leading indicator for staff turnover",
    "mid-cycle change of target",
    "ledtid i projekten",
    "uptime after the release",
    "qualified leads definition",
]


def paragraph(rng: random.Random, lang: str) -> tuple[str, str]:
    v = EN if lang == "en" else SV
    m, c, a = rng.choice(v["metric"]), rng.choice(v["cause"]), rng.choice(v["action"])
    x, y = rng.randint(2, 60), rng.randint(2, 60)
    if lang == "en":
        text = (
            f"{m.capitalize()} moved from {x} to {y} this quarter, mostly because of {c}. "
            f"The team agreed to {a}. Confidence at the last check-in was "
            f"0.{rng.randint(3, 9)}."
        )
    else:
        text = (
            f"{m.capitalize()} gick från {x} till {y} under kvartalet, främst på grund av {c}. "
            f"Teamet bestämde att {a}. Tilltron vid senaste avstämningen var "
            f"0,{rng.randint(3, 9)}."
        )
    return rng.choice(v["heading"]), text


def write_corpus(root: Path, n_chunks: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    n_docs = max(1, n_chunks // SECTIONS_PER_DOC)
    for d in range(n_docs):
        lang = "sv" if d % 2 else "en"
        team, cycle = TEAMS[d % len(TEAMS)], CYCLES[d % len(CYCLES)]
        lines = [
            "---",
            f"team: {team}",
            f"cycle: {cycle}",
            f"kind: {'retro' if d % 3 else 'checkin'}",
            "---",
            f"# {team} {cycle} #{d}",
        ]
        for s in range(SECTIONS_PER_DOC):
            heading, text = paragraph(rng, lang)
            lines += ["", f"## {heading} {s + 1}", text]
        sub = root / team
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"doc-{d:05d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return CYCLES


def percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    return statistics.median(s) * 1000, s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))] * 1000


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed_all(fns: dict, queries: list[str]) -> dict[str, tuple[float, float]]:
    """p50/p95 ms per method; methods interleaved per query so they share the same conditions
    (Chroma compacts in background threads for a while after a big ingest)."""
    for fn in fns.values():
        fn(queries[0])  # warm-up (lazy index builds are reported separately)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for q in queries:
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn(q)
            samples[name].append(time.perf_counter() - t0)
    return {name: percentiles(v) for name, v in samples.items()}


def run_size(n_chunks: int, n_queries: int, tmp: Path) -> None:
    from coach.config import load_settings
    from coach.embeddings import get_embedder
    from coach.ingest import chunk_document, read_document
    from coach.memory import MemoryStore

    corpus = tmp / f"corpus-{n_chunks}"
    write_corpus(corpus, n_chunks)
    settings = load_settings(tmp / f"ws-{n_chunks}", env={})
    store = MemoryStore.open(settings)
    t0 = time.perf_counter()
    report = store.ingest([corpus])
    ingest_s = time.perf_counter() - t0
    n = report.chunks_total
    rng = random.Random(1)
    queries = [
        rng.choice(QUERIES) + ("" if i % 3 else f" {rng.choice(TEAMS)}") for i in range(n_queries)
    ]
    cycle_filter = {"cycle": "2024-Q3"}

    t0 = time.perf_counter()
    store.search("warm up the lexical index", k=5)
    first_query_s = time.perf_counter() - t0

    # Baseline: the same chunks embedded into one matrix, a full dot product per query.
    embedder = get_embedder(settings)
    t0 = time.perf_counter()
    texts, cycles = [], []
    for path in sorted(corpus.rglob("*.md")):
        doc = read_document(path)
        for chunk in chunk_document(doc, path.name):
            texts.append(chunk.indexed_text)
            cycles.append(doc.meta.get("cycle", ""))
    matrix = np.concatenate(
        [embedder.embed(texts[i : i + 5000]) for i in range(0, len(texts), 5000)]
    )
    base_ingest_s = time.perf_counter() - t0
    cycles_arr = np.asarray(cycles)

    def brute(q: str, mask: np.ndarray | None = None) -> list[int]:
        v = embedder.embed([q])[0]
        s = matrix @ v
        if mask is not None:
            s = np.where(mask, s, -np.inf)
        top = np.argpartition(-s, 5)[:5]
        return top[np.argsort(-s[top])].tolist()

    def vector_only(q: str, where=None):
        v = embedder.embed([q])[0]
        return store.collection.query(
            query_embeddings=[v], n_results=5, where=where, include=["distances"]
        )

    rows = timed_all(
        {
            "fused search (ask)": lambda q: store.search(q, k=5),
            "fused search, cycle filter": lambda q: store.search(q, k=5, filters=cycle_filter),
            "chroma vector query": vector_only,
            "chroma vector, cycle filter": lambda q: vector_only(q, {"cycle": "2024-Q3"}),
            "BM25 only": lambda q: store.lexical().search(q, 30),
            "BM25 only, cycle filter": lambda q: store.lexical().search(
                q, 30, filters=cycle_filter
            ),
            "numpy brute force (baseline)": brute,
            "numpy brute force, filtered": lambda q: brute(q, cycles_arr == "2024-Q3"),
        },
        queries,
    )
    base_p95 = rows["numpy brute force (baseline)"][1]
    store_bytes = dir_size(settings.store_path)
    state_bytes = dir_size(store.state_dir)
    print(f"\n## {n:,} chunks ({n // SECTIONS_PER_DOC:,} documents)")
    print(
        f"ingest: {n / ingest_s:,.0f} chunks/s ({ingest_s:.1f} s) through the full path; "
        f"baseline embed-only into numpy: {len(texts) / base_ingest_s:,.0f} chunks/s "
        f"({base_ingest_s / ingest_s:.2f}× the time)"
    )
    print(f"first query after ingest (BM25 index build/load): {first_query_s * 1000:.0f} ms")
    print(
        f"disk: Chroma store {store_bytes / 1e6:,.1f} MB + manifest/BM25 {state_bytes / 1e6:,.1f} MB "
        f"(baseline matrix in RAM: {matrix.nbytes / 1e6:,.1f} MB)"
    )
    print(
        f"{'query latency over ' + str(n_queries) + ' queries':<34}{'p50 ms':>9}{'p95 ms':>9}{'p95 / baseline':>16}"
    )
    for name, (p50, p95) in rows.items():
        print(f"{name:<34}{p50:>9.1f}{p95:>9.1f}{p95 / base_p95:>15.2f}×")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    print(
        f"memory benchmark: sizes {args.sizes}, {args.queries} queries each, "
        f"{os.cpu_count()} CPUs"
    )
    tmp = Path(tempfile.mkdtemp(prefix="okr-bench-memory-"))
    os.environ["HOME"] = str(tmp)
    try:
        for n in args.sizes:
            run_size(n, args.queries, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

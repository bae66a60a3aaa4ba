"""Retrieval quality on the bundled past-cycle corpus: hit@1, hit@5 and MRR per method.

Ingests bench/retrieval/corpus (64 documents, Swedish and English) into a temporary embedded
store, asks every question in bench/retrieval/questions.yaml and checks whether a passage that
answers it (right source, containing the answer phrase) comes back. Methods side by side:
vector only, lexical (BM25) only, fused (what `okr-coach ask` uses), and fused without the
bilingual glossary expansion. Rows per language pair (question → answering document).

Run: .venv/bin/python bench/bench_retrieval.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ruamel.yaml import YAML  # noqa: E402

from coach.config import load_settings  # noqa: E402
from coach.memory import MemoryStore  # noqa: E402

CORPUS = HERE / "retrieval" / "corpus"
QUESTIONS = HERE / "retrieval" / "questions.yaml"
METHODS = {
    "vector": {"mode": "vector"},
    "lexical": {"mode": "lexical"},
    "fused": {"mode": "fused"},
    "fused-noexp": {"mode": "fused", "expand": False},
}
K = 5


def is_answer(passage, answers) -> bool:
    source = passage.source.removeprefix("corpus/")
    return any(
        source == a["source"] and a["contains"].lower() in passage.text.lower() for a in answers
    )


def main() -> int:
    questions = YAML(typ="safe").load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    with tempfile.TemporaryDirectory(prefix="okr-bench-retrieval-") as tmp:
        os.environ["HOME"] = tmp  # wordllama and chroma caches stay in the temp dir
        settings = load_settings(Path(tmp) / "ws", env={})
        store = MemoryStore.open(settings)
        report = store.ingest([CORPUS])
        docs = report.files_added
        print(f"corpus: {docs} documents, {report.chunks_total} chunks, {len(questions)} questions")
        if report.skipped:
            print("skipped:", [(s.path, s.reason) for s in report.skipped])
        # results[method][group] -> list of reciprocal ranks (0 when not in the top K)
        results: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        latency: dict[str, list[float]] = defaultdict(list)
        misses: list[str] = []
        for q in questions:
            group = f"{q['lang']}→{q['doc_lang']}"
            for method, opts in METHODS.items():
                t0 = time.perf_counter()
                passages = store.search(q["q"], k=K, **opts)
                latency[method].append(time.perf_counter() - t0)
                rank = next((i for i, p in enumerate(passages, 1) if is_answer(p, q["answers"])), 0)
                rr = 1.0 / rank if rank else 0.0
                for g in (group, "all", "cross" if q["lang"] != q["doc_lang"] else "same"):
                    results[method][g].append(rr)
                if method == "fused" and rank != 1:
                    got = passages[0].source if passages else "-"
                    misses.append(f"  rank {rank or '>5'}: {q['q']}  (top: {got})")
    groups = ["all", "same", "cross", "en→en", "sv→sv", "en→sv", "sv→en"]
    print(f"\n{'group':<8}{'n':>4}  " + "".join(f"{m:>26}" for m in METHODS))
    print(f"{'':<14}" + "".join(f"{'hit@1 hit@5   MRR':>26}" for _ in METHODS))
    for g in groups:
        n = len(results["fused"][g])
        if not n:
            continue
        row = f"{g:<8}{n:>4}  "
        for m in METHODS:
            rr = results[m][g]
            h1 = sum(r == 1.0 for r in rr) / n
            h5 = sum(r > 0 for r in rr) / n
            mrr = sum(rr) / n
            row += f"{h1:>14.2f}{h5:>6.2f}{mrr:>6.2f}"
        print(row)
    print(
        "\nmedian query latency (ms): "
        + ", ".join(f"{m} {sorted(v)[len(v) // 2] * 1000:.1f}" for m, v in latency.items())
    )
    print("\nfused misses at rank 1:")
    print("\n".join(misses) or "  none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

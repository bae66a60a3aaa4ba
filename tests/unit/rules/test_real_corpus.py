"""The real-world development corpus is well formed and keeps clear of the reserved sources."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "bench" / "corpus" / "real_krs.jsonl"
RESERVED = ROOT.parent / "shared" / "eval" / "RESERVED.md"
LABELS = {"measurable", "outcome", "has_baseline", "time_bound", "vague", "compound"}


def _items() -> list[dict]:
    return [json.loads(x) for x in CORPUS.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_every_item_has_two_passes_a_resolution_a_source_and_a_split():
    items = _items()
    assert len({i["id"] for i in items}) == len(items)
    for i in items:
        assert i["lang"] in ("en", "sv") and i["kr"].strip() and i["source"].strip()
        for key in ("labels_a", "labels_b", "labels"):
            assert set(i[key]) == LABELS, (i["id"], key)
        assert i["verdict"] in ("good", "needs_work", "bad")
        assert i["split"] in ("tune", "test")
        differ = i["labels_a"] != i["labels_b"] or i["verdict_a"] != i["verdict_b"]
        assert bool(i["note"]) == differ, i["id"]  # every disagreement says how it was resolved


def test_one_organisation_never_sits_on_both_sides():
    sides: dict[str, set[str]] = {}
    for i in _items():
        sides.setdefault(i["doc"], set()).add(i["split"])
    assert all(len(s) == 1 for s in sides.values())


@pytest.mark.skipif(not RESERVED.is_file(), reason="../shared/eval/RESERVED.md is not here")
def test_no_item_comes_from_a_reserved_source():
    text = RESERVED.read_text(encoding="utf-8")
    domains = set(re.findall(r"\b([a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|se|nu|net|org))\b", text))
    names = {"gitlab", "sourcegraph", "nodejs", "ipfs", "src-d", "bcgov", "flutter", "kubeflow"}
    for i in _items():
        src = i["source"].lower()
        assert not any(d in src for d in domains), (i["id"], src)
        assert not any(n in src for n in names), (i["id"], src)

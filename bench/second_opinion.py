"""Would a small learned model beat the hand rules on activity? ``python bench/second_opinion.py``.

Trains a logistic regression (numpy, hashed character 3–5-grams, words and the rule parser's
own features) on the corpus's tune half (plus the shared development sets when they are beside
the checkout), then prints activity precision/recall/F1 on the test half, per language, for the
rules alone, the model alone at several thresholds, and the model as a veto on or an addition
to the rules. The rules ship only if nothing here beats them; see docs/rules.md for the result.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus" / "real_krs.jsonl"
EXTRA = [
    ROOT.parent / "shared" / "eval" / "dev_real_krs.jsonl",
    ROOT.parent / "shared" / "eval" / "dev_krs.jsonl",
    ROOT / "tests" / "fixtures" / "rules_holdout.jsonl",
]
DIM = 1 << 12


def _load(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _features(item: dict) -> tuple[np.ndarray, bool]:
    from coach.rules.analysis import analyse

    lang = item.get("lang", "en")
    a = analyse(item["kr"], lang)
    text = f" {item['kr'].lower()} "
    names = [f"c{text[i : i + n]}" for n in (3, 4, 5) for i in range(len(text) - n + 1)]
    words = re.findall(r"[\wåäö]+", text)
    names += [f"w{w}" for w in words] + ([f"first{words[0]}"] if words else [])
    names += [
        f"act{int(a.activity)}",
        f"reason{a.activity_reason}",
        f"lead{a.lead_kind}",
        f"qty{int(a.facts.has_quantity)}",
        f"subject{int(a.subject_led)}",
        f"lang{lang}",
    ]
    v = np.zeros(DIM, np.float32)
    for name in names:
        v[zlib.crc32(name.encode()) % DIM] += 1
    return v / max(1.0, float(np.linalg.norm(v))), a.activity


def _prf(pred: np.ndarray, truth: np.ndarray) -> str:
    tp = int((pred & truth).sum())
    fp = int((pred & ~truth).sum())
    fn = int((~pred & truth).sum())
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    f = 2 * p * r / max(1e-9, p + r)
    return f"P {p:.3f} R {r:.3f} F1 {f:.3f} (true {tp + fn})"


def main() -> int:
    items = _load(CORPUS)
    for extra in EXTRA:
        if extra.is_file():
            items += [{**x, "split": "tune"} for x in _load(extra)]
    rows = [_features(i) for i in items]
    X = np.stack([r[0] for r in rows])
    rules = np.array([r[1] for r in rows])
    y = np.array([not i["labels"]["outcome"] for i in items])
    split = np.array([i.get("split") for i in items])
    lang = np.array([i.get("lang", "en") for i in items])
    train, test = split == "tune", split == "test"
    w, b = np.zeros(DIM), 0.0
    for _ in range(3000):  # plain gradient descent with L2: no new dependency
        p = 1 / (1 + np.exp(-(X[train] @ w + b)))
        g = p - y[train]
        w -= 0.5 * (X[train].T @ g / train.sum() + 1e-3 * w)
        b -= 0.5 * float(g.mean())
    prob = 1 / (1 + np.exp(-(X @ w + b)))
    for code in sorted(set(lang[test])):
        m = test & (lang == code)
        print(f"== {code}: test half, n={int(m.sum())}")
        print(f"rules            {_prf(rules[m], y[m])}")
        for t in (0.3, 0.4, 0.5, 0.6):
            print(f"model > {t:.1f}      {_prf(prob[m] > t, y[m])}")
        for t in (0.2, 0.3):
            print(f"rules, veto < {t:.1f} {_prf(rules[m] & (prob[m] >= t), y[m])}")
        for t in (0.8, 0.9):
            print(f"rules + model > {t:.1f} {_prf(rules[m] | (prob[m] > t), y[m])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cycle-level rules: OKR014 too many objectives, OKR015 duplicate key results."""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict

from coach.rules.base import Hit, SetContext, check


@check("OKR014")
def too_many_objectives(ctx: SetContext) -> Hit | None:
    n = len(ctx.cycle.objectives)
    if n <= ctx.settings.objectives_max:
        return None
    return Hit({"n": n, "max": ctx.settings.objectives_max})


def _norm(text: str) -> str:
    return re.sub(r"[^\wåäö%]+", " ", text.lower()).strip()


SIMILARITY = 0.9  # Jaccard overlap of word sets above which two KRs count as one
MIN_WORDS = 4  # shorter KRs are duplicates only when identical
# Near-duplicates are looked for among this many earlier KRs (identical ones among all): every
# real cycle is far smaller, and a file of 20,000 templated KRs stays a linear-time check.
NEAR_WINDOW = 200


def _prefix(words: list[str]) -> list[str]:
    """The words (rarest first) that any set with Jaccard >= SIMILARITY must share one of.

    Prefix filtering (AllPairs): two sets overlapping in >= t·|x| words share a word among the
    first |x| − ⌈t·|x|⌉ + 1 of a common order; floor instead of ceil keeps one word more, safe
    against rounding. Only KRs that share such a word are compared.
    """
    return words[: len(words) - math.floor(SIMILARITY * len(words)) + 1]


@check("OKR015")
def duplicate_kr(ctx: SetContext) -> list[Hit]:
    items = []
    for o in ctx.objectives:
        for k in o.krs:
            label = (
                k.kr.id if k.kr is not None and k.kr.id else None
            ) or f"{o.index + 1}.{k.index + 1}"
            norm = _norm(k.analysis.facts.text)
            items.append((norm, frozenset(norm.split()), label, o.index, k.index))
    df = Counter(w for _, words, *_ in items for w in words)
    seen: list[tuple[frozenset[str], str]] = []  # KRs that are not duplicates themselves
    exact: dict[str, int] = {}
    by_word: dict[str, list[int]] = defaultdict(list)  # ascending indices into seen
    hits = []
    for norm, words, label, oi, ki in items:
        prefix = _prefix(sorted(words, key=lambda w: (df[w], w))) if len(words) >= MIN_WORDS else []
        low = len(seen) - NEAR_WINDOW
        candidates: set[int] = set()
        for w in prefix:
            postings = by_word.get(w, [])
            candidates.update(postings[bisect.bisect_left(postings, low) :])
        # the earliest match, as a scan of every earlier KR would find
        twin = exact.get(norm)
        for i in sorted(candidates):
            if twin is not None and i >= twin:
                break
            other = seen[i][0]
            shared = len(other & words)  # Jaccard, inline: this loop is the rule's hot path
            if shared / (len(other) + len(words) - shared) >= SIMILARITY:
                twin = i
                break
        if twin is not None:
            hits.append(Hit({"other": seen[twin][1]}, objective_index=oi, kr_index=ki))
            continue
        exact.setdefault(norm, len(seen))
        for w in prefix:
            by_word[w].append(len(seen))
        seen.append((words, label))
    return hits

"""Cycle-level rules: OKR014 too many objectives, OKR015 duplicate key results."""

from __future__ import annotations

import re

from coach.rules.base import Hit, SetContext, check


@check("OKR014")
def too_many_objectives(ctx: SetContext) -> Hit | None:
    n = len(ctx.cycle.objectives)
    if n <= ctx.settings.objectives_max:
        return None
    return Hit({"n": n, "max": ctx.settings.objectives_max})


def _norm(text: str) -> str:
    return re.sub(r"[^\wåäö%]+", " ", text.lower()).strip()


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    ta, tb = set(a.split()), set(b.split())
    if len(ta) < 4 or len(tb) < 4:
        return False
    return len(ta & tb) / len(ta | tb) >= 0.9


@check("OKR015")
def duplicate_kr(ctx: SetContext) -> list[Hit]:
    seen: list[tuple[str, str, int, int]] = []
    hits = []
    for o in ctx.objectives:
        for k in o.krs:
            norm = _norm(k.analysis.facts.text)
            label = (
                k.kr.id if k.kr is not None and k.kr.id else None
            ) or f"{o.index + 1}.{k.index + 1}"
            twin = next((s for s in seen if _similar(s[0], norm)), None)
            if twin is not None:
                hits.append(Hit({"other": twin[1]}, objective_index=o.index, kr_index=k.index))
            else:
                seen.append((norm, label, o.index, k.index))
    return hits

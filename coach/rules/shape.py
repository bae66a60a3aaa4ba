"""OKR006 two results in one KR, OKR007 business as usual."""

from __future__ import annotations

from coach.rules.base import Hit, KrContext, check
from coach.rules.suggest import skeleton


@check("OKR006")
def compound(ctx: KrContext) -> Hit | None:
    parts = ctx.analysis.compound_parts
    if len(parts) < 2:
        return None
    quoted = " / ".join(f'"{p[0].upper()}{p[1:]}"' for p in parts)
    return Hit({"n": len(parts), "parts": quoted})


@check("OKR007")
def business_as_usual(ctx: KrContext) -> Hit | None:
    a = ctx.analysis
    if not a.bau:
        return None
    f = a.facts
    metric = f.metric or ""
    facts_dir = f.direction
    f.direction = None  # the suggestion asks for a change, not for holding the level
    try:
        text = skeleton(f, ctx.lang, keep_target=False)
    finally:
        f.direction = facts_dir
    return Hit({"metric": metric or f.text, "skeleton": text})

"""OKR004 no baseline, OKR005 no deadline, OKR009 no owner."""

from __future__ import annotations

from coach.rules.base import Hit, KrContext, check
from coach.rules.suggest import blanks, skeleton


@check("OKR004")
def no_baseline(ctx: KrContext) -> Hit | None:
    f = ctx.analysis.facts
    if f.baseline is not None or (ctx.kr is not None and ctx.kr.baseline is not None):
        return None
    # A task gets the skeleton of the result it should serve; its baseline is the result's.
    return Hit({"skeleton": skeleton(f, ctx.lang, as_result=ctx.analysis.activity)})


def _cycle_has_period(ctx: KrContext) -> bool:
    c = ctx.cycle
    return c is not None and bool(c.end or c.cycle)


@check("OKR005")
def no_deadline(ctx: KrContext) -> Hit | None:
    a = ctx.analysis
    if a.time_bound or (ctx.kr is not None and ctx.kr.deadline) or _cycle_has_period(ctx):
        return None
    return Hit({"text": a.facts.text.rstrip(". "), "deadline": blanks(ctx.lang)["deadline"]})


@check("OKR009")
def missing_owner(ctx: KrContext) -> Hit | None:
    if ctx.kr is None:  # bare text: there is no owner field to fill in
        return None
    if ctx.kr.owner or (ctx.objective is not None and ctx.objective.owner):
        return None
    if ctx.analysis.facts.clean.owner:
        return None
    return Hit({})

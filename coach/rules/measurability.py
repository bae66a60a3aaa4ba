"""OKR002 not measurable, OKR003 vague wording, OKR008 relative change with no base."""

from __future__ import annotations

from coach.rules.base import Hit, KrContext, check
from coach.rules.suggest import skeleton

_DETAIL = {
    "en": {
        "placeholder": " (the number is still a placeholder)",
        "metric": ' ("{metric}" names a measure but no level to reach)',
        "milestone": " (done or not done is a milestone, not a measure)",
    },
    "sv": {
        "placeholder": " (siffran är fortfarande en platshållare)",
        "metric": ' ("{metric}" är ett mått men inget målvärde)',
        "milestone": " (klart eller inte klart är en milstolpe, inte ett mått)",
    },
}


def _target_given(ctx: KrContext) -> bool:
    return ctx.kr is not None and ctx.kr.target is not None


@check("OKR002")
def not_measurable(ctx: KrContext) -> Hit | None:
    a = ctx.analysis
    if a.measurable or _target_given(ctx):
        return None
    detail = _DETAIL.get(ctx.lang, _DETAIL["en"])
    f = a.facts
    if f.placeholder:
        extra = detail["placeholder"]
    elif a.activity:
        extra = detail["milestone"]
    elif f.metric and not a.vague:
        extra = detail["metric"].format(metric=f.metric)
    else:
        extra = ""
    return Hit({"detail": extra, "skeleton": skeleton(f, ctx.lang, as_result=a.activity)})


@check("OKR003")
def vague(ctx: KrContext) -> Hit | None:
    a = ctx.analysis
    if not a.vague or _target_given(ctx):
        return None
    terms = ", ".join(dict.fromkeys(a.vague_terms))
    return Hit({"terms": terms, "skeleton": skeleton(a.facts, ctx.lang)})


@check("OKR008")
def percent_without_base(ctx: KrContext) -> Hit | None:
    f = ctx.analysis.facts
    if f.relative is None and not f.multiplier:
        return None
    if f.baseline is not None or (ctx.kr is not None and ctx.kr.baseline is not None):
        return None
    change = f.parsed_fields().get("change", "")
    return Hit({"change": change, "skeleton": skeleton(f, ctx.lang, keep_target=False)})

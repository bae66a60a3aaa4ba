"""OKR001: tasks, outputs and milestones written where a result should be."""

from __future__ import annotations

from coach.rules.base import Hit, KrContext, check
from coach.rules.suggest import blanks, outcome_hint

_REASONS = {
    "en": {
        "verb": "it starts with what the team will do",
        "method": "it names the method, not the effect",
        "deliverable": "it is done when something is delivered",
        "capability": "it describes a feature or artefact to build",
        "subject": "it counts the team's own work items",
        "nominal": "it names a deliverable",
    },
    "sv": {
        "verb": "det börjar med vad teamet ska göra",
        "method": "det anger metoden, inte effekten",
        "deliverable": "det är klart när något levererats",
        "capability": "det beskriver en funktion eller leverans att bygga",
        "subject": "det räknar teamets egna arbetsuppgifter",
        "nominal": "det namnger en leverans",
    },
}


@check("OKR001")
def activity(ctx: KrContext) -> Hit | None:
    a = ctx.analysis
    if not a.activity:
        return None
    lang = ctx.lang if ctx.lang in _REASONS else "en"
    b = blanks(lang)
    template = (
        "{result}: från {baseline} till {target} senast {deadline}"
        if lang == "sv"
        else ("{result}: from {baseline} to {target} by {deadline}")
    )
    return Hit(
        {
            "reason": _REASONS[lang].get(a.activity_reason or "verb", _REASONS[lang]["verb"]),
            "task": a.facts.text,
            "hint": outcome_hint(a.facts.text, a.lang, lang),
            "skeleton": template.format(**b),
        }
    )

"""Objective rules: OKR010 number in the objective, OKR011 objective is a task, OKR012/OKR013
KR count, OKR016 KR not aligned with its objective (preview, uses the embedding backend)."""

from __future__ import annotations

import re
from typing import Any

from coach.parse.lexicon import load_lexicon
from coach.rules.base import Hit, ObjectiveContext, check


@check("OKR010")
def objective_has_metric(ctx: ObjectiveContext) -> Hit | None:
    a = ctx.title_analysis
    if a is None or not a.facts.targets:
        return None
    q = a.facts.targets[0]
    title = a.facts.text  # the cleaned title: positions match the parsed quantities
    number = title[q.start : q.end].strip()
    words = re.sub(r"\s{2,}", " ", title[: q.start] + title[q.end :]).strip(" ,.-")
    words = re.sub(r"\s+(?:to|till|by|med|at|på|of|av)$", "", words)
    return Hit({"number": number, "title_words": words or title})


@check("OKR011")
def objective_is_task(ctx: ObjectiveContext) -> Hit | None:
    a = ctx.title_analysis
    if a is None or not a.activity:
        return None
    if a.lead_kind not in ("activity", "weak") and a.activity_reason != "deliverable":
        return None  # nominal titles ("Connectivity magic") are normal for objectives
    causative = load_lexicon(a.lang).words.get("causative_verbs", frozenset())
    if a.lead_verb in causative and not re.search(r"\d", ctx.objective.title):
        return None  # "Make winter a season guests plan for": a state to reach, not a task
    return Hit({"title": ctx.objective.title})


@check("OKR012")
def too_few_krs(ctx: ObjectiveContext) -> Hit | None:
    n = len(ctx.objective.key_results)
    if n >= ctx.settings.krs_min:
        return None
    return Hit({"n": n, "min": ctx.settings.krs_min, "max": ctx.settings.krs_max})


@check("OKR013")
def too_many_krs(ctx: ObjectiveContext) -> Hit | None:
    n = len(ctx.objective.key_results)
    if n <= ctx.settings.krs_max:
        return None
    return Hit({"n": n, "min": ctx.settings.krs_min, "max": ctx.settings.krs_max})


# Cosine between the objective and a KR's content words (numbers, periods and the leading verb
# removed: they are shared boilerplate). wordllama is largely lexical, so only a KR with no
# overlap in meaning at all falls below this; see docs/rules.md.
ALIGNMENT_THRESHOLD = 0.02


def _content(k: Any) -> str:
    f = k.analysis.facts
    text = f.text
    spans = [(q.start, q.end) for q in f.quantities] + [(p.start, p.end) for p in f.periods]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    if k.analysis.lead_verb:
        text = re.sub(rf"^\s*{re.escape(k.analysis.lead_verb)}\b", " ", text, flags=re.I)
    text = re.sub(r"\b(?:from|to|by|från|till|under|senast|med)\b", " ", text, flags=re.I)
    return re.sub(r"\s+", " ", text).strip() or f.text


@check("OKR016")
def kr_not_aligned(ctx: ObjectiveContext) -> list[Hit]:
    """A KR whose content words share no meaning with its objective (preview)."""
    if not ctx.krs:
        return []
    try:
        from coach.embeddings import get_embedder

        embedder = get_embedder(ctx.app_settings)  # wordllama (offline) unless configured
        vecs = embedder.embed([ctx.objective.title] + [_content(k) for k in ctx.krs])
    except Exception:  # the check is optional; without a model it stays silent
        return []
    objective, rows = vecs[0], vecs[1:]
    return [
        Hit(
            {"objective": ctx.objective.title, "text": k.analysis.facts.text},
            objective_index=ctx.index,
            kr_index=i,
        )
        for i, k in enumerate(ctx.krs)
        if float(rows[i] @ objective) < ALIGNMENT_THRESHOLD
    ]

"""Objective rules: OKR010 number in the objective, OKR011 objective is a task, OKR012/OKR013
KR count, OKR016 KR not aligned with its objective (preview, uses the embedding backend)."""

from __future__ import annotations

import re

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


ALIGNMENT_THRESHOLD = 0.12  # cosine; calibrated on the examples in rules.yaml (see docs/rules.md)


@check("OKR016")
def kr_not_aligned(ctx: ObjectiveContext) -> list[Hit]:
    """A KR far from both its objective and the centre of its sibling KRs."""
    krs = ctx.krs
    if len(krs) < 2:
        return []
    try:
        from coach.embeddings import WordLlamaEmbedder

        embedder = WordLlamaEmbedder()
        texts = [ctx.objective.title] + [k.analysis.facts.text for k in krs]
        vecs = embedder.embed(texts)
    except Exception:  # the check is optional; without a model it stays silent
        return []
    obj, rows = vecs[0], vecs[1:]
    hits = []
    for i, k in enumerate(krs):
        others = [rows[j] for j in range(len(krs)) if j != i]
        centre = sum(others) / len(others)
        norm = float((centre @ centre) ** 0.5) or 1.0
        score = max(float(rows[i] @ obj), float(rows[i] @ centre) / norm)
        if score < ALIGNMENT_THRESHOLD:
            hits.append(
                Hit(
                    {"objective": ctx.objective.title, "text": k.analysis.facts.text},
                    objective_index=ctx.index,
                    kr_index=i,
                )
            )
    return hits

"""LLM tasks, grounded in the rule findings, the KPI catalog and lessons from past cycles.

Every task renders a versioned prompt (``prompts/``), asks through :mod:`coach.llm`, validates
the answer against the registries, re-checks every rewrite or drafted KR with the rule engine
and, when the model is off or misbehaves, returns the rule-based result with the reason in
``fallback_reason``: never worse than the offline coach.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from coach.llm_schemas import (
    KpiPick,
    Problem,
    Rewrite,
    numbers_in,
)
from coach.models import Cycle, Finding, KpiRef, Objective, Passage, Severity

if TYPE_CHECKING:
    from coach.config import Settings
    from coach.llm import LlmSession
    from coach.llm_cache import LlmCache
    from coach.prompting import RenderedPrompt

Partial = Callable[[str], None] | None
LESSONS_PER_OBJECTIVE = 5
KPI_CANDIDATES = 8


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KpiChoice(_Result):
    kpi_id: str
    name: str
    why: str


class KrReview(_Result):
    index: int
    id: str | None = None
    text: str
    findings: list[Finding] = Field(default_factory=list, description="the rule engine's")
    verdict: Literal["good", "improve", "rewrite", "move_to_initiatives"]
    problems: list[Problem] = Field(default_factory=list)
    rewrite: str | None = None
    rewrite_findings: list[Finding] = Field(
        default_factory=list, description="what the rules still find in the rewrite"
    )
    initiative: str | None = Field(default=None, description="the task as an initiative")
    kpis: list[KpiChoice] = Field(default_factory=list)
    source: Literal["llm", "rules"] = "llm"
    lessons: list[str] = Field(default_factory=list, description="ids of cited passages")
    lesson_why: dict[str, str] = Field(
        default_factory=dict, description="per cited passage id: what it means for this KR"
    )


class CritiqueResult(_Result):
    objective_index: int
    objective_id: str | None = None
    title: str
    source: Literal["llm", "rules"]
    note: str | None = None
    missing: list[str] = Field(default_factory=list)
    key_results: list[KrReview] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    prompt: str | None = Field(default=None, description="template name and version used")
    fallback_reason: str | None = None


class DraftedKr(_Result):
    text: str
    metric: str | None = None
    unit: str | None = None
    direction: str | None = None
    why: str | None = None
    kpi_id: str | None = None
    findings: list[Finding] = Field(default_factory=list)


class DraftKrsResult(_Result):
    objective: str
    source: Literal["llm", "rules"]
    candidates: list[DraftedKr] = Field(default_factory=list)
    fallback_reason: str | None = None


class DraftedObjective(_Result):
    title: str
    why_now: str
    lessons: list[str] = Field(default_factory=list)


class DraftObjectivesResult(_Result):
    source: Literal["llm", "rules"]
    candidates: list[DraftedObjective] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    fallback_reason: str | None = None


class RewriteResult(_Result):
    original: str
    source: Literal["llm", "rules"]
    text: str | None = None
    why: str | None = None
    codes: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list, description="rules on the rewrite")
    attempts: int = 0
    fallback_reason: str | None = None


# ---------------------------------------------------------------------------------- grounding


def _kr_rule_codes() -> set[str]:
    from coach.rules.registry import rules_by_scope

    return {r.code for r in rules_by_scope("kr")}


def _rules_table() -> list[dict[str, str]]:
    """The KR-level rules only (a KR problem never carries an objective or set code), each as
    its first sentence without the examples in brackets: whole, never cut mid-clause."""
    from coach.rules.registry import RULES

    rows = []
    for code in sorted(_kr_rule_codes()):
        rule = RULES[code]
        what = rule.text("en").what.split(". ")[0].strip().rstrip(".")
        what = re.sub(r"\s*\((?:[^()]|\([^()]*\))*\)", "", what)
        title = rule.name if not what or what.startswith("Preview") else what
        rows.append({"code": code, "category": str(rule.category), "title": title})
    return rows


def _kpi_candidates(
    texts: list[str], lang: str, settings: Settings, team_kpis: list[KpiRef] | None = None
) -> list[dict[str, str]]:
    """The best catalog KPIs for the objective and its KRs (the model picks among these)."""
    from coach.kpis import CANDIDATE_FLOOR, suggest_kpis

    best: dict[str, tuple[float, dict[str, str]]] = {}
    team = tuple(team_kpis or ())
    for text in texts:
        candidates = functools.partial(suggest_kpis, floor=CANDIDATE_FLOOR)
        for s in _suggest_cached(candidates, text, lang, settings, team):
            row = {"id": s.kpi_id, "name": s.name, "reason": s.reason or ""}
            if s.kpi_id not in best or s.score > best[s.kpi_id][0]:
                best[s.kpi_id] = (s.score, row)
    ranked = sorted(best.values(), key=lambda p: -p[0])
    return [row for _, row in ranked[:KPI_CANDIDATES]]


_SUGGESTIONS: dict[tuple[str, str, str, str], list[Any]] = {}


def _suggest_cached(
    suggest: Callable[..., list[Any]],
    text: str,
    lang: str,
    settings: Settings,
    team: tuple[KpiRef, ...],
) -> list[Any]:
    """KPI ranking costs tens of ms per text; a session critiques the same KRs repeatedly."""
    team_key = "|".join(k.model_dump_json() for k in team)
    key = (text, lang, settings.embedding.backend, team_key)
    if key not in _SUGGESTIONS:
        if len(_SUGGESTIONS) > 2048:
            _SUGGESTIONS.clear()
        _SUGGESTIONS[key] = suggest(text, lang=lang, k=5, settings=settings, team_kpis=list(team))
    return _SUGGESTIONS[key]


# What earlier cycles learnt lives in retros, then check-ins; an OKR file only says what was
# planned. Each round fills the lesson slots before the next kind is searched.
LESSON_ROUNDS: tuple[tuple[str, ...] | None, ...] = (("retro",), ("checkin",), None)
# Below this fused score a passage shares a word or two by chance (measured on the demo: the
# retro lines that apply score 0.11-0.20, unrelated ones 0.04-0.09).
MIN_LESSON_SCORE = 0.1
# A passage sharing no word with the KR (by stem) must be this close in meaning to count.
CLEAR_LESSON_SCORE = 0.2
_CYCLE_ID = re.compile(r"^(\d{4})-([QHT])(\d)$", re.IGNORECASE)
_WHY = {
    "en": {
        "objective": "the objective",
        "kr": "KR {id}",
        "for": "{kind} from {cycle}, on {what}",
        "plain": "{kind} from {cycle}",
    },
    "sv": {
        "objective": "målet",
        "kr": "NR {id}",
        "for": "{kind} från {cycle}, om {what}",
        "plain": "{kind} från {cycle}",
    },
}
_KIND_NAMES = {
    "en": {"retro": "retro", "checkin": "check-in", "okrs": "OKRs", "notes": "notes"},
    "sv": {"retro": "retro", "checkin": "avstämning", "okrs": "OKR:er", "notes": "anteckningar"},
}


def _not_earlier(cycle: str | None, current: str | None) -> bool:
    """True when ``cycle`` is the cycle under review or a later one (same id scheme only)."""
    if not cycle or not current:
        return False
    if cycle.casefold() == current.casefold():
        return True
    a, b = _CYCLE_ID.match(cycle), _CYCLE_ID.match(current)
    if not a or not b or a[2].upper() != b[2].upper():
        return False
    return (int(a[1]), int(a[3])) >= (int(b[1]), int(b[3]))


def _same_file(passage_source: str, reviewed: str | None) -> bool:
    """The passage comes from the file under review (sources are workspace-relative paths)."""
    if not reviewed:
        return False
    src = Path(passage_source).as_posix()
    rev = Path(reviewed).as_posix()
    return src == rev or rev.endswith("/" + src) or src.endswith("/" + rev)


def _shared_words(query: str, text: str, limit: int = 3) -> list[str]:
    """Words of the passage that the query also uses (by stem): the visible reason it matched."""
    from coach.lexical import content_words

    stems = {s for s, _ in content_words(query)}
    out: list[str] = []
    for word in dict.fromkeys(w.lower() for w in re.findall(r"[^\W\d_]{4,}", text)):
        found = content_words(word)
        if found and found[0][0] in stems:
            out.append(word)
            if len(out) == limit:
                break
    return out


def _why(p: Passage, label: str, shared: list[str], lang: str) -> str:
    t, kinds = _WHY.get(lang, _WHY["en"]), _KIND_NAMES.get(lang, _KIND_NAMES["en"])
    kind = kinds.get(p.kind or "", p.kind or "document")
    why = t["for" if label else "plain"].format(kind=kind, cycle=p.cycle or "?", what=label)
    return f"{why} ({', '.join(shared)})" if shared else why


def _lessons(
    item: Any,
    settings: Settings,
    notes: list[str],
    current_cycle: str | None = None,
    *,
    reviewed_file: str | None = None,
    lang: str = "en",
    k: int = LESSONS_PER_OBJECTIVE,
) -> list[Passage]:
    """Lessons from earlier cycles for an objective (each of its KRs searched too), a KR or a
    text; memory trouble costs the lessons, not the task.

    Nothing from the file or the cycle under review (nor a later cycle) is used: once the
    draft is ingested its own KRs would come back as the best "lessons". Retros and check-ins
    are searched first, so each KR gets what an earlier cycle learnt before any plain OKR text.
    Each passage carries ``why``: what it was found for and the words it shares with it.
    """
    from coach.memory import lessons_for, query_for

    t = _WHY.get(lang, _WHY["en"])
    queries: list[tuple[str, Any]] = [(t["objective"] if isinstance(item, Objective) else "", item)]
    if isinstance(item, Objective):
        queries += [
            (t["kr"].format(id=kr.id or f"#{i + 1}"), kr) for i, kr in enumerate(item.key_results)
        ]

    def usable(p: Passage) -> bool:
        return (
            p.score >= MIN_LESSON_SCORE
            and not _not_earlier(p.cycle, current_cycle)
            and not _same_file(p.source, reviewed_file)
        )

    chosen: dict[tuple[str, Any], Passage] = {}  # by place: check-ins share a line
    try:
        for kinds in LESSON_ROUNDS:
            if len(chosen) >= k:
                break
            where = {"kind": list(kinds)} if kinds else None
            pools = [
                [p for p in lessons_for(q, settings, filters=where, k=k + 10) if usable(p)]
                for _, q in queries
            ]
            # Round robin: every KR gets its best lesson before any gets a second one.
            while len(chosen) < k and any(pools):
                for (label, q), pool in zip(queries, pools, strict=True):
                    while pool and (pool[0].source, pool[0].lines) in chosen:
                        pool.pop(0)
                    if pool and len(chosen) < k:
                        p = pool.pop(0)
                        shared = _shared_words(query_for(q), p.text)
                        if shared or p.score >= CLEAR_LESSON_SCORE:  # else a chance match
                            why = _why(p, label, shared, lang)
                            chosen[p.source, p.lines] = p.model_copy(update={"why": why})
    except Exception as e:  # no store yet, a broken store: critique still works
        notes.append(f"lessons from past cycles unavailable ({type(e).__name__}: {e})")
        return []
    return [p.model_copy(update={"n": i}) for i, p in enumerate(chosen.values(), start=1)]


def _passage_vars(passages: list[Passage]) -> list[dict[str, Any]]:
    return [
        {
            "n": p.n,
            "id": p.id,
            "text": p.text,
            "source": p.source,
            "cycle": p.cycle,
            "team": p.team,
            "kind": p.kind,
            "lines": f"{p.lines[0]}-{p.lines[1]}" if p.lines else None,
            "heading_path": " > ".join(p.heading_path),
            "why": p.why,
        }
        for p in passages
    ]


def _finding_vars(findings: list[Finding]) -> list[dict[str, str]]:
    return [{"code": f.code, "severity": f.severity.value, "message": f.message} for f in findings]


def _language(settings: Settings, file_language: str | None, lang: str | None) -> str:
    from coach.i18n import ui_language

    return lang if lang in ("en", "sv") else ui_language(settings.language, file_language)


def _context(
    passages: list[Passage],
    allowed: set[str],
    kpis: list[dict[str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What the answer is validated against: only what the prompt showed (``kpis``: the KPI
    candidates; None for a task that shows none)."""
    ctx: dict[str, Any] = {
        "rule_codes": _kr_rule_codes(),
        "passage_ids": {p.id for p in passages},
        "passage_ns": {p.n for p in passages},
        "allowed_numbers": allowed | {p for pas in passages for p in numbers_in(pas.text)},
        **extra,
    }
    if kpis is not None:
        ctx["kpi_ids"] = {k["id"] for k in kpis}
    return ctx


def _cache(settings: Settings, use_cache: bool) -> LlmCache:
    from coach.llm_cache import LlmCache

    return LlmCache.for_workspace(settings.workspace, enabled=use_cache)


def _ask(
    prompt: RenderedPrompt,
    context: dict[str, Any],
    settings: Settings,
    session: LlmSession | None,
    use_cache: bool,
    on_partial: Partial,
) -> Any:
    """One validated call for a rendered prompt; its template header names the output model."""
    from coach import llm
    from coach.llm_schemas import SCHEMAS

    return llm.complete_structured(
        prompt.messages,
        SCHEMAS[prompt.schema_name],
        settings.llm,
        task=f"{prompt.name}.v{prompt.version}",
        session=session,
        context=context,
        cache=_cache(settings, use_cache),
        on_partial=on_partial,
    )


def _recheck(text: str, lang: str, objective_title: str | None) -> list[Finding]:
    """The rules on a model's KR text, read in its own language (a Swedish rewrite under an
    English UI is still Swedish); messages in ``lang``."""
    from coach.engine import check_kr_text

    check = check_kr_text(text, objective_title=objective_title, ui_lang=lang)
    return list(check.findings)


def _fails(findings: list[Finding]) -> bool:
    return any(f.severity.rank >= Severity.warning.rank for f in findings)


# ------------------------------------------------------------------------------------ critique


def _check(cycle: Cycle, settings: Settings, lang: str, loaded: Any) -> Any:
    from coach.engine import check_cycle

    return check_cycle(cycle, settings.rules, loaded=loaded, lang=lang, app_settings=settings)


def build_critique_prompt(
    cycle: Cycle,
    objective_index: int,
    settings: Settings,
    *,
    lang: str | None = None,
    loaded: Any = None,
    check: Any = None,
    notes: list[str] | None = None,
) -> tuple[RenderedPrompt, dict[str, Any], Any, list[Passage]]:
    """Everything one critique request needs: (prompt, validation context, checks, passages)."""
    from coach import llm
    from coach.prompting import render

    notes = notes if notes is not None else []
    lang = _language(settings, cycle.language.value, lang)
    check = check if check is not None else _check(cycle, settings, lang, loaded)
    objective = cycle.objectives[objective_index]
    obj_check = check.objectives[objective_index]

    def line(kr_index: int | None = None) -> int | None:
        return loaded.line_of(objective_index, kr_index) if loaded is not None else None

    passages = _lessons(
        objective,
        settings,
        notes,
        current_cycle=cycle.cycle,
        reviewed_file=str(loaded.path) if loaded is not None else None,
        lang=lang,
    )
    texts = [objective.title, *(kr.text for kr in objective.key_results)]
    krs = [
        {
            "index": i,
            "id": kr.id or f"#{i + 1}",
            "text": kr.text,
            "line": line(i),
            "fields": _kr_fields(kr),
            "findings": _finding_vars(list(obj_check.key_results[i].findings)),
        }
        for i, kr in enumerate(objective.key_results)
    ]
    kpis = _kpi_candidates(texts, lang, settings, cycle.kpis)
    variables = {
        "cycle": {
            "id": cycle.cycle or "(no cycle id)",
            "team": cycle.team,
            "level": cycle.level.value if cycle.level else None,
            "end": cycle.end.isoformat() if cycle.end else None,
        },
        "strategy": cycle.strategy,
        # The file name only: a provider needs no directory layout of the user's machine.
        "source": Path(loaded.path).name if loaded is not None else None,
        "objective": {
            "number": objective_index + 1,
            "id": objective.id,
            "title": objective.title,
            "description": objective.description,
            "line": line(),
            "findings": _finding_vars(list(obj_check.findings)),
        },
        "others": [
            {"id": o.id or f"#{j + 1}", "title": o.title}
            for j, o in enumerate(cycle.objectives)
            if j != objective_index
        ],
        "krs": krs,
        "rules": _rules_table(),
        "kpis": kpis,
        "passages": _passage_vars(passages),
    }
    prompt = render(
        "critique",
        variables,
        language=lang,
        schema_in_prompt=not llm.schema_sent_as_format(settings.llm),
    )
    allowed = set().union(
        *(numbers_in(t) for t in texts),
        numbers_in(cycle.strategy or ""),
        numbers_in(objective.description or ""),
        numbers_in(" ".join(str(x) for x in (cycle.cycle, cycle.start, cycle.end) if x)),
        *(
            numbers_in(
                " ".join(str(v) for v in (kr.baseline, kr.target, kr.current) if v is not None)
            )
            for kr in objective.key_results
        ),
    )
    context = _context(passages, allowed, kpis=kpis, n_krs=len(objective.key_results))
    return prompt, context, check, passages


def _kr_fields(kr: Any) -> dict[str, Any]:
    """The KR's structured fields, for the fence's provenance (unset ones are left out)."""
    keys = ("metric", "baseline", "target", "unit", "direction", "deadline", "owner", "kind")
    fields = {k: str(getattr(kr, k)) for k in keys if getattr(kr, k) not in (None, "")}
    if "kind" in fields:  # the fence's own "kind" names the data, so the KR's is renamed
        fields["commitment"] = fields.pop("kind")
    return fields


def _advice(f: Finding) -> str:
    """A finding as one line of advice: the problem, then what to do about it."""
    return f"{f.message} {f.suggestion}" if f.suggestion else f.message


def _offline_review(objective: Objective, obj_check: Any) -> list[KrReview]:
    """The rules' review. A rule's suggestion is an instruction ("Add where you start: …"),
    not KR text, so it is given as advice in the problems and never as a rewrite to accept."""
    reviews = []
    for i, kr in enumerate(objective.key_results):
        findings = list(obj_check.key_results[i].findings)
        reviews.append(
            KrReview(
                index=i,
                id=kr.id,
                text=kr.text,
                findings=findings,
                verdict="improve" if _fails(findings) else "good",
                problems=[Problem(code=f.code, text=_advice(f)) for f in findings],
                source="rules",
            )
        )
    return reviews


def critique_objective(
    cycle: Cycle,
    objective_index: int,
    settings: Settings,
    *,
    lang: str | None = None,
    loaded: Any = None,
    check: Any = None,
    session: LlmSession | None = None,
    use_cache: bool = True,
    on_partial: Partial = None,
    notes: list[str] | None = None,
) -> CritiqueResult:
    """Critique one objective and all its KRs in one LLM call; the rules' result on failure."""
    from coach import llm

    notes = notes if notes is not None else []
    objective = cycle.objectives[objective_index]
    lang = _language(settings, cycle.language.value, lang)
    check = check if check is not None else _check(cycle, settings, lang, loaded)
    obj_check = check.objectives[objective_index]
    base = {"objective_index": objective_index, "objective_id": objective.id}
    base["title"] = objective.title
    if not settings.llm.enabled:
        review = _offline_review(objective, obj_check)
        return CritiqueResult(
            **base, source="rules", key_results=review, fallback_reason=llm.off_hint(lang)
        )
    prompt, context, _, passages = build_critique_prompt(
        cycle, objective_index, settings, lang=lang, loaded=loaded, check=check, notes=notes
    )
    salvaged: dict[int, Any] = {}
    try:
        answer = _ask(prompt, context, settings, session, use_cache, on_partial)
        items = answer.key_results
    except llm.LlmError as e:
        salvaged = _salvage(e, context, len(objective.key_results))
        if not salvaged:
            review = _offline_review(objective, obj_check)
            return CritiqueResult(
                **base,
                source="rules",
                key_results=review,
                passages=passages,
                fallback_reason=e.localized(lang),
            )
        answer, items, reason = None, list(salvaged.values()), e.localized(lang)
    names = _kpi_names(lang, cycle.kpis)
    reviews = (
        []
        if not salvaged
        else [r for r in _offline_review(objective, obj_check) if r.index not in salvaged]
    )
    for item in sorted(items, key=lambda k: k.index):
        kr = objective.key_results[item.index]
        rewrite_findings = _recheck(item.rewrite, lang, objective.title) if item.rewrite else []
        reviews.append(
            KrReview(
                index=item.index,
                id=kr.id,
                text=kr.text,
                findings=list(obj_check.key_results[item.index].findings),
                verdict=item.verdict,
                problems=item.problems,
                rewrite=item.rewrite,
                rewrite_findings=rewrite_findings,
                initiative=item.initiative,
                kpis=[_choice(p, names) for p in item.kpis],
                lessons=[c.id for c in item.lessons],
                lesson_why={c.id: c.why for c in item.lessons},
            )
        )
    return CritiqueResult(
        **base,
        source="llm",
        note=answer.objective_note if answer is not None else None,
        missing=answer.missing if answer is not None else [],
        key_results=sorted(reviews, key=lambda r: r.index),
        passages=passages,
        prompt=f"{prompt.name}.v{prompt.version}",
        # Some KRs validated and others did not: those are the rules' review, and this says why.
        fallback_reason=reason if salvaged else None,
    )


def _salvage(error: Exception, context: dict[str, Any], n_krs: int) -> dict[int, Any]:
    """The KR reviews of a last answer that never validated as a whole but whose parts do
    (an unknown code in one KR must not throw away the other KRs' good reviews)."""
    from pydantic import ValidationError

    from coach.llm import LlmBadOutput, extract_json
    from coach.llm_schemas import KrCritique

    if not isinstance(error, LlmBadOutput) or not error.last_completion:
        return {}
    try:
        data = extract_json(error.last_completion)
    except ValueError:
        return {}
    items = data.get("key_results") if isinstance(data, dict) else None
    kept: dict[int, Any] = {}
    for raw in items if isinstance(items, list) else []:
        try:
            item = KrCritique.model_validate(raw, context=context)
        except ValidationError:
            continue
        if item.index < n_krs and item.index not in kept:
            kept[item.index] = item
    return kept


def _kpi_names(lang: str, team_kpis: list[KpiRef]) -> dict[str, str]:
    from coach.kpis import load_catalog

    names = {k.id: k.name.in_lang(lang) for k in load_catalog().kpis}
    names.update({k.id: k.name for k in team_kpis})
    return names


def _choice(pick: KpiPick, names: dict[str, str]) -> KpiChoice:
    return KpiChoice(kpi_id=pick.kpi_id, name=names.get(pick.kpi_id, pick.kpi_id), why=pick.why)


# ----------------------------------------------------------------------------------- rewrite


def rewrite_kr(
    kr_text: str,
    settings: Settings,
    lang: str | None = None,
    *,
    objective_title: str | None = None,
    deadline: str | None = None,
    session: LlmSession | None = None,
    use_cache: bool = True,
    on_partial: Partial = None,
) -> RewriteResult:
    """Rewrite one KR; a rewrite the rules still flag gets one more attempt, then is shown
    with its findings."""
    from coach import llm
    from coach.prompting import render

    lang = _language(settings, None, lang)
    findings = _recheck(kr_text, lang, objective_title)
    advice = " ".join(_advice(f) for f in findings) or None
    if not settings.llm.enabled:  # the rules' advice only: it is not KR text to put in place
        return RewriteResult(
            original=kr_text,
            source="rules",
            why=advice,
            fallback_reason=llm.off_hint(lang),
        )
    allowed = numbers_in(kr_text) | numbers_in(objective_title or "") | numbers_in(deadline or "")
    context = _context([], allowed)
    previous: Rewrite | None = None
    previous_findings: list[Finding] = []
    result: RewriteResult | None = None
    for attempt in (1, 2):
        variables = {
            "kr_text": kr_text,
            "objective_title": objective_title,
            "deadline": deadline,
            "findings": _finding_vars(findings),
            "previous_attempt": previous.text if previous else None,
            "previous_findings": _finding_vars(previous_findings),
        }
        prompt = render(
            "rewrite",
            variables,
            language=lang,
            schema_in_prompt=not llm.schema_sent_as_format(settings.llm),
        )
        try:
            answer = _ask(prompt, context, settings, session, use_cache, on_partial)
        except llm.LlmError as e:
            if result is not None:  # keep the first rewrite, shown with its findings
                return result
            return RewriteResult(
                original=kr_text,
                source="rules",
                why=advice,
                fallback_reason=e.localized(lang),
            )
        new_findings = _recheck(answer.text, lang, objective_title)
        result = RewriteResult(
            original=kr_text,
            source="llm",
            text=answer.text,
            why=answer.why,
            codes=answer.codes,
            findings=new_findings,
            attempts=attempt,
        )
        if not _fails(new_findings):
            break
        previous, previous_findings = answer, new_findings
    assert result is not None
    return result


# ------------------------------------------------------------------------------------ drafting


def _draft_objectives_prompt(
    strategy: str,
    settings: Settings,
    lang: str,
    existing: list[str] | None = None,
    source: str | None = None,
) -> tuple[RenderedPrompt, dict[str, Any], list[Passage]]:
    from coach import llm
    from coach.prompting import render

    passages = _lessons(strategy, settings, [], lang=lang)
    variables = {
        "strategy": strategy,
        "source": source,
        "existing": existing or [],
        "passages": _passage_vars(passages),
    }
    prompt = render(
        "draft-objectives",
        variables,
        language=lang,
        schema_in_prompt=not llm.schema_sent_as_format(settings.llm),
    )
    return prompt, _context(passages, numbers_in(strategy)), passages


def _draft_krs_prompt(
    objective: Objective | str,
    settings: Settings,
    lang: str,
    strategy: str | None = None,
    deadline: str | None = None,
) -> tuple[RenderedPrompt, dict[str, Any], list[Passage]]:
    from coach import llm
    from coach.prompting import render

    title = objective.title if isinstance(objective, Objective) else objective
    passages = _lessons(objective, settings, [], lang=lang)
    kpis = _kpi_candidates([title], lang, settings)
    variables = {
        "objective_title": title,
        "strategy": strategy,
        "deadline": deadline,
        "kpis": kpis,
        "passages": _passage_vars(passages),
    }
    prompt = render(
        "draft-krs",
        variables,
        language=lang,
        schema_in_prompt=not llm.schema_sent_as_format(settings.llm),
    )
    allowed = numbers_in(title) | numbers_in(strategy or "") | numbers_in(deadline or "")
    return prompt, _context(passages, allowed, kpis=kpis), passages


def build_draft_prompt(
    strategy: str,
    settings: Settings,
    lang: str,
    objective_title: str | None = None,
    deadline: str | None = None,
    source: str | None = None,
    existing: list[str] | None = None,
) -> RenderedPrompt:
    """The drafting prompt exactly as it would be sent (for ``draft --show-prompt`` and the
    TUI's preview)."""
    if objective_title:
        return _draft_krs_prompt(objective_title, settings, lang, strategy, deadline)[0]
    return _draft_objectives_prompt(strategy, settings, lang, existing, source=source)[0]


def draft_objectives(
    strategy: str,
    settings: Settings,
    lang: str | None = None,
    *,
    existing: list[str] | None = None,
    session: LlmSession | None = None,
    use_cache: bool = True,
    on_partial: Partial = None,
    source: str | None = None,
) -> DraftObjectivesResult:
    """Two to four candidate objectives (with why-now) from a strategy text."""
    from coach import llm

    lang = _language(settings, None, lang)
    if not settings.llm.enabled:
        return DraftObjectivesResult(source="rules", fallback_reason=llm.off_hint(lang))
    prompt, context, passages = _draft_objectives_prompt(strategy, settings, lang, existing, source)
    try:
        answer = _ask(prompt, context, settings, session, use_cache, on_partial)
    except llm.LlmError as e:
        return DraftObjectivesResult(
            source="rules", passages=passages, fallback_reason=e.localized(lang)
        )
    return DraftObjectivesResult(
        source="llm",
        candidates=[DraftedObjective(**c.model_dump()) for c in answer.candidates],
        passages=passages,
    )


def _skeletons(
    objective_title: str,
    lang: str,
    settings: Settings,
    deadline: str | None,
    strategy: str | None = None,
) -> list[DraftedKr]:
    """Offline drafts: catalog KPIs the objective (else its strategy) points at, as from ___ to
    ___ skeletons. None when neither names anything the catalog measures."""
    if lang == "sv":
        pattern, by = "{name}: från ___ till ___{by}", f" senast {deadline}" if deadline else ""
    else:
        pattern, by = "{name}: from ___ to ___{by}", f" by {deadline}" if deadline else ""
    out = []
    kpis = _kpi_candidates([objective_title], lang, settings)
    if not kpis and strategy:
        kpis = _kpi_candidates([strategy], lang, settings)
    for kpi in kpis[:4]:
        text = pattern.format(name=kpi["name"], by=by)
        out.append(
            DraftedKr(
                text=text,
                metric=kpi["name"],
                why=kpi["reason"] or None,
                kpi_id=kpi["id"],
                findings=_recheck(text, lang, objective_title),
            )
        )
    return out


def draft_krs(
    objective: Objective | str,
    settings: Settings,
    lang: str | None = None,
    *,
    strategy: str | None = None,
    deadline: str | None = None,
    session: LlmSession | None = None,
    use_cache: bool = True,
    on_partial: Partial = None,
) -> DraftKrsResult:
    """Three to five candidate KRs with baseline and target left blank, each re-checked."""
    from coach import llm

    title = objective.title if isinstance(objective, Objective) else objective
    lang = _language(settings, None, lang)
    if not settings.llm.enabled:
        return DraftKrsResult(
            objective=title,
            source="rules",
            candidates=_skeletons(title, lang, settings, deadline, strategy),
            fallback_reason=llm.off_hint(lang),
        )
    prompt, context, _ = _draft_krs_prompt(objective, settings, lang, strategy, deadline)
    try:
        answer = _ask(prompt, context, settings, session, use_cache, on_partial)
    except llm.LlmError as e:
        return DraftKrsResult(
            objective=title,
            source="rules",
            candidates=_skeletons(title, lang, settings, deadline, strategy),
            fallback_reason=e.localized(lang),
        )
    candidates = [
        DraftedKr(**c.model_dump(), findings=_recheck(c.text, lang, title))
        for c in answer.candidates
    ]
    return DraftKrsResult(objective=title, source="llm", candidates=candidates)


# -------------------------------------------------------------------------------------- answer


def answer_question(
    question: str,
    passages: list[Passage],
    settings: Settings,
    *,
    lang: str | None = None,
    session: LlmSession | None = None,
    use_cache: bool = True,
    on_partial: Partial = None,
    on_error: Callable[[str], None] | None = None,
) -> str | None:
    """An answer citing the passages as [n]; None when the LLM is off or fails (the caller
    then shows the passages alone). ``on_error`` receives the reason."""
    from coach import llm
    from coach.prompting import render

    if not settings.llm.enabled or not passages:
        if on_error is not None:
            key = "off" if not settings.llm.enabled else "no_passages"
            on_error(llm.say(key, _language(settings, None, lang)))
        return None
    lang = _language(settings, None, lang)
    prompt = render(
        "answer",
        {"question": question, "passages": _passage_vars(passages)},
        language=lang,
        schema_in_prompt=not llm.schema_sent_as_format(settings.llm),
    )
    context = {
        "passage_ids": {p.id for p in passages},
        "passage_ns": {p.n for p in passages},
    }
    try:
        answer = _ask(prompt, context, settings, session, use_cache, on_partial)
    except llm.LlmError as e:
        if on_error is not None:
            on_error(e.localized(lang))
        return None
    return answer.answer

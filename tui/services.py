"""The TUI's one door into ``coach/``: rule checks, KPIs, lessons, critique, scoring.

Every call goes through the public APIs listed in docs/ARCHITECTURE.md. Parts of ``coach/`` are
built in parallel, so each call degrades to "not available" (a readable reason, never an
ImportError traceback) when its module is missing. Heavy modules are imported inside the
functions, so the app starts without loading litellm, chromadb or the embedding model.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coach.models import Finding, KeyResult, Objective, Passage

if TYPE_CHECKING:
    from coach.config import Settings
    from coach.models import Cycle

# Fields a KR check may fill in from the parsed text (the cycle-file names).
PARSED_FIELDS = ("metric", "baseline", "target", "unit", "direction", "deadline", "owner", "kind")


class Unavailable(Exception):
    """A part of ``coach/`` this feature needs is not installed or not built yet."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise Unavailable(f"{name} is not available ({e})") from None


def _as_dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return dict(obj)
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    return {k: getattr(obj, k) for k in PARSED_FIELDS if hasattr(obj, k)}


def _findings(items: Any) -> list[Finding]:
    out: list[Finding] = []
    for f in items or []:
        out.append(f if isinstance(f, Finding) else Finding.model_validate(_as_dict(f)))
    return out


@dataclass
class KrCheckView:
    """What the KR editor shows beside one key result."""

    text: str
    findings: list[Finding] = field(default_factory=list)
    parsed: dict[str, Any] = field(default_factory=dict)
    language: str | None = None
    available: bool = True


def check_kr(
    text: str,
    lang: str | None = None,
    objective_title: str | None = None,
    ui_lang: str | None = None,
    settings: Settings | None = None,
) -> KrCheckView:
    """The fast path for live checks (runs on every debounced keystroke).

    ``lang`` is the language the KR is written in (None = detect); ``ui_lang`` the messages'.
    """
    try:
        engine = _module("coach.engine")
    except Unavailable:
        return KrCheckView(text=text, available=False)
    extra: dict[str, Any] = {}
    params = _params(engine.check_kr_text)
    if "ui_lang" in params:
        extra["ui_lang"] = ui_lang
    if "rules" in params and settings is not None:
        extra["rules"] = settings.rules
    kc = engine.check_kr_text(text, lang=lang, objective_title=objective_title, **extra)
    parsed = {k: v for k, v in _as_dict(getattr(kc, "parsed", None)).items() if v not in (None, "")}
    return KrCheckView(
        text=text,
        findings=_findings(getattr(kc, "findings", [])),
        parsed=parsed,
        language=getattr(kc, "language", None),
    )


@functools.cache
def _params(fn: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(fn).parameters)


def check_cycle(cycle: Cycle, settings: Settings | None, lang: str | None = None) -> list[Finding]:
    """Every finding for the whole set; ``lang`` is the language of the messages (the UI's)."""
    try:
        engine = _module("coach.engine")
    except Unavailable:
        return []
    rules = settings.rules if settings is not None else None
    result = engine.check_cycle(cycle, rules, lang=lang)
    return _findings(result.all_findings())


def objective_findings(cycle: Cycle, settings: Settings | None, lang: str | None) -> list[Finding]:
    """Findings about objectives and the set (not about single KRs)."""
    return [f for f in check_cycle(cycle, settings, lang) if f.location.kr_index is None]


def engine_available() -> bool:
    try:
        _module("coach.engine")
    except Unavailable:
        return False
    return True


@dataclass
class RuleDoc:
    """One rule's documentation in one language (ruff-style sections)."""

    code: str
    title: str
    category: str = ""
    severity: str = ""
    what: str = ""
    why: str = ""
    example: str = ""
    instead: str = ""


def rule_docs(lang: str) -> list[RuleDoc]:
    """The rule registry's documentation in the UI language (empty when rules are not built)."""
    try:
        registry = _module("coach.rules.registry")
    except Unavailable:
        return []
    docs: list[RuleDoc] = []
    for code, rule in sorted(registry.RULES.items()):
        if getattr(rule, "preview", False):
            continue
        text = rule.text(lang) if hasattr(rule, "text") else None
        docs.append(
            RuleDoc(
                code=code,
                title=str(getattr(rule, "name", code)),
                category=str(getattr(rule, "category", "")),
                severity=str(getattr(getattr(rule, "severity", ""), "value", "")),
                what=str(getattr(text, "what", "") or ""),
                why=str(getattr(text, "why", "") or ""),
                example=str(getattr(text, "example", "") or ""),
                instead=str(getattr(text, "instead", "") or ""),
            )
        )
    return docs


# ------------------------------------------------------------------ slow paths (worker threads)


@dataclass
class KpiView:
    kpi_id: str
    name: str
    reason: str
    role: str
    score: float


def suggest_kpis(
    text: str, lang: str | None, settings: Settings | None, k: int = 5
) -> list[KpiView]:
    kpis = _module("coach.kpis")
    out = []
    for s in kpis.suggest_kpis(text, lang=lang, k=k, settings=settings):
        out.append(
            KpiView(
                kpi_id=str(s.kpi_id),
                name=str(s.name),
                reason=str(getattr(s, "reason", "") or ""),
                role=str(getattr(s, "role", "") or ""),
                score=float(getattr(s, "score", 0.0) or 0.0),
            )
        )
    return out


def lessons_for(
    item: KeyResult | Objective | str,
    settings: Settings,
    k: int = 5,
    current_cycle: str | None = None,
) -> list[Passage]:
    """Passages from past cycles. Once a cycle is saved and ingested, its own OKR file would
    echo the text being edited back as its best "lesson": those passages are dropped (notes and
    retros that name the cycle stay) and the rest renumbered [1]..[k]."""
    memory = _module("coach.memory")
    extra = 10 if current_cycle else 0  # room for the dropped echoes
    found = memory.lessons_for(item, settings, k=k + extra)
    kept = [p for p in found if not (current_cycle and is_own_okrs(p, current_cycle))][:k]
    return [p.model_copy(update={"n": n}) for n, p in enumerate(kept, start=1)]


def is_own_okrs(p: Passage, cycle_id: str) -> bool:
    return p.kind == "okrs" and p.cycle == cycle_id


def llm_enabled(settings: Settings | None) -> bool:
    return bool(settings is not None and settings.llm.enabled)


def critique_objective(
    cycle: Cycle,
    objective_index: int,
    settings: Settings,
    on_partial: Callable[[str], None] | None = None,
) -> Any:
    """Critique one objective; streams through ``on_partial`` when the critique supports it."""
    critique = _module("coach.critique")
    fn = critique.critique_objective
    if on_partial is not None and "on_partial" in inspect.signature(fn).parameters:
        return fn(cycle, objective_index, settings, on_partial=on_partial)
    return fn(cycle, objective_index, settings)


def critique_prompt(cycle: Cycle, objective_index: int, settings: Settings) -> str:
    """Exactly what a critique request would send (the privacy view). Slow: run in a worker."""
    critique = _module("coach.critique")
    prompt = critique.build_critique_prompt(cycle, objective_index, settings)[0]
    return prompt.as_text() if hasattr(prompt, "as_text") else str(prompt)


@dataclass
class Draft:
    """A drafted objective or KR offered to the user."""

    text: str
    why: str = ""
    warnings: int = 0


@dataclass
class Drafts:
    items: list[Draft]
    source: str  # "llm" | "rules"
    reason: str = ""  # why the rules' fallback was used


def draft_krs(
    objective_title: str, settings: Settings, lang: str, strategy: str | None, deadline: str | None
) -> Drafts:
    """Candidate KRs: from the model when configured, else skeletons from the KPI catalog."""
    critique = _module("coach.critique")
    result = critique.draft_krs(
        objective_title, settings, lang, strategy=strategy, deadline=deadline
    )
    items = [
        Draft(text=c.text, why=c.why or "", warnings=len(getattr(c, "findings", []) or []))
        for c in result.candidates
    ]
    return Drafts(items, result.source, result.fallback_reason or "")


def draft_objectives(strategy: str, settings: Settings, lang: str, existing: list[str]) -> Drafts:
    """Candidate objectives from the strategy (needs a model; the reason says why if not)."""
    critique = _module("coach.critique")
    result = critique.draft_objectives(strategy, settings, lang, existing=existing)
    items = [Draft(text=c.title, why=c.why_now) for c in result.candidates]
    return Drafts(items, result.source, result.fallback_reason or "")


def rewrite_kr(text: str, settings: Settings, lang: str | None) -> Any:
    critique = _module("coach.critique")
    return critique.rewrite_kr(text, settings, lang)


def score_kr(kr: KeyResult, settings: Settings | None, lang: str = "en") -> Any:
    scoring = _module("coach.scoring")
    bands = settings.scoring.bands if settings is not None else None
    return scoring.score_kr(kr, bands, lang=lang)

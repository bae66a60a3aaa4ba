"""The TUI's one door into ``coach/``: rule checks, KPIs, lessons, critique, scoring.

Every call goes through the public APIs listed in docs/ARCHITECTURE.md. Heavy modules (KPI
embeddings, the memory store, litellm behind the critique) are imported inside the functions,
so the app starts without loading them; the slow calls run in worker threads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coach.models import Finding, KeyResult, Objective, Passage

if TYPE_CHECKING:
    from coach.config import Settings
    from coach.models import Cycle

# Fields a KR check may fill in from the parsed text (the cycle-file names).
PARSED_FIELDS = ("metric", "baseline", "target", "unit", "direction", "deadline", "owner", "kind")


@dataclass
class KrCheckView:
    """What the KR editor shows beside one key result."""

    text: str
    findings: list[Finding] = field(default_factory=list)
    parsed: dict[str, Any] = field(default_factory=dict)
    language: str | None = None


def check_kr(
    text: str,
    lang: str | None = None,
    objective_title: str | None = None,
    ui_lang: str | None = None,
    settings: Settings | None = None,
    cycle: Cycle | None = None,
) -> KrCheckView:
    """The fast path for live checks (runs on every debounced keystroke).

    ``lang`` is the language the KR is written in (None = detect); ``ui_lang`` the messages'.
    ``cycle`` gives the KR its period, so the live check agrees with the whole-set check.
    """
    from coach.engine import check_kr_text

    kc = check_kr_text(
        text,
        lang=lang,
        objective_title=objective_title,
        ui_lang=ui_lang,
        rules=settings.rules if settings is not None else None,
        cycle=cycle,
    )
    parsed = {k: v for k, v in kc.parsed.items() if v not in (None, "")}
    return KrCheckView(text=text, findings=list(kc.findings), parsed=parsed, language=kc.language)


def check_cycle(cycle: Cycle, settings: Settings | None, lang: str | None = None) -> list[Finding]:
    """Every finding for the whole set; ``lang`` is the language of the messages (the UI's)."""
    from coach import engine

    rules = settings.rules if settings is not None else None
    return engine.check_cycle(cycle, rules, lang=lang).all_findings()


def objective_findings(cycle: Cycle, settings: Settings | None, lang: str | None) -> list[Finding]:
    """Findings about objectives and the set (not about single KRs)."""
    return [f for f in check_cycle(cycle, settings, lang) if f.location.kr_index is None]


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
    """The rule registry's documentation in the UI language (preview rules left out)."""
    from coach.rules.registry import RULES

    docs: list[RuleDoc] = []
    for code, rule in sorted(RULES.items()):
        if rule.preview:
            continue
        text = rule.text(lang)
        docs.append(
            RuleDoc(
                code=code,
                title=rule.name,
                category=rule.category,
                severity=rule.severity.value,
                what=text.what,
                why=text.why,
                example=text.example,
                instead=text.instead,
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
    from coach.kpis import suggest_kpis as suggest

    return [
        KpiView(kpi_id=s.kpi_id, name=s.name, reason=s.reason, role=str(s.role), score=s.score)
        for s in suggest(text, lang=lang, k=k, settings=settings)
    ]


def lessons_for(
    item: KeyResult | Objective | str,
    settings: Settings,
    k: int = 5,
    current_cycle: str | None = None,
) -> list[Passage]:
    """Passages from past cycles. Once a cycle is saved and ingested, its own OKR file would
    echo the text being edited back as its best "lesson": those passages are dropped (notes and
    retros that name the cycle stay) and the rest renumbered [1]..[k]."""
    from coach.memory import lessons_for as retrieve

    extra = 10 if current_cycle else 0  # room for the dropped echoes
    found = retrieve(item, settings, k=k + extra)
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
    from coach.critique import critique_objective as critique

    return critique(cycle, objective_index, settings, on_partial=on_partial)


def critique_prompt(cycle: Cycle, objective_index: int, settings: Settings) -> str:
    """Exactly what a critique request would send (the privacy view). Slow: run in a worker."""
    from coach.critique import build_critique_prompt

    return build_critique_prompt(cycle, objective_index, settings)[0].as_text()


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
    from coach.critique import draft_krs as draft

    result = draft(objective_title, settings, lang, strategy=strategy, deadline=deadline)
    items = [
        Draft(text=c.text, why=c.why or "", warnings=len(c.findings)) for c in result.candidates
    ]
    return Drafts(items, result.source, result.fallback_reason or "")


def draft_objectives(strategy: str, settings: Settings, lang: str, existing: list[str]) -> Drafts:
    """Candidate objectives from the strategy (needs a model; the reason says why if not)."""
    from coach.critique import draft_objectives as draft

    result = draft(strategy, settings, lang, existing=existing)
    items = [Draft(text=c.title, why=c.why_now) for c in result.candidates]
    return Drafts(items, result.source, result.fallback_reason or "")


def rewrite_kr(text: str, settings: Settings, lang: str | None) -> Any:
    from coach.critique import rewrite_kr as rewrite

    return rewrite(text, settings, lang)


def score_kr(kr: KeyResult, settings: Settings | None, lang: str = "en") -> Any:
    from coach.scoring import score_kr as score

    bands = settings.scoring.bands if settings is not None else None
    return score(kr, bands, lang=lang)

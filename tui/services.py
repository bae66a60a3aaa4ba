"""The TUI's one door into ``coach/``: rule checks, KPIs, lessons, critique, scoring.

Every call goes through the public APIs listed in docs/ARCHITECTURE.md. Heavy modules (KPI
embeddings, the memory store, litellm behind the critique) are imported inside the functions,
so the app starts without loading them; the slow calls run in worker threads.

Every call that could reach a model (a chat model, or an embedding model behind lessons and
KPI suggestions) takes the app's :class:`ModelGate` instead of bare settings. With sending off
the gate hands the task settings without a model (so it takes its offline path) and blocks
every request in :mod:`coach.llm` for the duration of the call, whatever the task does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from coach.models import Finding, KeyResult, Objective, Passage

if TYPE_CHECKING:
    from textual.worker import Worker

    from coach.config import Settings
    from coach.llm import LlmSession
    from coach.models import Cycle

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")

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
    kr: KeyResult | None = None,
) -> KrCheckView:
    """The fast path for live checks (runs on every debounced keystroke).

    ``lang`` is the language the KR is written in (None = detect); ``ui_lang`` the messages'.
    ``cycle`` gives the KR its period and ``kr`` its own fields (a baseline typed into the
    form), so the live check agrees with the whole-set check.
    """
    from coach.engine import check_kr_text

    kc = check_kr_text(
        text,
        lang=lang,
        objective_title=objective_title,
        ui_lang=ui_lang,
        rules=settings.rules if settings is not None else None,
        cycle=cycle,
        kr=kr,
    )
    parsed = {k: v for k, v in kc.parsed.items() if v not in (None, "")}
    return KrCheckView(text=text, findings=list(kc.findings), parsed=parsed, language=kc.language)


def cycle_period(cycle: Cycle | None) -> tuple[date | None, date | None]:
    """The cycle's start and end: its own dates, else what its id says (2026-Q1)."""
    from coach.workspace import cycle_bounds

    if cycle is None:
        return None, None
    start, end = cycle.start, cycle.end
    if (start is None or end is None) and cycle.cycle:
        bounds = cycle_bounds(cycle.cycle)
        start, end = start or bounds[0], end or bounds[1]
    return start, end


def deadline_value(text: str, lang: str | None = None, cycle: Cycle | None = None) -> str:
    """A parsed deadline as the cycle file keeps it: the ISO date when the phrase names one
    ("by 2027-03-31", "by 30 June" in a 2027 cycle -> "2027-06-30"), else the phrase
    ("this quarter")."""
    from coach.parse.dates import deadline_date

    found = deadline_date(text, lang or "en", cycle_period(cycle)[0])
    if found is None and lang != "sv":  # a Swedish month in an English-detected KR, or back
        found = deadline_date(text, "sv", cycle_period(cycle)[0])
    return found.isoformat() if found else text


def deadline_outside(deadline: str | None, cycle: Cycle | None) -> str | None:
    """ "after" or "before" when an ISO-date deadline falls outside the cycle, else None."""
    start, end = cycle_period(cycle)
    found = ISO_DATE.fullmatch(deadline or "")
    if not found:
        return None
    day = date.fromisoformat(found.group(0))
    if end is not None and day > end:
        return "after"
    if start is not None and day < start:
        return "before"
    return None


def fields_after_new_text(
    kr: KeyResult, old: KrCheckView, new: KrCheckView, cycle: Cycle | None = None
) -> dict[str, Any]:
    """The KR fields to change when its text is replaced: a field that held what the old text
    said (read by the parser) takes what the new text says, or is cleared; fields the user or
    the model set otherwise stay."""
    updates: dict[str, Any] = {}
    for name in PARSED_FIELDS:
        current = getattr(kr, name)
        if current is None or name not in old.parsed:
            continue
        was = old.parsed[name]
        if name == "deadline" and isinstance(was, str):
            was = deadline_value(was, old.language, cycle)
        if _same(current, was) or (name == "deadline" and _same(current, old.parsed[name])):
            value = new.parsed.get(name)
            if name == "deadline" and isinstance(value, str):
                value = deadline_value(value, new.language, cycle)
            updates[name] = getattr(value, "value", value)
    return updates


@dataclass
class KrRewrite:
    """F2's proposal for one KR: the new text, or why no honest rewrite can be built."""

    old: str
    new: str | None = None
    refused: str = ""  # i18n key under ``rewrite.`` when ``new`` is None


def rewrite_kr(
    text: str,
    lang: str | None,
    kr: KeyResult | None = None,
    cycle: Cycle | None = None,
    deadline: str | None = None,
) -> KrRewrite:
    """The KR in the shared structure ("Raise <metric> from <baseline> to <target> by <date>")
    built from what its text and its fields say; unknown parts stay visible blanks. Never a
    rule's advice: a task, or a KR whose measured thing cannot be read, is refused instead."""
    from coach.rules.analysis import analyse
    from coach.rules.suggest import blanks, fmt_value, skeleton

    if not text.strip():
        return KrRewrite(text, refused="empty")
    a = analyse(text, lang if lang in ("sv", "en") else None)
    if a.activity:
        return KrRewrite(text, refused="activity")
    metric = (kr.metric if kr is not None else None) or a.facts.metric
    if not metric:
        return KrRewrite(text, refused="no_metric")
    new = skeleton(a.facts, a.lang, metric)
    b = blanks(a.lang)
    unit = (kr.unit if kr is not None else None) or a.facts.parsed_fields().get("unit")
    known = {
        "baseline": fmt_value(kr.baseline, unit) if kr is not None else None,
        "target": fmt_value(kr.target, unit) if kr is not None else None,
        # the cycle's end is the KR's deadline when the text names none (as OKR005 reads it)
        "deadline": deadline
        or (cycle.end.isoformat() if cycle is not None and cycle.end else None),
    }
    for name, value in known.items():
        if value:
            new = new.replace(b[name], value, 1)
    if new.strip() == text.strip():
        return KrRewrite(text, refused="same")
    return KrRewrite(text, new=new)


def _same(a: Any, b: Any) -> bool:
    return str(getattr(a, "value", a)) == str(getattr(b, "value", b))


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


# ------------------------------------------------------------------ the model gate


def _no_reason() -> str:
    return "sending to the model is off"


def _current_worker() -> Worker | None:
    from textual.worker import NoActiveWorker, get_current_worker

    try:
        return get_current_worker()
    except NoActiveWorker:
        return None


@dataclass
class ModelGate:
    """The one switch between the TUI and any model: configured (``[llm] model``) and sending
    on (F9), or nothing leaves the machine. Also keeps the session's token and cost count."""

    settings: Settings
    send: bool
    off_reason: Callable[[], str] = _no_reason  # the UI's words for "sending is off"
    previewed: bool = False  # the user saw what is sent and said send (asked once a session)
    _usage: LlmSession | None = None

    @property
    def configured(self) -> bool:
        return self.settings.llm.enabled

    @property
    def is_open(self) -> bool:
        return self.configured and self.send

    def closed_reason(self) -> str:
        from coach import llm

        return self.off_reason() if self.configured else llm.OFF_HINT

    @property
    def usage(self) -> LlmSession:
        """Requests, tokens and cost of this TUI session (the budget applies to all of it)."""
        if self._usage is None:
            from coach.llm import LlmSession

            self._usage = LlmSession.for_settings(self.settings.llm)
        return self._usage

    @contextmanager
    def call(self) -> Iterator[Settings]:
        """Settings for one call that may use a model. Closed: settings without a model, and
        :mod:`coach.llm` refuses every chat and embedding request until the block ends. Open
        and run by a worker: cancelling the worker stops the call before its next request."""
        from coach import llm

        if self.is_open:
            worker = _current_worker()
            if worker is None:
                yield self.settings
                return
            with llm.cancellable(lambda: worker.is_cancelled):
                yield self.settings
            return
        offline = self.settings.model_copy(
            update={"llm": self.settings.llm.model_copy(update={"model": None})}
        )
        with llm.sending_blocked(self.closed_reason()):
            yield offline


# ------------------------------------------------------------------ slow paths (worker threads)


@dataclass
class KpiView:
    kpi_id: str
    name: str
    reason: str
    role: str
    score: float


def suggest_kpis(text: str, lang: str | None, gate: ModelGate, k: int = 5) -> list[KpiView]:
    """KPI suggestions; a remote embedding model is only asked with sending on (else the
    keyword signal ranks alone)."""
    from coach.kpis import suggest_kpis as suggest

    with gate.call() as settings:
        found = suggest(text, lang=lang, k=k, settings=settings)
    return [
        KpiView(kpi_id=s.kpi_id, name=s.name, reason=s.reason, role=str(s.role), score=s.score)
        for s in found
    ]


def lessons_for(
    item: KeyResult | Objective | str,
    gate: ModelGate,
    k: int = 5,
    current_cycle: str | None = None,
) -> list[Passage]:
    """Passages from past cycles. Once a cycle is saved and ingested, its own OKR file would
    echo the text being edited back as its best "lesson": those passages are dropped (notes and
    retros that name the cycle stay) and the rest renumbered [1]..[k]."""
    from coach.memory import lessons_for as retrieve

    extra = 10 if current_cycle else 0  # room for the dropped echoes
    with gate.call() as settings:
        found = retrieve(item, settings, k=k + extra)
    kept = [p for p in found if not (current_cycle and is_own_okrs(p, current_cycle))][:k]
    return [p.model_copy(update={"n": n}) for n, p in enumerate(kept, start=1)]


def is_own_okrs(p: Passage, cycle_id: str) -> bool:
    return p.kind == "okrs" and p.cycle == cycle_id


def error_text(error: BaseException, lang: str) -> str:
    """A failure worded in the UI language: a model error carries its own en/sv message."""
    localized = getattr(error, "localized", None)
    if callable(localized):
        return str(localized(lang))
    return str(error) or type(error).__name__


def _closed_reason(gate: ModelGate, reason: str | None) -> str | None:
    """A fallback's reason as the user should read it: "sending is off" when the gate was
    closed for a configured model (the task itself only saw settings without a model)."""
    return gate.closed_reason() if reason is not None and not gate.is_open else reason


def critique_objective(
    cycle: Cycle,
    objective_index: int,
    gate: ModelGate,
    on_partial: Callable[[str], None] | None = None,
    lang: str | None = None,
) -> Any:
    """Critique one objective in ``lang`` (the OKRs' language, else the UI's); streams through
    ``on_partial`` when the critique supports it."""
    from coach.critique import critique_objective as critique

    with gate.call() as settings:
        result = critique(
            cycle,
            objective_index,
            settings,
            lang=lang,
            on_partial=on_partial,
            session=gate.usage,
        )
    return result.model_copy(
        update={"fallback_reason": _closed_reason(gate, result.fallback_reason)}
    )


def critique_prompt(
    cycle: Cycle, objective_index: int, gate: ModelGate, lang: str | None = None
) -> str:
    """Exactly what a critique request would send (the privacy view). Slow: run in a worker.
    Building it retrieves lessons, which may use an embedding model: it passes the gate too."""
    from coach.critique import build_critique_prompt

    with gate.call() as settings:
        return build_critique_prompt(cycle, objective_index, settings, lang=lang)[0].as_text()


@dataclass
class Draft:
    """A drafted objective or KR offered to the user."""

    text: str
    why: str = ""
    warnings: int = 0
    # What the model said beside the text, kept on accept: metric, unit, direction, kpi
    # (a catalog id) for a KR; why_now for an objective.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Drafts:
    items: list[Draft]
    source: str  # "llm" | "rules"
    reason: str = ""  # why the rules' fallback was used


def draft_krs(
    objective_title: str, gate: ModelGate, lang: str, strategy: str | None, deadline: str | None
) -> Drafts:
    """Candidate KRs: from the model when the gate is open, else skeletons from the catalog."""
    from coach.critique import draft_krs as draft

    with gate.call() as settings:
        result = draft(
            objective_title,
            settings,
            lang,
            strategy=strategy,
            deadline=deadline,
            session=gate.usage,
        )
    items = [
        Draft(
            text=c.text,
            why=c.why or "",
            warnings=len(c.findings),
            fields={
                k: v
                for k, v in (
                    ("metric", c.metric),
                    ("unit", c.unit),
                    ("direction", c.direction),
                    ("kpi", c.kpi_id),
                )
                if v
            },
        )
        for c in result.candidates
    ]
    if not items and result.source == "rules":
        items = _objective_as_kr(objective_title, lang, deadline)
    return Drafts(items, result.source, _closed_reason(gate, result.fallback_reason) or "")


def _objective_as_kr(title: str, lang: str, deadline: str | None) -> list[Draft]:
    """Offline, when no catalog KPI fits: an objective that already names a measure and a
    direction ("Increase winter bookings") in the KR shape, its numbers left blank."""
    from coach.parse.kr import parse_kr

    parsed = parse_kr(title, lang)
    if parsed.direction not in ("up", "down") or not parsed.metric:
        return []
    proposal = rewrite_kr(title, lang, deadline=deadline)
    if proposal.new is None:
        return []
    return [
        Draft(text=proposal.new, fields={"metric": parsed.metric, "direction": parsed.direction})
    ]


def draft_krs_prompt(
    objective_title: str, gate: ModelGate, lang: str, strategy: str | None, deadline: str | None
) -> str:
    """Exactly what :func:`draft_krs` would send (the preview)."""
    from coach.critique import build_draft_prompt

    with gate.call() as settings:
        return build_draft_prompt(
            strategy or "", settings, lang, objective_title=objective_title, deadline=deadline
        ).as_text()


def draft_objectives_prompt(strategy: str, gate: ModelGate, lang: str, existing: list[str]) -> str:
    """Exactly what :func:`draft_objectives` would send (the preview)."""
    from coach.critique import build_draft_prompt

    with gate.call() as settings:
        return build_draft_prompt(strategy, settings, lang, existing=existing).as_text()


def draft_objectives(strategy: str, gate: ModelGate, lang: str, existing: list[str]) -> Drafts:
    """Candidate objectives from the strategy (needs a model; the reason says why if not)."""
    from coach.critique import draft_objectives as draft

    with gate.call() as settings:
        result = draft(strategy, settings, lang, existing=existing, session=gate.usage)
    items = [
        Draft(text=c.title, why=c.why_now, fields={"why_now": c.why_now} if c.why_now else {})
        for c in result.candidates
    ]
    return Drafts(items, result.source, _closed_reason(gate, result.fallback_reason) or "")


def score_kr(kr: KeyResult, settings: Settings | None, lang: str = "en") -> Any:
    """The KR's score; a direction its text states ("Cut wait time to 30 minutes") counts when
    the field is empty, so 33 against a target of 30 that should go down is not "reached"."""
    from coach.models import Direction
    from coach.parse.kr import parse_kr
    from coach.scoring import score_kr as score

    if kr.direction is None:
        direction = parse_kr(kr.text).direction
        if direction in ("up", "down", "hold"):
            kr = kr.model_copy(update={"direction": Direction(direction)})
    bands = settings.scoring.bands if settings is not None else None
    return score(kr, bands, lang=lang)

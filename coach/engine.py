"""Run the rule checks: a whole cycle (``check_cycle``) or one KR's text (``check_kr_text``).

Pure and fast: no I/O, no LLM. Findings follow ``coach.models.Finding``; settings decide which
rules run and at which severity, and ``LoadedFile`` supplies line numbers and inline
``# okr-coach: ignore OKR004`` suppressions.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from coach.config import RulesSettings, Settings
from coach.files.loaded import LoadedFile
from coach.models import Cycle, Finding, KeyResult, Location, Objective, Severity
from coach.parse import detect_language

_DEFAULT_SETTINGS = RulesSettings()
_KR_FIELDS = ("metric", "baseline", "target", "unit", "direction", "deadline")
# "___" is a number left for the team to fill in (what drafts and rewrites write instead of
# inventing one). A blank is a to-do, not a missing target, vague wording or missing baseline:
# those findings stand only if they still fire once the blanks hold numbers.
BLANK = re.compile(r"_{3,}")
_BLANK_CODES = frozenset({"OKR002", "OKR003", "OKR004"})


def count_blanks(text: str) -> int:
    return len(BLANK.findall(text or ""))


def _with_blanks_filled(ctx: Any) -> Any:
    from coach.rules.analysis import analyse

    numbers = iter(range(10, 10_000, 10))  # distinct, so "from ___ to ___" is a real change
    filled = BLANK.sub(lambda _: str(next(numbers)), ctx.analysis.facts.original)
    return dataclasses.replace(ctx, analysis=analyse(filled, ctx.analysis.lang))


class KrCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int
    id: str | None = None
    text: str
    language: str
    parsed: dict[str, Any] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    to_fill: int = Field(default=0, description="___ blanks left for the team to fill in")


class ObjectiveCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int
    id: str | None = None
    title: str
    key_results: list[KrCheck] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str | None = None
    objectives: list[ObjectiveCheck] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)  # set-level (the whole cycle)

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for o in self.objectives:
            out.extend(o.findings)
            for k in o.key_results:
                out.extend(k.findings)
        return out

    def summary(self) -> dict[str, Any]:
        found = self.all_findings()
        return {
            "key_results": sum(len(o.key_results) for o in self.objectives),
            "findings": len(found),
            "by_category": dict(sorted(Counter(f.category for f in found).items())),
            "by_severity": dict(sorted(Counter(f.severity.value for f in found).items())),
        }


def rule_enabled(code: str, settings: RulesSettings, preview: bool = False) -> bool:
    """``select`` entries may be codes or prefixes (``OKR00``); ``ignore`` wins over select."""
    if any(code.startswith(p.upper()) for p in settings.ignore):
        return False
    if settings.select:
        return any(code.startswith(p.upper()) for p in settings.select)
    return not preview


@functools.lru_cache(maxsize=64)
def _enabled(scope: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[Any, ...]:
    """The rules of a scope that run under these settings (cached: the hot path asks often)."""
    from coach.rules.registry import rules_by_scope

    settings = RulesSettings(select=list(select) or None, ignore=list(ignore))
    return tuple(
        r
        for r in rules_by_scope(scope)
        if r.check is not None and rule_enabled(r.code, settings, r.preview)
    )


def _severity(rule: Any, settings: RulesSettings) -> Severity:
    return Severity(settings.severity.get(rule.code, rule.severity))


def _finding(rule: Any, hit: Any, lang: str, settings: RulesSettings, loc: Location) -> Finding:
    # Validated construction is cheaper than model_construct in pydantic 2 (measured).
    message, fix_title, suggestion = rule.render_finding(lang, hit.values)
    return Finding(
        code=rule.code,
        category=rule.category,
        severity=_severity(rule, settings),
        message=message,
        fix_title=fix_title,
        suggestion=suggestion,
        location=loc,
    )


def _as_hits(result: Any) -> list[Any]:
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


def _parsed(parsed: dict[str, Any], kr: KeyResult | None) -> dict[str, Any]:
    """The KR fields: what the file says, else what the text says."""
    out = dict(parsed)
    if kr is not None:
        for name in _KR_FIELDS:
            value = getattr(kr, name)
            if value is not None:
                out[name] = value.value if hasattr(value, "value") else value
    return out


def _run_kr_rules(
    ctx: Any, settings: RulesSettings, loc: Location, loaded: LoadedFile | None
) -> list[Finding]:
    out = []
    for rule in _enabled("kr", tuple(settings.select or ()), tuple(settings.ignore)):
        if loaded is not None and loaded.is_suppressed(rule.code, loc.line):
            continue
        result = rule.check(ctx)
        if result is None:  # most rules pass: skip the _as_hits call
            continue
        for hit in result if isinstance(result, list) else (result,):
            out.append(_finding(rule, hit, ctx.lang, settings, loc))
    if any(f.code in _BLANK_CODES for f in out) and BLANK.search(ctx.analysis.facts.original):
        filled = _with_blanks_filled(ctx)
        from coach.rules.registry import RULES

        real = {code for code in _BLANK_CODES if RULES[code].check(filled) is not None}
        out = [f for f in out if f.code not in _BLANK_CODES or f.code in real]
    return out


def check_kr_text(
    text: str,
    lang: str | None = None,
    objective_title: str | None = None,
    *,
    ui_lang: str | None = None,
    rules: RulesSettings | None = None,
    cycle: Cycle | None = None,
    kr: KeyResult | None = None,
) -> KrCheck:
    """Check one KR's text on its own (live TUI checks, re-checking LLM rewrites).

    ``lang`` is the language the KR is written in (None = detect); messages use ``ui_lang``,
    else the KR's language. ``cycle`` is the cycle the KR belongs to: its period is the KR's
    deadline too, as in check_cycle; with no cycle, only the text can give a deadline.
    ``kr`` gives the KR's own fields (a baseline typed into its field counts, as in check_cycle).
    """
    from coach.rules.analysis import analyse
    from coach.rules.base import KrContext

    settings = rules or _DEFAULT_SETTINGS
    a = analyse(text or "", lang if lang in ("sv", "en") else None)
    msg_lang = ui_lang if ui_lang in ("sv", "en") else a.lang
    ctx = KrContext(analysis=a, lang=msg_lang, objective_title=objective_title, cycle=cycle, kr=kr)
    findings = (
        _run_kr_rules(ctx, settings, Location(kr_index=0), None) if (text or "").strip() else []
    )
    return KrCheck(
        index=0,
        text=text or "",
        language=a.lang,
        parsed=_parsed(a.facts.parsed_fields(), None),
        findings=findings,
        to_fill=count_blanks(text),
    )


def _file_language(cycle: Cycle) -> str:
    if cycle.language.value in ("sv", "en"):
        return cycle.language.value
    sample = " ".join([o.title for o in cycle.objectives] + [k.text for *_, k in cycle.iter_krs()])
    return detect_language(sample)


def check_cycle(
    cycle: Cycle,
    rules: RulesSettings | None = None,
    *,
    loaded: LoadedFile | None = None,
    lang: str | None = None,
    app_settings: Settings | None = None,
) -> CheckResult:
    """Check every objective and KR of a cycle plus the set as a whole.

    ``app_settings`` gives the preview rule OKR016 the configured embedding backend.

    KR text is read in the file's ``language`` (else detected per KR, so mixed files work);
    messages are in ``lang`` (the UI language), else the file's language.
    """
    from coach.rules.analysis import analyse
    from coach.rules.base import KrContext, ObjectiveContext, SetContext
    from coach.rules.registry import rules_by_scope

    settings = rules or RulesSettings()
    text_lang = cycle.language.value if cycle.language.value in ("sv", "en") else None
    msg_lang = lang if lang in ("sv", "en") else _file_language(cycle)
    path = loaded.path if loaded else None

    def line(oi: int | None = None, ki: int | None = None) -> int | None:
        return loaded.line_of(oi, ki) if loaded else None

    result = CheckResult(path=path)
    obj_ctxs: list[ObjectiveContext] = []
    for oi, obj in enumerate(cycle.objectives):
        kr_ctxs = []
        checks = []
        for ki, kr in enumerate(obj.key_results):
            a = analyse(kr.text, text_lang)
            ctx = KrContext(
                analysis=a,
                lang=msg_lang,
                index=ki,
                kr=kr,
                objective=obj,
                objective_title=obj.title,
                cycle=cycle,
            )
            kr_ctxs.append(ctx)
            loc = Location(
                path=path, line=line(oi, ki), objective_index=oi, kr_index=ki, kr_id=kr.id
            )
            checks.append(
                KrCheck(
                    index=ki,
                    id=kr.id,
                    text=kr.text,
                    language=a.lang,
                    parsed=_parsed(a.facts.parsed_fields(), kr),
                    findings=_run_kr_rules(ctx, settings, loc, loaded),
                    to_fill=count_blanks(kr.text),
                )
            )
        octx = ObjectiveContext(
            objective=obj,
            index=oi,
            krs=kr_ctxs,
            settings=settings,
            lang=msg_lang,
            title_analysis=analyse(obj.title, text_lang),
            app_settings=app_settings,
        )
        obj_ctxs.append(octx)
        ocheck = ObjectiveCheck(index=oi, id=obj.id, title=obj.title, key_results=checks)
        result.objectives.append(ocheck)
        for rule in rules_by_scope("objective"):
            if rule.check is None or not rule_enabled(rule.code, settings, rule.preview):
                continue
            for hit in _as_hits(rule.check(octx)):
                _place(result, rule, hit, msg_lang, settings, loaded, path, oi, None, line)

    sctx = SetContext(cycle=cycle, objectives=obj_ctxs, settings=settings, lang=msg_lang)
    for rule in rules_by_scope("set"):
        if rule.check is None or not rule_enabled(rule.code, settings, rule.preview):
            continue
        for hit in _as_hits(rule.check(sctx)):
            _place(result, rule, hit, msg_lang, settings, loaded, path, None, None, line)
    return result


def _place(
    result: CheckResult,
    rule: Any,
    hit: Any,
    lang: str,
    settings: RulesSettings,
    loaded: LoadedFile | None,
    path: str | None,
    oi: int | None,
    ki: int | None,
    line: Any,
) -> None:
    """Attach a finding where it points: a KR, an objective, or the cycle."""
    oi = hit.objective_index if hit.objective_index is not None else oi
    ki = hit.kr_index if hit.kr_index is not None else ki
    obj: Objective | None = None
    kr_id = None
    if oi is not None and oi < len(result.objectives):
        obj_check = result.objectives[oi]
        if ki is not None and ki < len(obj_check.key_results):
            kr_id = obj_check.key_results[ki].id
    ln = line(oi, ki) if oi is not None else (line() or 1 if loaded else None)
    if loaded is not None and loaded.is_suppressed(rule.code, ln):
        return
    loc = Location(path=path, line=ln, objective_index=oi, kr_index=ki, kr_id=kr_id)
    finding = _finding(rule, hit, lang, settings, loc)
    if oi is None:
        result.findings.append(finding)
    elif ki is None:
        result.objectives[oi].findings.append(finding)
    else:
        result.objectives[oi].key_results[ki].findings.append(finding)
    del obj


def enrich_cycle(cycle: Cycle) -> Cycle:
    """A copy of the cycle with empty KR fields filled from each KR's text (never overwriting)."""
    from coach.parse import parse_kr

    text_lang = cycle.language.value if cycle.language.value in ("sv", "en") else None
    out = cycle.model_copy(deep=True)
    for *_, kr in out.iter_krs():
        parsed = parse_kr(kr.text, text_lang)
        for name in _KR_FIELDS:
            value = getattr(parsed, name)
            if getattr(kr, name) is None and value is not None:
                setattr(kr, name, value)
    return out

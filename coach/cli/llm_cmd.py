"""LLM commands: ``critique`` (one call per objective) and ``draft`` (objectives or KRs).

Both work without a model: critique then shows the rule-based review and a one-line hint, and
``draft --objective-title`` shows KPI-based skeletons. Heavy imports stay inside handlers.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from coach.cli.context import CliContext
from coach.errors import InputError

LABELS: dict[str, dict[str, Any]] = {
    "en": {
        "objective": "Objective",
        "llm": "LLM critique",
        "rules": "rule-based review",
        "note": "Note",
        "missing": "Missing",
        "verdict": "verdict",
        "rewrite": "rewrite",
        "still": "the rules still find",
        "kpis": "KPIs",
        "lessons": "lessons",
        "model_view": "the model's view, not a rule finding",
        "partial": "objective {n}: the model's review of KR {krs} did not validate ({why}); "
        "showing the rule-based review for those",
        "to_fill": "to fill in: {n} number(s) marked ___",
        "sent": "sent to {where}: {what}",
        "sent_parts": {
            "strategy": "the strategy",
            "okrs": "the OKR text with owners",
            "objective": "the objective title",
            "passages": "{n} passage(s) from earlier cycles",
            "checkins": "the cycle's KRs, scores and check-in notes",
            "question": "the question",
        },
        "initiative": "as an initiative",
        "fallback": "LLM critique of objectives {n} unavailable: {why}; showing the rule-based review",
        "off": "note: {hint}",
        "good": "good",
        "improve": "improve",
        "rewrite_v": "rewrite",
        "move_to_initiatives": "move to initiatives (it is a task)",
        "candidates": "Candidate objectives",
        "kr_candidates": "Candidate key results for",
        "why_now": "why now",
        "no_model_draft": "drafting objectives needs a model; {hint}",
        "draft_failed": "drafting failed: {why}",
        "skeletons": "showing KPI-based skeletons instead",
    },
    "sv": {
        "objective": "Mål",
        "llm": "LLM-granskning",
        "rules": "regelbaserad granskning",
        "note": "Kommentar",
        "missing": "Saknas",
        "verdict": "bedömning",
        "rewrite": "omskrivning",
        "still": "reglerna hittar fortfarande",
        "kpis": "KPI:er",
        "lessons": "lärdomar",
        "model_view": "modellens bedömning, inte ett regelfynd",
        "partial": "mål {n}: modellens granskning av KR {krs} gick inte att använda ({why}); "
        "visar den regelbaserade granskningen för dem",
        "to_fill": "att fylla i: {n} tal markerade ___",
        "sent": "skickat till {where}: {what}",
        "sent_parts": {
            "strategy": "strategin",
            "okrs": "OKR-texten med ägare",
            "objective": "målets rubrik",
            "passages": "{n} avsnitt från tidigare cykler",
            "checkins": "cykelns nyckelresultat, poäng och avstämningar",
            "question": "frågan",
        },
        "initiative": "som initiativ",
        "fallback": "LLM-granskning av mål {n} ej tillgänglig: {why}; visar den regelbaserade granskningen",
        "off": "obs: {hint}",
        "good": "bra",
        "improve": "förbättra",
        "rewrite_v": "skriv om",
        "move_to_initiatives": "flytta till initiativ (det är en aktivitet)",
        "candidates": "Förslag på mål",
        "kr_candidates": "Förslag på nyckelresultat för",
        "why_now": "varför nu",
        "no_model_draft": "att föreslå mål kräver en modell; {hint}",
        "draft_failed": "förslagen misslyckades: {why}",
        "skeletons": "visar KPI-baserade stommar i stället",
    },
}


def register(sub: argparse._SubParsersAction) -> None:
    common = [sub.common]  # type: ignore[attr-defined]

    p = sub.add_parser(
        "critique",
        parents=common,
        help="coach-style critique of an OKR file, one LLM call per objective",
    )
    p.add_argument("file", help="OKR file (YAML, JSON, Markdown, CSV; - for stdin)")
    p.add_argument("--objective", type=int, metavar="N", help="only objective N (from 1)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--show-prompt", action="store_true", help="print what would be sent; send nothing"
    )
    p.add_argument("--no-cache", action="store_true", help="ask the model even for a repeat")
    p.add_argument("--model", help="litellm model string (overrides OKR_COACH_MODEL)")
    p.add_argument("--input-format", choices=["yaml", "json", "md", "csv"])
    p.set_defaults(func=cmd_critique)

    p = sub.add_parser(
        "draft", parents=common, help="draft objectives from a strategy, or KRs for an objective"
    )
    p.add_argument(
        "--strategy", required=True, metavar="FILE", help="strategy text file (- = stdin)"
    )
    p.add_argument(
        "--objective-title", metavar="TITLE", help="draft key results for this objective"
    )
    p.add_argument("--deadline", help="cycle end for drafted KRs, e.g. 2026-06-30")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--show-prompt", action="store_true", help="print what would be sent; send nothing"
    )
    p.add_argument("--no-cache", action="store_true", help="ask the model even for a repeat")
    p.add_argument("--model", help="litellm model string (overrides OKR_COACH_MODEL)")
    p.set_defaults(func=cmd_draft)


# ------------------------------------------------------------------------------------ critique


def cmd_critique(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.critique import build_critique_prompt, critique_objective
    from coach.engine import check_cycle
    from coach.files import read_okr_file
    from coach.llm import LlmSession, off_hint

    loaded = read_okr_file(args.file, args.input_format)
    for note in loaded.notes:
        ctx.err(f"note: {note}")
    cycle = loaded.cycle
    settings = ctx.settings
    lang = ctx.lang(cycle.language.value)
    t = LABELS[lang]
    if not cycle.objectives:
        raise InputError("the file has no objectives to critique", args.file)
    indexes = list(range(len(cycle.objectives)))
    if args.objective is not None:
        if not 1 <= args.objective <= len(cycle.objectives):
            raise InputError(
                f"--objective {args.objective} is out of range; the file has "
                f"{len(cycle.objectives)} objectives (1-{len(cycle.objectives)})",
                args.file,
            )
        indexes = [args.objective - 1]
    check = check_cycle(cycle, settings.rules, loaded=loaded, lang=lang)
    notes: list[str] = []

    if args.show_prompt:
        if not settings.llm.enabled:
            ctx.err(t["off"].format(hint=off_hint(lang)))
        for i in indexes:
            prompt, *_ = build_critique_prompt(
                cycle, i, settings, lang=lang, loaded=loaded, check=check, notes=notes
            )
            ctx.out(prompt.as_text())
        _print_notes(ctx, notes)
        return 0

    session = LlmSession.for_settings(settings.llm)
    results = [
        critique_objective(
            cycle,
            i,
            settings,
            lang=lang,
            loaded=loaded,
            check=check,
            session=session,
            use_cache=not args.no_cache,
            notes=notes,
        )
        for i in indexes
    ]
    failed = [r for r in results if r.source == "rules" and settings.llm.enabled]
    if args.format == "json":
        ctx.out_json(
            {
                "path": str(args.file),
                "objectives": [r.model_dump(mode="json") for r in results],
                "usage": session.to_dict(),
                "llm": settings.llm.model,
                "notes": notes,
            }
        )
    else:
        for r in results:
            _print_critique(ctx, r, t)
    if not settings.llm.enabled:
        ctx.err(t["off"].format(hint=off_hint(lang)))
    by_reason: dict[str, list[str]] = {}  # one line per cause, not one per objective
    for r in failed:
        by_reason.setdefault(_root_cause(r.fallback_reason or ""), []).append(
            str(r.objective_index + 1)
        )
    for why, numbers in by_reason.items():
        ctx.err("warning: " + t["fallback"].format(n=", ".join(numbers), why=why))
    for r in results:  # some KRs validated, the rest are the rules' review
        if r.source == "llm" and r.fallback_reason:
            krs = ", ".join(str(k.index + 1) for k in r.key_results if k.source == "rules")
            n = r.objective_index + 1
            ctx.err("warning: " + t["partial"].format(n=n, krs=krs, why=r.fallback_reason))
    _print_notes(ctx, notes)
    if settings.llm.enabled:
        if session.records:  # something was asked (or answered from the cache)
            parts = (["strategy"] if cycle.strategy else []) + ["okrs"]
            ctx.err(sent_line(settings, t, parts, sum(len(r.passages) for r in results)))
        ctx.err(session.summary(lang))
    return 1 if failed else 0


def _root_cause(reason: str) -> str:
    """The failure without the session's 'not asked again' suffix, to group identical causes."""
    return re.sub(r" \((?:not asked again for|frågas inte igen på) [\d.]+ s\)$", "", reason)


def _print_notes(ctx: CliContext, notes: list[str]) -> None:
    for note in dict.fromkeys(notes):  # once each, in order
        ctx.err(f"note: {note}")


def sent_line(settings: Any, t: dict[str, Any], parts: list[str], passages: int = 0) -> str:
    """One line saying what left the machine and where to (the endpoint without credentials,
    else the provider the model string names)."""
    from coach.llm_cache import public_endpoint

    where = public_endpoint(settings.llm.api_base) or (settings.llm.model or "").split("/")[0]
    names = t["sent_parts"]
    what = [names[p] for p in parts]
    if passages:
        what.append(names["passages"].format(n=passages))
    return t["sent"].format(where=where, what=", ".join(what))


def _print_critique(ctx: CliContext, r: Any, t: dict[str, Any]) -> None:
    from coach.engine import count_blanks

    origin = f"{t['llm']}, {r.prompt}" if r.source == "llm" else t["rules"]
    ctx.out(f"{t['objective']} {r.objective_index + 1}: {r.title}  [{origin}]")
    if r.note:
        ctx.out(f"  {t['note']}: {r.note}")
    if r.missing:
        ctx.out(f"  {t['missing']}: {'; '.join(r.missing)}")
    by_id = {p.id: p for p in r.passages}
    for kr in r.key_results:
        ctx.out(f"  KR {kr.index + 1} ({kr.id or '-'}): {kr.text}")
        ctx.out(
            f"    {t['verdict']}: {t.get(kr.verdict if kr.verdict != 'rewrite' else 'rewrite_v')}"
        )
        raised = {f.code for f in kr.findings}
        for p in kr.problems:
            # A code the rules did not raise may stand, but as the model's reading only.
            view = f" ({t['model_view']})" if p.code and p.code not in raised else ""
            ctx.out(f"    - {p.code + ' ' if p.code else ''}{p.text}{view}")
        if kr.initiative:
            ctx.out(f"    {t['initiative']}: {kr.initiative}")
        if kr.rewrite:
            ctx.out(f"    {t['rewrite']}: {kr.rewrite}")
            if blanks := count_blanks(kr.rewrite):
                ctx.out(f"      ({t['to_fill'].format(n=blanks)})")
            if kr.rewrite_findings:
                codes = ", ".join(f"{f.code} {f.message}" for f in kr.rewrite_findings)
                ctx.out(f"      ({t['still']}: {codes})")
        if kr.kpis:
            ctx.out(
                f"    {t['kpis']}: " + "; ".join(f"{k.kpi_id} ({k.name}): {k.why}" for k in kr.kpis)
            )
        cited = [by_id[i] for i in kr.lessons if i in by_id]
        if cited:
            ctx.out(f"    {t['lessons']}:")
        for p in cited:
            where = f"{p.source}:{p.lines[0]}" if p.lines else p.source
            ctx.out(f"      [{p.n}] {where}: {_excerpt(p.text)}")
            for why in (kr.lesson_why.get(p.id), p.why):
                if why:
                    ctx.out(f"          {why}")
    ctx.out()


def _excerpt(text: str, limit: int = 160) -> str:
    """A passage on one line, cut at a word so the citation stays readable."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"


# --------------------------------------------------------------------------------------- draft


def _read_strategy(name: str) -> str:
    from coach.files.decode import read_text
    from coach.files.gate import read_input_bytes

    shown = "<stdin>" if name == "-" else name
    text = read_text(shown, read_input_bytes(name))
    if not text.strip():
        raise InputError(
            "the strategy is empty; write a few sentences about where you are going", shown
        )
    return text.strip()


def cmd_draft(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.critique import draft_krs, draft_objectives
    from coach.llm import LlmSession, off_hint

    strategy = _read_strategy(args.strategy)
    source = None if args.strategy == "-" else Path(args.strategy).name
    settings = ctx.settings
    lang = ctx.lang(None)
    t = LABELS[lang]
    if args.show_prompt:
        return _show_draft_prompt(args, ctx, strategy, lang, source)
    session = LlmSession.for_settings(settings.llm)
    use_cache = not args.no_cache
    if args.objective_title:
        result: Any = draft_krs(
            args.objective_title,
            settings,
            lang,
            strategy=strategy,
            deadline=args.deadline,
            session=session,
            use_cache=use_cache,
        )
    else:
        result = draft_objectives(
            strategy, settings, lang, session=session, use_cache=use_cache, source=source
        )
    if args.format == "json":
        ctx.out_json({**result.model_dump(mode="json"), "usage": session.to_dict()})
    elif args.objective_title:
        from coach.engine import count_blanks

        ctx.out(f"{t['kr_candidates']} {result.objective}:")
        for i, c in enumerate(result.candidates, start=1):
            ctx.out(f"  {i}. {c.text}")
            if c.why:
                ctx.out(f"     {c.why}")
            for f in c.findings:
                ctx.out(f"     - {f.code} {f.message}")
            if blanks := count_blanks(c.text):
                ctx.out(f"     ({t['to_fill'].format(n=blanks)})")
    elif result.candidates:  # no empty heading when there is nothing to show (no model)
        ctx.out(f"{t['candidates']}:")
        for i, c in enumerate(result.candidates, start=1):
            ctx.out(f"  {i}. {c.title}")
            ctx.out(f"     {t['why_now']}: {c.why_now}")
    code = 0
    if result.source == "rules":
        if not settings.llm.enabled:
            key = "no_model_draft" if not args.objective_title else "off"
            ctx.err(t[key].format(hint=off_hint(lang)))
        else:
            ctx.err("warning: " + t["draft_failed"].format(why=result.fallback_reason))
        if args.objective_title:
            ctx.err(t["skeletons"])
        code = 0 if args.objective_title and not settings.llm.enabled else 1
    if settings.llm.enabled:
        if session.records:
            parts = ["strategy", "objective"] if args.objective_title else ["strategy"]
            ctx.err(sent_line(settings, t, parts, len(getattr(result, "passages", []))))
        ctx.err(session.summary(lang))
    return code


def _show_draft_prompt(
    args: argparse.Namespace, ctx: CliContext, strategy: str, lang: str, source: str | None
) -> int:
    from coach.critique import build_draft_prompt

    ctx.out(
        build_draft_prompt(
            strategy, ctx.settings, lang, args.objective_title, args.deadline, source
        ).as_text()
    )
    return 0

"""Lifecycle commands: checkin, score, report, retro."""

from __future__ import annotations

import argparse
import math
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from coach.cli.context import CliContext
from coach.errors import InputError

if TYPE_CHECKING:
    from coach.models import Cycle
    from coach.scoring import CycleScore


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-05-08") from None


def _confidence(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number between 0 and 1") from None
    if value > 1 and value <= 100:
        value /= 100  # "60" or "60 %" on the command line means 0.6
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"confidence {text} should be between 0 and 1")
    return value


def _number(text: str) -> float:
    from coach.models import MAX_ABS_NUMBER

    try:
        value = float(text.replace(",", ".").replace("\u2212", "-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or abs(value) > MAX_ABS_NUMBER:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a usable number (finite, at most {MAX_ABS_NUMBER:.0e})"
        )
    return value


def register(sub: argparse._SubParsersAction) -> None:
    common = [sub.common]  # type: ignore[attr-defined]

    p = sub.add_parser(
        "checkin",
        parents=common,
        help="record a check-in on a key result (value, confidence, note)",
        description="Append a check-in to a KR's history (never overwritten); --edit N corrects "
        "check-in N and records the correction in the KR's changes.",
    )
    p.add_argument("--kr", required=True, metavar="ID", help="key result id, e.g. o1.kr2")
    p.add_argument("--value", type=_number, help="current value of the metric")
    p.add_argument("--confidence", type=_confidence, help="0–1 (or 0–100): will we get there?")
    p.add_argument("--note", default="", help="what happened since the last check-in")
    p.add_argument("--blockers", default="", help="what stands in the way")
    p.add_argument("--cycle", metavar="ID", help="cycle id (default: the current cycle)")
    p.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--edit", type=int, metavar="N", help="correct check-in N (1 = the first)")
    p.add_argument("--why", help="reason for an --edit (kept in the KR's changes)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_checkin)

    p = sub.add_parser(
        "score",
        parents=common,
        help="score a cycle: progress, binary, graded and percentage per KR, objective, cycle",
    )
    p.add_argument("path", nargs="?", help="OKR file (default: a workspace cycle)")
    p.add_argument("--cycle", metavar="ID", help="workspace cycle id (default: the current one)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--no-calibration",
        action="store_true",
        help="skip the check for sandbagging/overreach across the workspace's closed cycles",
    )
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "report", parents=common, help="write a cycle report with charts (md or html)"
    )
    p.add_argument("path", nargs="?", help="OKR file (default: a workspace cycle)")
    p.add_argument("--cycle", metavar="ID", help="workspace cycle id (default: the current one)")
    p.add_argument("--format", choices=["md", "html"], help="default: from -o, else md")
    p.add_argument(
        "-o", "--output", default="-", help="output file (- = stdout; md charts need a file)"
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "retro",
        parents=common,
        help="draft the cycle's retrospective, save it in retros/ and add it to memory",
    )
    p.add_argument("--cycle", metavar="ID", help="cycle id (default: the current cycle)")
    p.add_argument("--no-ingest", action="store_true", help="save only; do not add it to memory")
    p.add_argument("--no-llm", action="store_true", help="offline template even if a model is set")
    p.add_argument("--model", help="LLM model for the drafted summary (overrides settings)")
    p.add_argument("--force", action="store_true", help="replace an existing retros/<cycle>.md")
    p.add_argument("--stdout", action="store_true", help="print the draft instead of saving it")
    p.add_argument(
        "--ingest-only",
        action="store_true",
        help="add the existing retros/<cycle>.md (after the team edited it) to memory again",
    )
    p.set_defaults(func=cmd_retro)


def _cycle_id(args: argparse.Namespace, ctx: CliContext) -> str:
    cid = args.cycle or ctx.workspace.current_cycle_id()
    if not cid:
        raise InputError(
            f"no cycles in {ctx.workspace.root}; create one with `okr-coach new-cycle`"
        )
    return cid


def _load(args: argparse.Namespace, ctx: CliContext) -> Cycle:
    if getattr(args, "path", None):
        if args.cycle:
            raise InputError("give either a file or --cycle, not both")
        from coach.files import read_okr_file

        return read_okr_file(args.path).cycle
    return ctx.workspace.load_cycle(_cycle_id(args, ctx))


def cmd_checkin(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.lifecycle import add_checkin

    cid = _cycle_id(args, ctx)
    result = add_checkin(
        ctx.workspace,
        cid,
        args.kr,
        value=args.value,
        confidence=args.confidence,
        note=args.note,
        blockers=args.blockers,
        day=args.date,
        edit=args.edit,
        why=args.why,
    )
    for note in result.notes:
        ctx.err(f"note: {note}")
    from coach.scoring import score_kr

    s = score_kr(result.kr, ctx.settings.scoring, ctx.lang(result.cycle.language.value))
    if args.format == "json":
        ctx.out_json(
            {
                "cycle": cid,
                "kr": args.kr,
                "number": result.number,
                "edited": result.edited,
                "checkin": result.checkin.model_dump(mode="json"),
                "score": s.model_dump(mode="json"),
            }
        )
        return 0
    verb = "corrected" if result.edited else "recorded"
    progress = f"progress {s.progress:.2f}" if s.progress is not None else "not scored yet"
    ctx.out(f"{verb} check-in {result.number} on {args.kr} ({cid}): {progress}")
    return 0


def _history(ctx: CliContext, current: Cycle) -> list[Cycle]:
    """Closed cycles in the workspace other than ``current`` (for calibration)."""
    from coach.errors import OkrCoachError

    out = []
    for cid in ctx.workspace.cycle_ids():
        if cid == current.cycle:
            continue
        try:
            c = ctx.workspace.load_cycle(cid)
        except OkrCoachError as e:
            ctx.err(f"note: skipped {cid} for calibration: {e}")
            continue
        if c.status.value == "closed":
            out.append(c)
    return out


def cmd_score(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.scoring import calibrate, score_cycle

    cycle = _load(args, ctx)
    lang = ctx.lang(cycle.language.value)
    result = score_cycle(cycle, ctx.settings.scoring, lang)
    calibration = None
    if not args.no_calibration:
        past = _history(ctx, cycle) if not args.path else []
        if cycle.status.value == "closed":
            past = [*past, cycle]
        if past:
            calibration = calibrate(past, ctx.settings.scoring, lang)
    if args.format == "json":
        data = result.model_dump(mode="json")
        data["calibration"] = calibration.model_dump(mode="json")["kinds"] if calibration else None
        ctx.out_json(data)
        return 0
    _print_score(ctx, result, lang)
    if calibration:
        ctx.out("")
        ctx.out(f"{_WORDS.get(lang, _WORDS['en'])['calibration']}:")
        for k in calibration.kinds:
            mark = "!" if k.verdict in ("sandbagging", "overreach") else "-"
            ctx.out(f"  {mark} {k.message}")
    return 0


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "–"
    return f"{x:.0%}" if pct else f"{x:.2f}"


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "cycle": "cycle", "score": "score", "progress": "progress", "of_target": "of target",
        "vs_target": "vs target", "no_value": "no value", "assumed": "assumed",
        "yes": "achieved", "no": "not achieved", "fail": "fail", "partial": "partial",
        "achieved": "achieved", "calibration": "calibration",
        "committed_missed": "! committed, expected 1.0",
        "aspirational_short": "(aspirational, aim ~0.7)",
        "aspirational_maxed": "(aspirational at 1.0: ambitious enough?)",
    },
    "sv": {
        "cycle": "cykel", "score": "poäng", "progress": "framsteg", "of_target": "av målet",
        "vs_target": "mot målet", "no_value": "inget värde", "assumed": "antagande",
        "yes": "uppnått", "no": "inte uppnått", "fail": "misslyckat", "partial": "delvis",
        "achieved": "uppnått", "calibration": "kalibrering",
        "committed_missed": "! åtagande, förväntat 1,0",
        "aspirational_short": "(ambitiöst, riktmärke ~0,7)",
        "aspirational_maxed": "(ambitiöst och 1,0: tillräckligt ambitiöst?)",
    },
}  # fmt: skip


def _print_score(ctx: CliContext, result: CycleScore, lang: str) -> None:
    w = _WORDS.get(lang, _WORDS["en"])

    def band(b: str | None) -> str:
        return w[b] if b else "–"

    head = f"{w['cycle']} {result.cycle}" + (f" ({result.team})" if result.team else "")
    ctx.out(f"{head}: {w['score']} {_fmt(result.score)} {band(result.band)}")
    for o in result.objectives:
        ctx.out(f"  {o.objective_id} {o.title}: {_fmt(o.score)} {band(o.band)}")
        for s in o.key_results:
            flag = f"  {w[s.flag]}" if s.flag else ""
            unit = f" {s.unit}" if s.unit else ""
            values = (
                f"{s.current:g}{unit} {w['vs_target']} {s.target:g}{unit}"
                if s.current is not None and s.target is not None
                else w["no_value"]
            )
            binary = {True: w["yes"], False: w["no"], None: "–"}[s.achieved]
            ctx.out(
                f"    {s.kr_id}: {w['progress']} {_fmt(s.progress)} ({band(s.band)}), {binary}, "
                f"{_fmt(s.percent_of_target, pct=True)} {w['of_target']}; {values}{flag}"
            )
            for a in s.assumptions:
                ctx.out(f"      {w['assumed']}: {a}")


def cmd_report(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.report import render_report

    cycle = _load(args, ctx)
    fmt = args.format or ("html" if str(args.output).lower().endswith((".html", ".htm")) else "md")
    lang = ctx.lang(cycle.language.value)
    history = _history(ctx, cycle) if not args.path else []
    out = None if args.output == "-" else Path(args.output)
    text = render_report(cycle, fmt, ctx.settings, lang=lang, output=out, history=history)
    if out is None:
        ctx.write_document(text)
        return 0
    from coach.report import write_shareable

    write_shareable(out, text)
    ctx.err(f"wrote {out} ({fmt})")
    return 0


def cmd_retro(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.lifecycle import draft_retro, save_retro

    cid = _cycle_id(args, ctx)
    cycle = ctx.workspace.load_cycle(cid)
    if args.ingest_only:
        return _reingest(ctx, cycle)
    lang = ctx.lang(cycle.language.value)
    from coach.cli.llm_cmd import LABELS, sent_line
    from coach.llm import LlmSession

    session = LlmSession.for_settings(ctx.settings.llm)
    text = draft_retro(
        cycle,
        ctx.settings,
        lang,
        history=_history(ctx, cycle),
        use_llm=not args.no_llm,
        on_note=lambda note: ctx.err(f"note: {note}"),
        session=session,
    )
    if session.records:  # the model was asked (or answered from the cache)
        ctx.err(sent_line(ctx.settings, LABELS[lang], ["checkins"]))
        ctx.err(session.summary(lang))
    if args.stdout:
        ctx.write_document(text)
        return 0
    saved = save_retro(
        ctx.workspace, cycle, text, ctx.settings, ingest=not args.no_ingest, force=args.force
    )
    ctx.out(f"wrote {saved.path}")
    if saved.note:
        ctx.err(f"note: {saved.note}")
    elif saved.ingested is not None:
        ctx.out(f"added to memory ({saved.ingested} passages, cycle {cid}, kind retro)")
    ctx.out(f"edit it with the team, then: okr-coach retro --cycle {cid} --ingest-only")
    return 0


def _reingest(ctx: CliContext, cycle: Cycle) -> int:
    from coach.lifecycle import ingest_retro

    path = ctx.workspace.retro_path(cycle.cycle or "")
    if not path.exists():
        raise InputError(f"{path} does not exist yet; run `okr-coach retro --cycle {cycle.cycle}`")
    added, note = ingest_retro(path, cycle, ctx.settings)
    if note:
        ctx.err(f"error: {note}")
        return 1
    ctx.out(f"added {path} to memory ({added} passages, cycle {cycle.cycle}, kind retro)")
    return 0


def start_from_previous(
    previous: Cycle, new: Cycle, ctx: CliContext, assume_yes: bool = False
) -> None:
    """``new-cycle --from``: offer each unfinished aspirational KR, then show past lessons.

    On a terminal each KR is asked about; in scripts nothing is carried unless ``--yes``.
    """
    from coach.lifecycle import carry_candidates, carry_forward

    candidates = carry_candidates(previous)
    interactive = not assume_yes and sys.stdin.isatty()
    if candidates and not assume_yes and not interactive:
        ctx.err(
            f"note: {len(candidates)} unfinished aspirational KR(s) in {previous.cycle} were not "
            "carried forward (not a terminal); pass --yes to carry them"
        )

    def confirm(obj, kr, score) -> bool:  # noqa: ANN001 - matches coach.lifecycle.ConfirmFn
        if assume_yes:
            return True
        if not interactive:
            return False
        progress = f"{score.progress:.2f}" if score.progress is not None else "no value"
        answer = input(f"carry {kr.id} “{kr.text}” ({progress}) into {new.cycle}? [y/N] ")
        return answer.strip().lower() in ("y", "yes", "j", "ja")

    for kr in carry_forward(previous, new, confirm):
        ctx.out(f"carried forward: {kr.id} {kr.text} (baseline {kr.baseline:g})")
    _show_lessons(previous, new, ctx)


def _show_lessons(previous: Cycle, new: Cycle, ctx: CliContext) -> None:
    """Print the passages from past retros the next draft should start from (if memory exists)."""
    from coach.errors import OkrCoachError
    from coach.memory import lessons_for

    query = new.strategy or " ".join(o.title for o in previous.objectives)
    if not query:
        return
    filters = {"team": new.team} if new.team else None
    try:
        passages = lessons_for(query, ctx.settings, filters=filters, k=3)
    except OkrCoachError as e:
        ctx.err(f"note: lessons from memory unavailable: {e}")
        return
    if passages:
        ctx.out("lessons from earlier cycles:")
    for p in passages:
        first = " ".join(p.text.split())[:160]
        ctx.out(f"  [{p.n}] {p.source} ({p.cycle or '?'}): {first}")

"""The cycle after the draft: check-ins, carrying KRs forward, and the retrospective.

Check-in history is append-only: a new check-in is inserted in date order and an edit of an
earlier one is recorded in the KR's ``changes`` with the old and new values. Cycle files are
written under the workspace lock, atomically, and never over a file that changed on disk since
it was read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from coach.errors import InputError
from coach.models import Change, CheckIn, Commitment, Cycle, CycleStatus, KeyResult, Objective

if TYPE_CHECKING:
    from coach.config import Settings
    from coach.scoring import KrScore
    from coach.workspace import Workspace


# ---------------------------------------------------------------------------------- check-ins


@dataclass
class CheckinResult:
    cycle: Cycle
    kr: KeyResult
    checkin: CheckIn
    number: int  # 1-based position in the KR's history
    edited: bool
    notes: list[str] = field(default_factory=list)


def _make_checkin(**values: Any) -> CheckIn:
    try:
        return CheckIn(**values)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'check-in'}: {err['msg']}"
            for err in e.errors()
        )
        raise InputError(f"invalid check-in: {problems}") from None


def apply_checkin(
    cycle: Cycle,
    kr_id: str,
    *,
    value: float | None = None,
    confidence: float | None = None,
    note: str = "",
    blockers: str = "",
    day: date | None = None,
    edit: int | None = None,
    why: str | None = None,
) -> CheckinResult:
    """Add (or with ``edit=N`` correct) a check-in on ``kr_id`` in memory; no I/O."""
    matches = [k for _, _, _, k in cycle.iter_krs() if k.id == kr_id]
    if len(matches) > 1:  # files with a repeated id are refused on load; edits in memory too
        raise InputError(
            f"{len(matches)} key results have the id {kr_id!r} in cycle {cycle.cycle}; "
            "give each its own id before checking in"
        )
    kr = matches[0] if matches else None
    if kr is None:
        known = ", ".join(k.id for _, _, _, k in cycle.iter_krs() if k.id) or "none"
        raise InputError(f"no key result {kr_id!r} in cycle {cycle.cycle} (ids: {known})")
    notes: list[str] = []
    if edit is None:
        if value is None and confidence is None and not note and not blockers:
            raise InputError("a check-in needs at least a value, a confidence, a note or blockers")
        if cycle.status == CycleStatus.closed:
            raise InputError(
                f"cycle {cycle.cycle} is closed; set `status: active` in its file to reopen it, "
                "or correct an earlier check-in with --edit N"
            )
        checkin = _make_checkin(
            date=day or date.today(),
            value=value,
            confidence=confidence,
            note=note,
            blockers=blockers,
        )
        # Insert after every check-in on or before that date: the last entry stays the latest.
        pos = sum(1 for c in kr.checkins if c.date <= checkin.date)
        kr.checkins = [*kr.checkins[:pos], checkin, *kr.checkins[pos:]]
        if cycle.status == CycleStatus.draft:
            cycle.status = CycleStatus.active
            notes.append(f"cycle {cycle.cycle} is now active (it has check-ins)")
        if cycle.start and cycle.end and not cycle.start <= checkin.date <= cycle.end:
            notes.append(f"{checkin.date} is outside the cycle ({cycle.start} – {cycle.end})")
        return CheckinResult(cycle, kr, checkin, pos + 1, False, notes)

    if not 1 <= edit <= len(kr.checkins):
        raise InputError(
            f"{kr_id} has {len(kr.checkins)} check-in(s); --edit takes a number from 1 to "
            f"{len(kr.checkins)}"
            if kr.checkins
            else f"{kr_id} has no check-ins to edit yet"
        )
    old = kr.checkins[edit - 1]
    updates: dict[str, Any] = {}
    if value is not None:
        updates["value"] = value
    if confidence is not None:
        updates["confidence"] = confidence
    if note:
        updates["note"] = note
    if blockers:
        updates["blockers"] = blockers
    if day is not None:
        updates["date"] = day
    if not updates:
        raise InputError("--edit needs at least one of --value, --confidence, --note, --date")
    new = _make_checkin(**{**old.model_dump(), **updates})
    kr.checkins = [*kr.checkins[: edit - 1], new, *kr.checkins[edit:]]
    # The correction itself is history: keep what it was, what it became and why.
    kr.changes = [
        *kr.changes,
        Change(
            date=date.today(),
            field=f"checkins[{edit}]",
            old={k: old.model_dump(mode="json")[k] for k in updates},
            new={k: new.model_dump(mode="json")[k] for k in updates},
            why=why or "corrected check-in",
        ),
    ]
    if "date" in updates:
        kr.checkins = sorted(kr.checkins, key=lambda c: c.date)
    return CheckinResult(cycle, kr, new, kr.checkins.index(new) + 1, True, notes)


def add_checkin(
    ws: Workspace,
    cycle_id: str,
    kr_id: str,
    **kwargs: Any,
) -> CheckinResult:
    """Record a check-in in the workspace cycle file (locked, atomic, refuses stale files)."""
    from coach.files import read_okr_file, write_okr_file
    from coach.locking import workspace_lock
    from coach.models import assign_ids

    path = ws.cycle_path(cycle_id)
    if not path.exists():
        known = ", ".join(ws.cycle_ids()) or "none yet"
        raise InputError(f"no cycle {cycle_id!r} in {ws.root} (cycles: {known})")
    with workspace_lock(ws.root):
        loaded = read_okr_file(path)
        # A hand-written file may lack ids; they are given on first save, as everywhere.
        assign_ids(loaded.cycle)
        result = apply_checkin(loaded.cycle, kr_id, **kwargs)
        write_okr_file(path, result.cycle, expected_sha256=loaded.sha256)
    return result


# ----------------------------------------------------------------------------- carry forward

ConfirmFn = Callable[[Objective, KeyResult, "KrScore"], bool]


def carry_candidates(previous: Cycle) -> list[tuple[Objective, KeyResult, KrScore]]:
    """Aspirational KRs that did not reach their target (committed ones are done or failed)."""
    from coach.scoring import score_kr

    out = []
    for _, _, obj, kr in previous.iter_krs():
        if kr.kind != Commitment.aspirational or kr.target is None:
            continue
        s = score_kr(kr)
        if s.progress is None or s.progress < 1.0:
            out.append((obj, kr, s))
    return out


def carry_forward(previous: Cycle, new: Cycle, confirm: ConfirmFn) -> list[KeyResult]:
    """Copy unfinished aspirational KRs into ``new`` when ``confirm`` says yes.

    The copy starts where the old KR ended (its last value becomes the baseline), keeps the
    target, drops the check-in history, and records where it came from in ``changes``.
    """
    from coach.models import assign_ids

    carried: list[KeyResult] = []
    for obj, kr, s in carry_candidates(previous):
        if not confirm(obj, kr, s):
            continue
        target_obj = next((o for o in new.objectives if o.title == obj.title), None)
        if target_obj is None:
            target_obj = Objective(
                title=obj.title,
                description=obj.description,
                owner=obj.owner,
                kind=obj.kind,
            )
            new.objectives = [*new.objectives, target_obj]
        start_value = s.current if s.current is not None else kr.baseline
        copy = kr.model_copy(
            update={
                "id": None,
                "baseline": start_value,
                "current": None,
                "confidence": None,
                "checkins": [],
                "deadline": None,
                "changes": [
                    Change(
                        date=date.today(),
                        field="carried_from",
                        old=f"{previous.cycle} {kr.id}",
                        new=None,
                        why=(
                            f"unfinished aspirational KR (progress {s.progress:.2f}); the "
                            f"baseline is now {start_value:g}, where it ended, so check the "
                            "text's from → to"
                            if s.progress is not None and start_value is not None
                            else "unfinished aspirational KR (no value recorded)"
                        ),
                    )
                ],
            },
            deep=True,
        )
        target_obj.key_results = [*target_obj.key_results, copy]
        carried.append(copy)
    assign_ids(new)
    return carried


# ----------------------------------------------------------------------------- retrospective

_H: dict[str, dict[str, str]] = {
    "title": {"en": "Retrospective {cycle}", "sv": "Retrospektiv {cycle}"},
    "drafted": {
        "en": "Drafted by okr-coach on {day} from the cycle's data. Edit it freely: the numbers "
        "are facts, the rest is a starting point for the team's own words. Blameless: what "
        "did we learn, not who was wrong.",
        "sv": "Utkast från okr-coach {day}, byggt på cykelns data. Redigera fritt: siffrorna är "
        "fakta, resten är en startpunkt för teamets egna ord. Utan skuld: vad lärde vi oss, "
        "inte vem som gjorde fel.",
    },
    "scores": {"en": "Scores", "sv": "Poäng"},
    "cycle_score": {
        "en": "Cycle score {score} ({band}); bands: fail < {p:g} ≤ partial < {a:g} ≤ achieved.",
        "sv": "Cykelns poäng {score} ({band}); gränser: misslyckat < {p:g} ≤ delvis < {a:g} ≤ "
        "uppnått.",
    },
    "table": {
        "en": "| KR | Kind | Baseline → target | Final | Score | Band |",
        "sv": "| KR | Typ | Utgångsläge → mål | Slutvärde | Poäng | Nivå |",
    },
    "moved": {"en": "What moved", "sv": "Det som rörde sig"},
    "stuck": {"en": "What did not move enough", "sv": "Det som inte rörde sig tillräckligt"},
    "lessons": {"en": "Lessons the data points to", "sv": "Lärdomar som datan pekar på"},
    "activity": {
        "en": "**{id} was an activity, not an outcome** (“{text}”). Completing it says little "
        "about the customer; next time move it to the initiatives and measure what it should "
        "change.",
        "sv": "**{id} var en aktivitet, inte ett resultat** (”{text}”). Att bli klar säger lite "
        "om kunden; nästa gång hör den hemma bland initiativen, och nyckelresultatet mäter vad "
        "den ska förändra.",
    },
    "no_baseline": {
        "en": "**{id} had no baseline** (“{text}”). {assumption}. Measure the starting point "
        "before setting the next target.",
        "sv": "**{id} saknade utgångsläge** (”{text}”). {assumption}. Mät startpunkten innan "
        "nästa mål sätts.",
    },
    "committed_missed": {
        "en": "**{id} was committed and ended at {score}**: what made it harder than planned?",
        "sv": "**{id} var ett åtagande och slutade på {score}**: vad gjorde det svårare än "
        "planerat?",
    },
    "aspirational_maxed": {
        "en": "**{id} was aspirational and reached 1.0**: was the target ambitious enough?",
        "sv": "**{id} var ambitiöst och nådde 1,0**: var målet tillräckligt ambitiöst?",
    },
    "unscored": {
        "en": "**{id} could not be scored**: {why}.",
        "sv": "**{id} gick inte att poängsätta**: {why}.",
    },
    "calibration": {"en": "Calibration across cycles", "sv": "Kalibrering över cykler"},
    "notes": {"en": "Check-in notes", "sv": "Anteckningar från incheckningar"},
    "questions": {"en": "For the team to fill in", "sv": "För teamet att fylla i"},
    "q": {
        "en": "- What worked that we should keep?\n- What did not, and why?\n"
        "- What do we carry into the next cycle (targets, baselines, routines)?",
        "sv": "- Vad fungerade som vi ska behålla?\n- Vad fungerade inte, och varför?\n"
        "- Vad tar vi med till nästa cykel (mål, utgångslägen, rutiner)?",
    },
    "from_to": {"en": "from {a} to {b}", "sv": "från {a} till {b}"},
    "llm": {"en": "Summary (drafted by the LLM)", "sv": "Sammanfattning (utkast av LLM)"},
    "went_well": {"en": "Went well", "sv": "Gick bra"},
    "to_improve": {"en": "To improve", "sv": "Att förbättra"},
}

_KIND = {
    "en": {"committed": "committed", "aspirational": "aspirational"},
    "sv": {"committed": "åtagande", "aspirational": "ambitiöst"},
}
_BAND = {
    "en": {"fail": "fail", "partial": "partial", "achieved": "achieved"},
    "sv": {"fail": "misslyckat", "partial": "delvis", "achieved": "uppnått"},
}


def _h(key: str, lang: str, **kw: Any) -> str:
    table = _H[key]
    return table.get(lang, table["en"]).format(**kw)


def _num(x: float | None, lang: str, unit: str | None = None) -> str:
    if x is None:
        return "–"
    s = f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else f"{int(x)}"
    if lang == "sv":
        s = s.replace(".", ",")
    return f"{s} {unit}".strip() if unit else s


def _score(x: float | None, lang: str) -> str:
    if x is None:
        return "–"
    s = f"{x:.2f}"
    return s.replace(".", ",") if lang == "sv" else s


def kr_categories(cycle: Cycle, lang: str | None = None) -> dict[str, set[str]]:
    """KR id -> rule categories (activity, no_baseline, …) from the rules engine."""
    from coach.engine import check_cycle

    out: dict[str, set[str]] = {}
    for oc in check_cycle(cycle, lang=lang).objectives:
        obj = cycle.objectives[oc.index]
        for kc in oc.key_results:
            kr = obj.key_results[kc.index]
            out.setdefault(kr.id or kr.text, set()).update(f.category for f in kc.findings)
    return out


def draft_retro(
    cycle: Cycle,
    settings: Settings | None = None,
    lang: str | None = None,
    history: list[Cycle] | None = None,
    use_llm: bool = True,
    on_note: Callable[[str], None] | None = None,
    session: Any = None,
) -> str:
    """A Markdown retrospective prefilled from the cycle's data (offline), plus an LLM summary
    that cites check-ins when a model is configured and answers. ``on_note`` hears why the
    LLM part was left out, if it was."""
    from coach.scoring import calibrate, score_cycle

    lang = lang or (cycle.language.value if cycle.language.value in ("sv", "en") else "en")
    bands = settings.scoring if settings else None
    scored = score_cycle(cycle, bands, lang)
    cats = kr_categories(cycle, lang)
    krs = {kr.id or kr.text: kr for _, _, _, kr in cycle.iter_krs()}
    day = date.today().isoformat()
    lines: list[str] = [
        "---",
        f"cycle: {cycle.cycle}",
        f"team: {cycle.team}" if cycle.team else "team: null",
        "kind: retro",
        f"date: {day}",
        f"language: {lang}",
        "---",
        f"# {_h('title', lang, cycle=cycle.cycle)}" + (f" – {cycle.team}" if cycle.team else ""),
        "",
        f"_{_h('drafted', lang, day=day)}_",
        "",
        f"## {_h('scores', lang)}",
        "",
        _h(
            "cycle_score",
            lang,
            score=_score(scored.score, lang),
            band=_BAND[lang].get(scored.band or "", "–") if lang in _BAND else scored.band,
            p=scored.bands["partial"],
            a=scored.bands["achieved"],
        ),
        "",
        _h("table", lang),
        "| --- | --- | --- | --- | --- | --- |",
    ]
    kinds = _KIND.get(lang, _KIND["en"])
    bands_txt = _BAND.get(lang, _BAND["en"])
    for o in scored.objectives:
        for s in o.key_results:
            lines.append(
                f"| {s.kr_id} {s.text.replace('|', '/')} | {kinds.get(s.kind.value, '') if s.kind else '–'}"
                f" | {_num(s.baseline, lang)} → {_num(s.target, lang, s.unit)}"
                f" | {_num(s.current, lang, s.unit)} | {_score(s.progress, lang)}"
                f" | {bands_txt.get(s.band, '–') if s.band else '–'} |"
            )
    lines.append("")
    for o in scored.objectives:
        lines.append(f"- **{o.objective_id} {o.title}**: {_score(o.score, lang)}")
    lines.append("")

    moved = [s for s in scored.all_krs() if s.band == "achieved"]
    stuck = [s for s in scored.all_krs() if s.scored and s.band != "achieved"]
    for key, group in (("moved", moved), ("stuck", stuck)):
        lines += [f"## {_h(key, lang)}", ""]
        for s in group:
            series = [c for c in krs[s.kr_id or s.text].checkins if c.value is not None]
            path = (
                _h(
                    "from_to",
                    lang,
                    a=_num(series[0].value, lang, s.unit),
                    b=_num(series[-1].value, lang, s.unit),
                )
                if len(series) > 1
                else _num(s.current, lang, s.unit)
            )
            lines.append(f"- {s.kr_id} {s.text}: {path} ({_score(s.progress, lang)})")
        if not group:
            lines.append("- –")
        lines.append("")

    lessons: list[str] = []
    for s in scored.all_krs():
        key = s.kr_id or s.text
        c = cats.get(key, set())
        if "activity" in c:
            lessons.append(_h("activity", lang, id=s.kr_id, text=s.text))
        lacks_baseline = "no_baseline" in c or s.baseline is None
        # An activity already has its lesson; a KR with no target is reported as unscored.
        if lacks_baseline and s.target is not None and "activity" not in c:
            assumption = s.assumptions[0].rstrip(".") if s.assumptions else ""
            lessons.append(_h("no_baseline", lang, id=s.kr_id, text=s.text, assumption=assumption))
        if not s.scored:
            lessons.append(_h("unscored", lang, id=s.kr_id, why="; ".join(s.assumptions)))
        elif s.flag in ("committed_missed", "aspirational_maxed"):
            lessons.append(_h(s.flag, lang, id=s.kr_id, score=_score(s.progress, lang)))
    lines += [f"## {_h('lessons', lang)}", ""]
    lines += [f"- {x}" for x in lessons] or ["- –"]
    lines.append("")

    if history:
        cal = calibrate([*history, cycle], bands, lang)
        lines += [f"## {_h('calibration', lang)}", ""]
        lines += [f"- {k.message}." for k in cal.kinds]
        lines.append("")

    lines += [f"## {_h('notes', lang)}", ""]
    for _, _, _, kr in cycle.iter_krs():
        noted = [(n, c) for n, c in enumerate(kr.checkins, start=1) if c.note or c.blockers]
        if not noted:
            continue
        lines.append(f"### {kr.id} {kr.text}")
        lines.append("")
        for n, c in noted:
            extra = f" Blockers: {c.blockers}" if c.blockers else ""
            # [o1.kr2#3] names check-in 3 of o1.kr2: what an LLM summary cites.
            value = _num(c.value, lang, kr.unit)
            lines.append(f"- [{kr.id}#{n}] {c.date} ({value}): {c.note}{extra}".rstrip())
        lines.append("")

    if use_llm and settings is not None and settings.llm.enabled:
        summary = llm_retro_summary(cycle, "\n".join(lines), settings, lang, on_note, session)
        if summary:
            lines += [f"## {_h('llm', lang)}", "", summary, ""]

    lines += [f"## {_h('questions', lang)}", "", _h("q", lang), ""]
    return "\n".join(lines)


def llm_retro_summary(
    cycle: Cycle,
    facts: str,
    settings: Settings,
    lang: str,
    on_note: Callable[[str], None] | None = None,
    session: Any = None,
) -> str | None:
    """Markdown from the LLM's grounded summary; None (and a note) when it is off or fails.
    ``session`` (an LlmSession) counts the requests and tokens for the caller's usage line."""
    from coach import llm
    from coach.llm_schemas import RetroSummary, numbers_in
    from coach.prompting import render

    refs = {
        f"{kr.id}#{n}" for _, _, _, kr in cycle.iter_krs() for n in range(1, len(kr.checkins) + 1)
    }
    prompt = render(
        "retro",
        {"facts": facts, "cycle": cycle.cycle, "team": cycle.team},
        language=lang,
        schema_in_prompt=not llm.schema_sent_as_format(settings.llm),
    )
    try:
        result = llm.complete_structured(
            prompt.messages,
            RetroSummary,
            settings.llm,
            task=f"{prompt.name}.v{prompt.version}",
            session=session,
            context={"checkin_refs": refs, "allowed_numbers": numbers_in(facts)},
        )
    except llm.LlmError as e:
        if on_note is not None:
            on_note(f"LLM summary left out: {e.localized(lang)}")
        return None
    parts = [result.summary.strip()]
    for key, items in (("went_well", result.went_well), ("to_improve", result.to_improve)):
        if items:
            parts += ["", f"**{_h(key, lang)}**", "", *[f"- {x.strip()}" for x in items]]
    return "\n".join(parts)


@dataclass
class SavedRetro:
    path: Path
    ingested: int | None  # chunks added to memory, None when not ingested
    note: str | None = None


def save_retro(
    ws: Workspace,
    cycle: Cycle,
    text: str,
    settings: Settings | None = None,
    ingest: bool = True,
    force: bool = False,
) -> SavedRetro:
    """Write ``retros/<cycle>.md`` atomically under the lock, then ingest it into memory."""
    from coach.files.atomic import atomic_write_text
    from coach.locking import workspace_lock

    path = ws.retro_path(cycle.cycle or "")
    if path.exists() and not force:
        raise InputError(
            f"{path} already exists (it may hold the team's edits); pass --force to replace it "
            "or edit the file"
        )
    with workspace_lock(ws.root):
        atomic_write_text(path, text)
    if not ingest:
        return SavedRetro(path, None)
    return SavedRetro(path, *ingest_retro(path, cycle, settings))


def ingest_retro(
    path: Path, cycle: Cycle, settings: Settings | None
) -> tuple[int | None, str | None]:
    """Put a retrospective into the memory store with cycle/team/kind metadata."""
    from coach.memory import MemoryStore

    if settings is None:
        from coach.config import load_settings

        settings = load_settings(path.parent.parent)
    store = MemoryStore.open(settings)
    report = store.ingest([path], cycle=cycle.cycle, team=cycle.team, kind="retro")
    if report.skipped:
        return None, f"memory skipped {path}: {report.skipped[0].reason}"
    return report.chunks_added, None

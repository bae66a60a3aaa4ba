"""The project's own cycle files: every objective, KR (with its score) and check-in a record."""

from __future__ import annotations

from coach.files import LoadedFile
from coach.ingest.document import Block
from coach.models import KeyResult


def _num(x: float | None) -> str:
    return "?" if x is None else f"{x:g}"


def _progress(kr: KeyResult) -> float | None:
    """The conventions' progress: (current − baseline) / (target − baseline), clamped 0–1."""
    cur = kr.latest_value
    if cur is None or kr.target is None:
        return None
    if kr.baseline is None:
        return max(0.0, min(1.0, cur / kr.target)) if kr.target else None
    if kr.target == kr.baseline:
        return None
    return max(0.0, min(1.0, (cur - kr.baseline) / (kr.target - kr.baseline)))


# Record labels in the language the objective is written in, so a Swedish passage reads as
# Swedish (and matches Swedish questions) instead of "value 68, confidence 0.4".
_LABELS = {
    "en": {
        "strategy": "Strategy",
        "objective": "Objective",
        "why_now": "Why now",
        "initiatives": "Initiatives",
        "kr": "Key result",
        "from_to": "from {a} to {b}",
        "reached": "reached",
        "score": "score",
        "owner": "owner",
        "checkin": "Check-in {date} on '{kr}'",
        "value": "value",
        "confidence": "confidence",
        "blockers": "Blockers",
        "change": "Change {date} to '{kr}': {field} {old} → {new}, because {why}",
    },
    "sv": {
        "strategy": "Strategi",
        "objective": "Mål",
        "why_now": "Varför nu",
        "initiatives": "Initiativ",
        "kr": "Nyckelresultat",
        "from_to": "från {a} till {b}",
        "reached": "nådde",
        "score": "poäng",
        "owner": "ägare",
        "checkin": "Avstämning {date} av '{kr}'",
        "value": "värde",
        "confidence": "säkerhet",
        "blockers": "Hinder",
        "change": "Ändring {date} av '{kr}': {field} {old} → {new}, eftersom {why}",
    },
}


def _lang_of(cycle_language: str, text: str) -> str:
    from coach.parse import detect_language

    return cycle_language if cycle_language in _LABELS else detect_language(text)


def _kr_text(kr: KeyResult, t: dict[str, str]) -> str:
    parts = [f"{t['kr']}: {kr.text}"]
    if kr.baseline is not None or kr.target is not None:
        unit = f" {kr.unit}" if kr.unit else ""
        parts.append(t["from_to"].format(a=_num(kr.baseline), b=_num(kr.target)) + unit)
    if kr.latest_value is not None:
        parts.append(f"{t['reached']} {_num(kr.latest_value)}")
    progress = _progress(kr)
    if progress is not None:
        parts.append(f"{t['score']} {progress:.2f}")
    if kr.owner:
        parts.append(f"{t['owner']} {kr.owner}")
    return "; ".join(parts)


def cycle_blocks(loaded: LoadedFile) -> tuple[list[Block], dict[str, str]]:
    cycle = loaded.cycle
    cid = cycle.cycle or ""
    meta = {k: v for k, v in {"cycle": cid, "team": cycle.team or ""}.items() if v}
    if cycle.language.value != "auto":
        meta["language"] = cycle.language.value
    root = (f"OKRs {cid}".strip(),)
    blocks: list[Block] = []

    def span(line: int | None) -> tuple[int, int] | None:
        return (line, line) if line else None

    if cycle.strategy:
        t = _LABELS[_lang_of(cycle.language.value, cycle.strategy)]
        blocks.append(
            Block(
                "record",
                f"{t['strategy']}: {cycle.strategy}",
                root,
                span(loaded.line_of()),
                meta={"kind": "okrs"},
            )
        )
    for oi, obj in enumerate(cycle.objectives):
        o_path = (*root, obj.title)
        sample = " ".join([obj.title, *(k.text for k in obj.key_results)])
        t = _LABELS[_lang_of(cycle.language.value, sample)]
        o_text = f"{t['objective']}: {obj.title}"
        if obj.description:
            o_text += f". {obj.description}"
        if obj.why_now:
            o_text += f". {t['why_now']}: {obj.why_now}"
        if obj.initiatives:
            o_text += f". {t['initiatives']}: " + "; ".join(i.title for i in obj.initiatives)
        blocks.append(
            Block("record", o_text, o_path, span(loaded.line_of(oi)), meta={"kind": "okrs"})
        )
        for ki, kr in enumerate(obj.key_results):
            line = span(loaded.line_of(oi, ki))
            blocks.append(Block("record", _kr_text(kr, t), o_path, line, meta={"kind": "okrs"}))
            for ch in kr.checkins:
                if not (ch.note or ch.blockers):
                    continue
                text = t["checkin"].format(date=ch.date.isoformat(), kr=kr.text)
                if ch.value is not None:
                    text += f": {t['value']} {_num(ch.value)}"
                if ch.confidence is not None:
                    text += f", {t['confidence']} {ch.confidence:.1f}"
                if ch.note:
                    text += f". {ch.note}"
                if ch.blockers:
                    text += f". {t['blockers']}: {ch.blockers}"
                blocks.append(
                    Block(
                        "record",
                        text,
                        o_path,
                        line,
                        meta={"kind": "checkin", "date": ch.date.isoformat()},
                    )
                )
            for change in kr.changes:
                text = t["change"].format(
                    date=change.date.isoformat(),
                    kr=kr.text,
                    field=change.field,
                    old=change.old,
                    new=change.new,
                    why=change.why,
                )
                blocks.append(
                    Block(
                        "record",
                        text,
                        o_path,
                        line,
                        meta={"kind": "okrs", "date": change.date.isoformat()},
                    )
                )
    return blocks, meta

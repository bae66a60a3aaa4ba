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


def _kr_text(kr: KeyResult) -> str:
    parts = [f"Key result: {kr.text}"]
    if kr.baseline is not None or kr.target is not None:
        unit = f" {kr.unit}" if kr.unit else ""
        parts.append(f"from {_num(kr.baseline)} to {_num(kr.target)}{unit}")
    if kr.latest_value is not None:
        parts.append(f"reached {_num(kr.latest_value)}")
    progress = _progress(kr)
    if progress is not None:
        parts.append(f"score {progress:.2f}")
    if kr.owner:
        parts.append(f"owner {kr.owner}")
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
        blocks.append(
            Block(
                "record",
                f"Strategy: {cycle.strategy}",
                root,
                span(loaded.line_of()),
                meta={"kind": "okrs"},
            )
        )
    for oi, obj in enumerate(cycle.objectives):
        o_path = (*root, obj.title)
        o_text = f"Objective: {obj.title}"
        if obj.description:
            o_text += f". {obj.description}"
        if obj.why_now:
            o_text += f". Why now: {obj.why_now}"
        if obj.initiatives:
            o_text += ". Initiatives: " + "; ".join(i.title for i in obj.initiatives)
        blocks.append(
            Block("record", o_text, o_path, span(loaded.line_of(oi)), meta={"kind": "okrs"})
        )
        for ki, kr in enumerate(obj.key_results):
            line = span(loaded.line_of(oi, ki))
            blocks.append(Block("record", _kr_text(kr), o_path, line, meta={"kind": "okrs"}))
            for ch in kr.checkins:
                if not (ch.note or ch.blockers):
                    continue
                text = f"Check-in {ch.date.isoformat()} on '{kr.text}'"
                if ch.value is not None:
                    text += f": value {_num(ch.value)}"
                if ch.confidence is not None:
                    text += f", confidence {ch.confidence:.1f}"
                if ch.note:
                    text += f". {ch.note}"
                if ch.blockers:
                    text += f". Blockers: {ch.blockers}"
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
                text = (
                    f"Change {change.date.isoformat()} to '{kr.text}': {change.field} "
                    f"{change.old} → {change.new}, because {change.why}"
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

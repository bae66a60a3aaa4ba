"""The start screen's list of cycles, read cheaply: file names, a peek at each file's
``status:`` line and the drafts folder — no YAML parsing or validation before the first paint
(a cycle is read properly when the user opens it)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from coach.errors import InputError
from coach.files.gate import read_head
from coach.workspace import Workspace, next_cycle_id, quarter_of
from tui.drafts import draft_cycle_ids, has_unsaved_draft

QUARTER_ID = re.compile(r"\d{4}-Q[1-4]")
STATUS_LINE = re.compile(r"^status:\s*['\"]?(draft|active|closed)\b", re.MULTILINE)
PEEK_BYTES = 4096  # the top-level keys come first in the files we write


@dataclass(frozen=True)
class CycleEntry:
    """One row of the list: a saved cycle file, a draft never saved, or both."""

    cycle_id: str
    saved: bool
    unsaved_changes: bool
    status: str | None  # draft|active|closed as the file says, None when unknown


def peek_status(path: Path) -> str | None:
    """The file's top-level ``status:`` without parsing it (None when absent or unreadable)."""
    try:
        head = read_head(path, PEEK_BYTES).decode("utf-8", errors="replace")
    except InputError:  # missing, unreadable, or a FIFO/device that must not be opened
        return None
    m = STATUS_LINE.search(head)
    return m.group(1) if m else None


def list_cycles(workspace: Path) -> list[CycleEntry]:
    """Saved cycles and draft-only cycles, newest id first."""
    ws = Workspace(Path(workspace))
    ids = sorted(set(ws.cycle_ids()) | set(draft_cycle_ids(ws.root)), reverse=True)
    entries = []
    for cid in ids:
        path = ws.cycle_path(cid)
        saved = path.exists()
        entries.append(
            CycleEntry(
                cycle_id=cid,
                saved=saved,
                unsaved_changes=has_unsaved_draft(ws.root, cid),
                status=peek_status(path) if saved else None,
            )
        )
    return entries


def propose_cycle_id(existing: Iterable[str], today: date) -> str:
    """The quarter after the newest quarter in the workspace, else the current quarter;
    never an id that is already taken."""
    taken = set(existing)
    quarters = sorted(c for c in taken if QUARTER_ID.fullmatch(c))
    candidate = next_cycle_id(quarters[-1]) if quarters else quarter_of(today)
    while candidate in taken:
        candidate = next_cycle_id(candidate)
    return candidate

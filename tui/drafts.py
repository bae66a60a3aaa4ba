"""Where autosaved drafts live and how to read them, without loading the domain model.

The start screen lists cycles and their unsaved drafts before anything else is loaded, so these
helpers read the draft JSON as plain data; :mod:`tui.session` turns a draft back into a cycle.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from coach.errors import InputError
from coach.files.decode import read_text
from coach.files.json_io import load_json
from coach.workspace import Workspace

DRAFT_VERSION = 1


def drafts_dir(workspace: Path) -> Path:
    return Path(workspace) / "cache" / "drafts"


def draft_path_for(workspace: Path, target: Path) -> Path:
    """Cycle files of the workspace get ``<id>.json``; other files a name from their path."""
    ws = Workspace(Path(workspace))
    target = Path(target)
    if target.parent.resolve() == ws.cycles_dir.resolve():
        name = target.stem
    else:
        key = hashlib.sha256(str(target.resolve()).encode("utf-8")).hexdigest()[:12]
        name = f"file-{target.stem}-{key}"
    return drafts_dir(ws.root) / f"{name}.json"


def read_draft(path: Path) -> dict[str, Any] | None:
    """The draft as a dict, or None when absent or unreadable (a broken draft never blocks)."""
    try:
        data = load_json(read_text(path), str(path))
    except InputError:
        return None
    if not isinstance(data, dict) or data.get("draft_version") != DRAFT_VERSION:
        return None
    return data


def has_unsaved_draft(workspace: Path, cycle_id: str) -> bool:
    ws = Workspace(Path(workspace))
    draft = read_draft(draft_path_for(ws.root, ws.cycle_path(cycle_id)))
    return bool(draft and draft.get("dirty"))


def draft_cycle_ids(workspace: Path) -> list[str]:
    """Cycles that exist only as a draft (created in the TUI, never saved)."""
    folder = drafts_dir(workspace)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if not p.stem.startswith("file-"))

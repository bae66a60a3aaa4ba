"""What the TUI remembers between runs in a workspace: the UI language chosen with ctrl+l.

Kept in ``<workspace>/cache/tui.json`` (git-ignored, written atomically). A language set by
flag, environment or okr-coach.toml always wins: the stored choice only replaces "auto".
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from tui.i18n import LANGUAGES


def _path(workspace: Path) -> Path:
    return Path(workspace) / "cache" / "tui.json"


def stored_language(workspace: Path) -> str | None:
    try:
        data = json.loads(_path(workspace).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # none yet, or unreadable: the default applies
    lang = data.get("language") if isinstance(data, dict) else None
    return lang if lang in LANGUAGES else None


def store_language(workspace: Path, lang: str) -> None:
    from coach.files.atomic import atomic_write_text  # not at start-up: first paint

    # remembering the choice is a convenience: the session goes on without it
    with contextlib.suppress(OSError):
        atomic_write_text(_path(workspace), json.dumps({"language": lang}) + "\n")

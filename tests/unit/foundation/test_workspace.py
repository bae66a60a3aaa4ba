"""Workspace helpers: which cycle is current, and clear errors instead of tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import OkrCoachError
from coach.files import write_okr_file
from coach.models import Cycle
from coach.workspace import copy_demo, init_workspace


def _cycle(ws_root: Path, cid: str, status: str) -> None:
    cycle = Cycle.model_validate({"cycle": cid, "status": status, "objectives": []})
    write_okr_file(ws_root / "cycles" / f"{cid}.yaml", cycle)


def test_an_active_cycle_is_current_even_when_a_newer_draft_exists(tmp_path: Path):
    ws = init_workspace(tmp_path)
    _cycle(tmp_path, "2026-Q3", "closed")
    _cycle(tmp_path, "2026-Q4", "active")
    _cycle(tmp_path, "2027-Q1", "draft")
    assert ws.current_cycle_id() == "2026-Q4"


def test_the_newest_draft_is_current_when_nothing_is_active(tmp_path: Path):
    ws = init_workspace(tmp_path)
    _cycle(tmp_path, "2026-Q3", "closed")
    _cycle(tmp_path, "2026-Q4", "draft")
    _cycle(tmp_path, "2027-Q1", "draft")
    assert ws.current_cycle_id() == "2027-Q1"
    for p in (tmp_path / "cycles").glob("*.yaml"):
        if p.stem != "2026-Q3":
            p.unlink()
    assert ws.current_cycle_id() == "2026-Q3"


def test_init_in_an_unwritable_place_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OkrCoachError, match="cannot create the workspace"):
        init_workspace(blocker / "ws")


def test_demo_workspace_onto_a_file_is_a_clear_error(tmp_path: Path):
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(OkrCoachError, match="is a file, not a folder"):
        copy_demo(target)

"""The session behind the TUI: editing, drafts, resume, save, export, stale files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.errors import InputError, StaleFileError
from coach.files import read_okr_file
from tui.session import Session, draft_cycle_ids, has_unsaved_draft, read_draft


def test_new_cycle_edits_reach_the_draft_and_resume(workspace: Path) -> None:
    s = Session.open_cycle(workspace, "2026-Q3")
    assert s.cycle.start is not None and s.cycle.start.isoformat() == "2026-07-01"
    s.set_strategy("Guests find winter cabins easily")
    assert s.set_objective_title(0, "   ") is None  # empty text never reaches the model
    s.set_objective_title(0, "Make winter bookable")
    s.set_kr_text(0, 0, "Raise winter bookings from 120 to 200")
    s.set_kr_field(0, 0, "owner", "Maja")
    s.position.step, s.position.objective = "krs", 0
    s.autosave()
    assert draft_cycle_ids(workspace) == ["2026-Q3"]
    assert has_unsaved_draft(workspace, "2026-Q3")

    again = Session.open_cycle(workspace, "2026-Q3")
    assert again.restored_from_draft
    assert again.position.step == "krs"
    assert again.cycle.objectives[0].key_results[0].owner == "Maja"


def test_save_writes_ids_and_refuses_a_file_changed_on_disk(workspace: Path) -> None:
    s = Session.open_cycle(workspace, "2026-Q3")
    s.set_objective_title(0, "Make winter bookable")
    s.set_kr_text(0, 0, "Raise winter bookings from 120 to 200")
    path = s.save()
    assert not s.dirty
    cycle = read_okr_file(path).cycle
    assert cycle.objectives[0].key_results[0].id == "o1.kr1"
    assert not has_unsaved_draft(workspace, "2026-Q3")

    path.write_text(path.read_text(encoding="utf-8") + "# edited elsewhere\n", encoding="utf-8")
    s.set_strategy("changed in the TUI")
    with pytest.raises(StaleFileError):
        s.save()
    assert path.read_text(encoding="utf-8").endswith("# edited elsewhere\n")


def test_invalid_field_values_are_refused_with_a_reason(workspace: Path) -> None:
    s = Session.open_cycle(workspace, "2026-Q3")
    s.set_objective_title(0, "Make winter bookable")
    s.set_kr_text(0, 0, "Raise winter bookings from 120 to 200")
    with pytest.raises(ValueError):
        s.set_kr_field(0, 0, "kind", "sometimes")
    assert s.cycle.objectives[0].key_results[0].kind is None


def test_move_to_initiatives_and_attach_kpi(workspace: Path) -> None:
    s = Session.open_cycle(workspace, "2026-Q3")
    s.set_objective_title(0, "Make winter bookable")
    s.set_kr_text(0, 0, "Make 100 calls to owners")
    s.set_kr_text(0, 1, "Raise winter bookings from 120 to 200")
    s.move_kr_to_initiatives(0, 0)
    obj = s.cycle.objectives[0]
    assert [i.title for i in obj.initiatives] == ["Make 100 calls to owners"]
    assert [k.text for k in obj.key_results] == ["Raise winter bookings from 120 to 200"]
    assert s.attach_kpi(0, 0, "booking_conversion")
    assert not s.attach_kpi(0, 0, "booking_conversion")
    assert obj.key_results[0].kpis == ["booking_conversion"]


def test_export_formats(workspace: Path, tmp_path: Path) -> None:
    s = Session.open_cycle(workspace, "2026-Q3")
    s.set_objective_title(0, "Make winter bookable")
    s.set_kr_text(0, 0, "Raise winter bookings from 120 to 200")
    md = s.export(tmp_path / "out.md").read_text(encoding="utf-8")
    assert "Make winter bookable" in md
    csv = s.export(tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "Raise winter bookings from 120 to 200" in csv
    assert not s.target.exists()  # exporting is not saving


def test_a_broken_draft_is_ignored_and_the_file_wins(workspace: Path) -> None:
    s = Session.open_cycle(workspace, "2026-Q3")
    s.set_objective_title(0, "Make winter bookable")
    s.save()
    s.draft_path.write_text("{not json", encoding="utf-8")
    assert read_draft(s.draft_path) is None
    again = Session.open_cycle(workspace, "2026-Q3")
    assert again.cycle.objectives[0].title == "Make winter bookable"
    assert not again.restored_from_draft


def test_a_draft_that_no_longer_validates_is_reported(workspace: Path) -> None:
    s = Session.open_cycle(workspace, "2026-Q3")
    s.set_objective_title(0, "Make winter bookable")
    s.autosave()
    doc = json.loads(s.draft_path.read_text(encoding="utf-8"))
    doc["cycle"]["objectives"][0]["taget"] = 3
    s.draft_path.write_text(json.dumps(doc), encoding="utf-8")
    again = Session.open_cycle(workspace, "2026-Q3")
    assert any("could not be read" in n for n in again.notes)


def test_bad_cycle_id_is_a_readable_error(workspace: Path) -> None:
    with pytest.raises(InputError, match="2026-Q1"):
        Session.open_cycle(workspace, "winter")


def test_opened_files_get_their_own_draft(workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "team.yaml"
    outside.write_text(
        "objectives:\n  - title: Be loved\n    key_results: [Grow NPS from 20 to 40]\n"
    )
    s = Session.open_file(workspace, outside)
    assert s.draft_path.parent == workspace / "cache" / "drafts"
    assert s.draft_path.name.startswith("file-team-")
    s.set_strategy("x")
    s.autosave()
    assert draft_cycle_ids(workspace) == []  # not listed as a workspace cycle

"""The bundled demo workspace: every file loads, and it tells the story the coach needs."""

from __future__ import annotations

import tomllib
from pathlib import Path

from coach.config import load_settings
from coach.files import read_okr_file
from coach.models import CycleStatus
from coach.workspace import Workspace, demo_source


def test_every_cycle_file_loads_with_ids_and_expected_status(demo_workspace: Path) -> None:
    ws = Workspace(demo_workspace)
    assert ws.cycle_ids() == ["2026-Q2", "2026-Q3", "2026-Q4"]
    statuses = {}
    for cid in ws.cycle_ids():
        loaded = read_okr_file(ws.cycle_path(cid))
        assert loaded.notes == []  # current schema, no migration needed
        cycle = loaded.cycle
        statuses[cid] = cycle.status
        assert cycle.cycle == cid and cycle.team == "Bokning" and cycle.strategy
        for obj in cycle.objectives:
            assert obj.id and all(
                kr.id and kr.id.startswith(obj.id + ".") for kr in obj.key_results
            )
    assert statuses == {
        "2026-Q2": CycleStatus.closed,
        "2026-Q3": CycleStatus.closed,
        "2026-Q4": CycleStatus.draft,
    }
    assert ws.current_cycle_id() == "2026-Q4"


def test_past_cycles_have_history_and_lessons_to_learn(demo_workspace: Path) -> None:
    ws = Workspace(demo_workspace)
    for cid in ("2026-Q2", "2026-Q3"):
        cycle = ws.load_cycle(cid)
        krs = [kr for _, _, _, kr in cycle.iter_krs()]
        assert {kr.kind.value for kr in krs if kr.kind} == {"committed", "aspirational"}
        assert all(len(kr.checkins) >= 2 for kr in krs)
        dates = [c.date for kr in krs for c in kr.checkins]
        assert all(cycle.start <= d <= cycle.end for d in dates)
        # Activities recorded as KRs (no metric) are the lesson the retros draw.
        assert any(kr.metric is None for kr in krs)
    q2 = ws.load_cycle("2026-Q2")
    assert any(kr.baseline is None and kr.target is not None for _, _, _, kr in q2.iter_krs())
    assert any(kr.direction and kr.direction.value == "down" for _, _, _, kr in q2.iter_krs())


def test_draft_has_weak_krs_for_the_coach_to_flag(demo_workspace: Path) -> None:
    draft = Workspace(demo_workspace).load_cycle("2026-Q4")
    krs = [kr for _, _, _, kr in draft.iter_krs()]
    assert sum(1 for kr in krs if kr.target is None) >= 3
    assert any(kr.baseline is not None and kr.target is not None for kr in krs)


def test_retros_and_notes_cover_both_languages(demo_workspace: Path) -> None:
    retros = {
        p.stem: p.read_text(encoding="utf-8") for p in (demo_workspace / "retros").glob("*.md")
    }
    assert set(retros) == {"2026-Q2", "2026-Q3"}
    assert "Retrospektiv" in retros["2026-Q2"] and "utgångsläge" in retros["2026-Q2"]
    assert "Retrospective" in retros["2026-Q3"] and "activity" in retros["2026-Q3"]
    notes = list((demo_workspace / "docs").glob("*.md"))
    assert len(notes) >= 2 and all(n.read_text(encoding="utf-8").startswith("# ") for n in notes)


def test_settings_file_loads_and_holds_no_secrets() -> None:
    toml_path = demo_source() / "okr-coach.toml"
    data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    assert "api_key" not in str(data).lower() and "headers" not in data.get("chroma", {})
    settings = load_settings(demo_source(), env={})
    assert settings.scoring.bands == {"partial": 0.4, "achieved": 0.7}
    assert not settings.llm.enabled


def test_cli_copies_the_demo_and_refuses_a_non_empty_folder(tmp_path: Path, run_cli) -> None:
    code, out, _ = run_cli("demo-workspace", str(tmp_path / "d"))
    assert code == 0 and (tmp_path / "d" / "cycles" / "2026-Q4.yaml").exists()
    code, _, err = run_cli("demo-workspace", str(tmp_path / "d"))
    assert code == 1 and "not empty" in err

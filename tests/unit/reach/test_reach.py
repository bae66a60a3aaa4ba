"""MCP tools in-process and serve's argument checks (protocol and browser: tests/functional)."""

from __future__ import annotations

from pathlib import Path

import pytest

import coach.mcp_server as mcp_server
from coach.config import load_settings
from coach.errors import InputError, OkrCoachError
from coach.mcp_server import Coach


@pytest.fixture
def coach(demo_workspace: Path) -> Coach:
    return Coach(load_settings(demo_workspace, env={}))


def test_answers_over_the_cap_are_refused_with_a_hint(
    coach: Coach, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert coach.check_okrs(path="cycles/2026-Q4.yaml")["objectives"]
    monkeypatch.setattr(mcp_server, "MAX_OUTPUT_CHARS", 1_000)
    with pytest.raises(OkrCoachError, match="narrow the request"):
        coach.check_okrs(path="cycles/2026-Q4.yaml")


def test_paths_resolve_inside_the_workspace_only(coach: Coach, tmp_path: Path) -> None:
    inside = coach.root / "cycles" / "2026-Q3.yaml"
    assert coach.resolve("cycles/2026-Q3.yaml") == inside
    assert coach.resolve(str(inside)) == inside
    assert coach.resolve("cycles/../cycles/2026-Q3.yaml") == inside
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("objectives: []\n", encoding="utf-8")
    (coach.root / "docs" / "link.yaml").symlink_to(outside)
    for path in ("docs/link.yaml", str(outside), "../elsewhere.yaml", "~/x.yaml"):
        with pytest.raises(InputError, match="refused"):
            coach.resolve(path)
    with pytest.raises(InputError, match="no such file"):
        coach.resolve("cycles/none.yaml")


@pytest.mark.parametrize("cycle_id", ["../okr-coach", ".hidden", "a/b", "a\\b", ""])
def test_cycle_ids_cannot_name_other_files(coach: Coach, cycle_id: str) -> None:
    with pytest.raises(InputError):
        coach.cycle_text(cycle_id)


def test_cycle_resources_read_the_files(coach: Coach) -> None:
    assert coach.cycle_ids() == ["2026-Q2", "2026-Q3", "2026-Q4"]
    text = coach.cycle_text("2026-Q3")
    assert text == (coach.root / "cycles" / "2026-Q3.yaml").read_text(encoding="utf-8")


def test_empty_memory_says_how_to_fill_it(coach: Coach) -> None:
    answer = coach.ask_lessons("what did we learn?")
    assert answer["passages"] == [] and "okr-coach ingest" in answer["note"]


def test_inputs_are_checked_before_any_work(coach: Coach) -> None:
    with pytest.raises(InputError, match="empty"):
        coach.suggest_kpis("   ")
    with pytest.raises(InputError, match="between 1 and"):
        coach.suggest_kpis("Grow revenue", k=0)
    with pytest.raises(InputError, match="lang must be"):
        coach.explain_rule("OKR001", lang="de")
    with pytest.raises(InputError, match="either cycle or path"):
        coach.score_cycle(cycle="2026-Q3", path="cycles/2026-Q3.yaml")
    assert coach.explain_rule(lang="sv")["rules"][0]["code"].startswith("OKR")


def test_serve_refuses_a_port_out_of_range(run_cli, workspace: Path) -> None:
    code, out, err = run_cli("--workspace", str(workspace), "serve", "--port", "70000")
    assert code == 2 and out == ""
    assert err.strip() == "error: --port must be between 1 and 65535 (got 70000)"

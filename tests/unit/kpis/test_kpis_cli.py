"""``okr-coach kpis``: text, --file, --list, --show, --record, team KPIs, no match, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

OKRS = """\
schema_version: 1
cycle: 2026-Q3
language: sv
objectives:
  - title: Ge kunderna en supportupplevelse de pratar om
    key_results:
      - id: o1.kr1
        text: Höja NPS från 32 till 45
        kpis: [nps]
      - Minska svarstiden i kundtjänst med 30 %
  - title: Leverera projekt effektivare
    key_results:
      - Budgetavvikelsen ska vara under 5 %
"""


@pytest.fixture
def okr_file(tmp_path: Path) -> Path:
    path = tmp_path / "okrs.yaml"
    path.write_text(OKRS, encoding="utf-8")
    return path


def test_text_as_json(run_cli, workspace: Path) -> None:
    code, out, err = run_cli(
        "kpis", "Raise NPS from 32 to 45", "--format", "json", "--workspace", str(workspace)
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["language"] == "en"
    first = data["suggestions"][0]
    assert first["kpi_id"] == "nps" and first["role"] == "lagging" and first["reason"]
    assert {"kpi_id", "name", "reason", "role", "score", "indicator", "source"} <= set(first)
    assert first["match"] == 1.0 and first["match_level"] == "strong"
    assert first["matched_term"] == "NPS" and data["measured"] == "NPS"
    assert data["no_match"] is False and data["best_match"] == 1.0
    assert {s["match_level"] for s in data["suggestions"][1:]} <= {"linked", "counter", "partial"}
    assert 3 <= len(data["suggestions"]) <= 5


def test_text_output_in_swedish(run_cli, workspace: Path) -> None:
    code, out, _ = run_cli(
        "kpis", "Minska kundbortfallet från 3 % till 2 %", "-k", "3", "--workspace", str(workspace)
    )
    assert code == 0
    assert "Kundbortfall (churn)" in out and "customer_churn_rate" in out
    assert "släpande" in out and "[stark 1.00]" in out
    assert '"kundbortfallet" är det som Kundbortfall (churn) mäter' in out
    assert out.count("\n") in (4, 6)  # two or three suggestions, two lines each, no padding


def test_no_close_match_then_record_the_teams_kpi(run_cli, workspace: Path) -> None:
    kr = "Reduce pod restarts from 40 to 5 per week"
    code, out, _ = run_cli("kpis", kr, "--workspace", str(workspace))
    assert code == 0
    assert 'no close match in the catalog for "pod restarts"' in out
    assert "okr-coach kpis --record" in out and kr in out
    code, out, _ = run_cli("kpis", kr, "--format", "json", "--workspace", str(workspace))
    data = json.loads(out)
    assert data["no_match"] is True and data["suggestions"] == [] and data["best_match"] < 0.5

    code, out, err = run_cli(
        "kpis", "--record", "Pod restarts per week", "--for", kr, "--workspace", str(workspace)
    )
    assert code == 0, err
    assert "pod_restarts_per_week" in out and (workspace / "team-kpis.yaml").is_file()
    code, out, _ = run_cli(
        "kpis", "Halve pod restarts in the payments cluster", "--format", "json",
        "--workspace", str(workspace),
    )  # fmt: skip
    first = json.loads(out)["suggestions"][0]
    assert first["kpi_id"] == "pod_restarts_per_week" and first["source"] == "team"


def test_record_needs_a_workspace_and_a_bad_team_file_exits_2(run_cli, workspace, tmp_path):
    code, _, err = run_cli("kpis", "--record", "X", "--workspace", str(tmp_path / "none"))
    assert code == 2 and "no workspace" in err
    bad = workspace / "team-kpis.yaml"
    bad.write_text("kpis: [unclosed\n", encoding="utf-8")
    code, _, err = run_cli("kpis", "Raise NPS", "--workspace", str(workspace))
    assert code == 2 and str(bad) in err and "Traceback" not in err
    assert bad.read_text(encoding="utf-8") == "kpis: [unclosed\n"  # user data intact


def test_file_suggests_for_every_kr(run_cli, workspace: Path, okr_file: Path) -> None:
    code, out, err = run_cli(
        "kpis", "--file", str(okr_file), "--format", "json", "--workspace", str(workspace)
    )
    assert code == 0, err
    krs = json.loads(out)["krs"]
    assert [(k["objective_index"], k["kr_index"]) for k in krs] == [(0, 0), (0, 1), (1, 0)]
    assert krs[0]["kr_id"] == "o1.kr1" and krs[0]["attached"] == ["nps"]
    assert krs[0]["suggestions"][0]["kpi_id"] == "nps"
    assert krs[0]["suggestions"][0]["name"] == "Net Promoter Score (NPS)"
    assert krs[2]["suggestions"][0]["kpi_id"] == "budget_variance"

    code, out, _ = run_cli("kpis", "--file", str(okr_file), "--workspace", str(workspace))
    assert code == 0
    assert "1. Ge kunderna en supportupplevelse" in out
    assert "(redan kopplat)" in out  # nps is already attached to o1.kr1
    assert okr_file.read_text(encoding="utf-8") == OKRS  # the file is only read


def test_team_kpis_from_past_cycles(run_cli, workspace: Path) -> None:
    (workspace / "cycles" / "2026-Q1.yaml").write_text(
        "schema_version: 1\ncycle: 2026-Q1\nkpis:\n"
        "  - {id: webinar_signups, name: Webinar sign-ups per month}\n",
        encoding="utf-8",
    )
    (workspace / "cycles" / "2026-Q2.yaml").write_text("objectives: [unclosed\n", encoding="utf-8")
    code, out, err = run_cli(
        "kpis", "Double webinar sign-ups", "--format", "json", "--workspace", str(workspace)
    )
    assert code == 0, err
    sugg = json.loads(out)["suggestions"]
    assert sugg[0]["kpi_id"] == "webinar_signups" and sugg[0]["source"] == "team"
    code, out, _ = run_cli(
        "kpis", "Double webinar sign-ups", "--no-team", "--format", "json",
        "--workspace", str(workspace),
    )  # fmt: skip
    assert all(s["source"] == "catalog" for s in json.loads(out)["suggestions"])


def test_list_and_category(run_cli, workspace: Path) -> None:
    code, out, _ = run_cli("kpis", "--list", "--category", "support", "--workspace", str(workspace))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[-1].endswith("KPIs") and int(lines[-1].split()[0]) == len(lines) - 1
    assert any(line.startswith("first_contact_resolution ") for line in lines)
    code, out, _ = run_cli("kpis", "--list", "--format", "json", "--workspace", str(workspace))
    assert len(json.loads(out)) >= 300


def test_show_in_both_languages(run_cli, workspace: Path) -> None:
    code, out, _ = run_cli("kpis", "--show", "ces", "--lang", "en", "--workspace", str(workspace))
    assert code == 0 and "Customer effort score (CES)" in out and "Counter-metrics" in out
    code, out, _ = run_cli("kpis", "--show", "ces", "--lang", "sv", "--workspace", str(workspace))
    assert code == 0 and "Kundansträngning (CES)" in out and "Datakälla" in out
    code, out, _ = run_cli(
        "kpis", "--show", "ces", "--format", "json", "--workspace", str(workspace)
    )
    assert json.loads(out)["id"] == "ces"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["kpis"], "give exactly one of"),
        (["kpis", "x", "--list"], "give exactly one of"),
        (["kpis", "--show", "npx"], "did you mean nps"),
        (["kpis", "--list", "--category", "hr"], "unknown category 'hr'"),
        (["kpis", "NPS", "-k", "0"], "-k must be between 1 and 10"),
        (["kpis", "--show", "nps", "--category", "people"], "--category works with --list"),
        (["kpis", "NPS", "--for", "x"], "--id, --unit and --for work with --record"),
        (["kpis", "--record", "NPS", "--id", "nps"], "already a catalog KPI"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run_cli, workspace: Path, argv, message) -> None:
    code, out, err = run_cli(*argv, "--workspace", str(workspace))
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_broken_okr_file_is_named_with_its_line(run_cli, workspace: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("objectives:\n  - title: A\n    key_results: [unclosed\n", encoding="utf-8")
    code, _, err = run_cli("kpis", "--file", str(bad), "--workspace", str(workspace))
    assert code == 2 and str(bad) in err and "Traceback" not in err
    code, _, err = run_cli(
        "kpis", "--file", str(tmp_path / "absent.yaml"), "--workspace", str(workspace)
    )
    assert code == 2 and "absent.yaml" in err


def test_catalog_stays_off_the_startup_path() -> None:
    """Building the CLI must not import the KPI module; loading the catalog must not embed."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from coach.cli import build_parser\n"
        "build_parser()\n"
        "assert 'coach.kpis' not in sys.modules, 'kpis imported at CLI start'\n"
        "from coach.kpis import load_catalog\n"
        "load_catalog()\n"
        "heavy = [m for m in ('numpy', 'wordllama') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_show_in_swedish_translates_the_catalog_words(run_cli):
    code, out, _ = run_cli("kpis", "--show", "nps", "--lang", "sv")
    assert code == 0
    assert "högre är bättre" in out and "kund / kundtjänst" in out and "varje kvartal" in out
    assert "higher_is_better" not in out

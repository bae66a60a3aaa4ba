"""The lifecycle commands end to end on a copy of the demo workspace."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from coach.files import read_okr_file


def test_checkin_then_score_json(demo_workspace: Path, run_cli) -> None:
    ws = str(demo_workspace)
    code, out, err = run_cli(
        "checkin", "--workspace", ws, "--kr", "o1.kr3", "--value", "41", "--confidence", "60",
        "--note", "Winter filter live", "--date", "2026-10-09",
    )  # fmt: skip
    assert code == 0, err
    assert "recorded check-in 1 on o1.kr3 (2026-Q4)" in out and "now active" in err
    code, out, _ = run_cli("score", "--workspace", ws, "--cycle", "2026-Q4", "--format", "json")
    assert code == 0
    data = json.loads(out)
    kr = next(k for o in data["objectives"] for k in o["key_results"] if k["kr_id"] == "o1.kr3")
    assert kr["progress"] == (41 - 34) / (55 - 34) and kr["confidence"] == 0.6
    assert kr["band"] == "fail" and data["status"] == "active"
    assert {c["kind"] for c in data["calibration"]} == {"committed", "aspirational"}


def test_checkin_edit_via_cli_keeps_a_record(demo_workspace: Path, run_cli) -> None:
    ws = str(demo_workspace)
    assert run_cli("checkin", "--workspace", ws, "--kr", "o1.kr3", "--value", "40")[0] == 0
    code, out, _ = run_cli(
        "checkin", "--workspace", ws, "--kr", "o1.kr3", "--edit", "1", "--value", "39",
        "--why", "wrong filter in the dashboard", "--format", "json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["edited"] is True
    kr = read_okr_file(demo_workspace / "cycles" / "2026-Q4.yaml").cycle.find_kr("o1.kr3")
    assert [c.value for c in kr.checkins] == [39] and kr.changes[0].old == {"value": 40.0}


def test_bad_checkin_input_exits_2_and_leaves_the_file_alone(demo_workspace: Path, run_cli) -> None:
    ws = str(demo_workspace)
    path = demo_workspace / "cycles" / "2026-Q4.yaml"
    before = path.read_bytes()
    code, _, err = run_cli("checkin", "--workspace", ws, "--kr", "o7.kr1", "--value", "1")
    assert code == 2 and "no key result 'o7.kr1'" in err and "Traceback" not in err
    code, _, err = run_cli("checkin", "--workspace", ws, "--kr", "o1.kr3", "--value", "lots")
    assert code == 2 and "'lots' is not a number" in err
    code, _, err = run_cli("checkin", "--workspace", ws, "--kr", "o1.kr3", "--date", "9 okt")
    assert code == 2 and "not a date" in err
    assert path.read_bytes() == before


def test_broken_cycle_file_is_named_with_its_line(demo_workspace: Path, run_cli) -> None:
    path = demo_workspace / "cycles" / "2026-Q4.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("target: 55", "taget: 55"), "utf-8")
    before = path.read_bytes()
    code, _, err = run_cli(
        "checkin", "--workspace", str(demo_workspace), "--kr", "o1.kr3", "--value", "40"
    )
    assert code == 2 and re.search(r"2026-Q4\.yaml.*line \d+", err, re.S) and "taget" in err
    assert path.read_bytes() == before


def test_score_text_names_assumptions_and_flags(demo_workspace: Path, run_cli) -> None:
    code, out, _ = run_cli("score", "--workspace", str(demo_workspace), "--cycle", "2026-Q2")
    assert code == 0
    assert "o2.kr2: progress 0.91" in out and "assumed: no baseline: assumed 0" in out
    assert "! committed, expected 1.0" in out and "calibration:" in out


def test_score_a_file_path(tmp_path: Path, run_cli) -> None:
    f = tmp_path / "okrs.yaml"
    f.write_text(
        "objectives:\n  - title: Win enterprise customers\n    key_results:\n"
        "      - text: Sign 10 enterprise customers\n        target: 10\n        current: 7\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli("score", str(f), "--format", "json")
    kr = json.loads(out)["objectives"][0]["key_results"][0]
    assert code == 0 and kr["percent_of_target"] == 0.7 and kr["progress"] == 0.7
    code, _, err = run_cli("score", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml" in err


def test_html_report_is_self_contained_with_inline_svg(demo_workspace: Path, run_cli) -> None:
    out_file = demo_workspace / "report.html"
    code, _, err = run_cli(
        "report", "--workspace", str(demo_workspace), "--cycle", "2026-Q2", "-o", str(out_file)
    )
    assert code == 0, err
    page = out_file.read_text(encoding="utf-8")
    umask = os.umask(0o022)
    os.umask(umask)
    assert out_file.stat().st_mode & 0o777 == 0o666 & ~umask  # shareable, not owner-only
    assert page.count("<svg") == 2 + 7  # overview, progress, one burn-up per KR
    assert not re.search(r"<(img|script|link)\b[^>]*(src|href)=", page)
    assert "Ship the new availability calendar" in page and "o2.kr4" in page


def test_markdown_report_writes_chart_files(demo_workspace: Path, run_cli) -> None:
    out_file = demo_workspace / "out" / "q3.md"
    code, _, _ = run_cli(
        "report", "--workspace", str(demo_workspace), "--cycle", "2026-Q3", "-o", str(out_file)
    )
    assert code == 0
    md = out_file.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert "q3_charts/overview.svg" in links and "q3_charts/burnup-o2.kr4.svg" in links
    for link in links:
        assert (out_file.parent / link).read_text(encoding="utf-8").startswith("<svg")
    assert "| o1.kr2 Raise mobile booking conversion" in md


def test_markdown_report_to_stdout_says_where_charts_go(demo_workspace: Path, run_cli) -> None:
    code, out, _ = run_cli("report", "--workspace", str(demo_workspace), "--cycle", "2026-Q3")
    assert code == 0 and out.startswith("# OKR report 2026-Q3") and "-o" in out


def test_retro_saves_and_refuses_to_overwrite_team_edits(demo_workspace: Path, run_cli) -> None:
    ws = str(demo_workspace)
    (demo_workspace / "retros" / "2026-Q2.md").unlink()
    code, out, err = run_cli(
        "retro", "--workspace", ws, "--cycle", "2026-Q2", "--no-ingest", "--lang", "sv"
    )
    assert code == 0, err
    path = demo_workspace / "retros" / "2026-Q2.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ncycle: 2026-Q2\nteam: Bokning\nkind: retro")
    assert "# Retrospektiv 2026-Q2" in text and "## Lärdomar som datan pekar på" in text
    assert "o2.kr2 saknade utgångsläge" in text  # lacked a baseline
    assert "o2.kr3 var en aktivitet" in text  # 200 calls: an activity
    assert "Kristi himmelsfärd gav kö i tre dagar." in text  # check-in notes are kept
    path.write_text(text + "\nTeamets egna ord.\n", encoding="utf-8")
    code, _, err = run_cli("retro", "--workspace", ws, "--cycle", "2026-Q2", "--no-ingest")
    assert code == 2 and "--force" in err
    assert path.read_text(encoding="utf-8").endswith("Teamets egna ord.\n")


def test_new_cycle_from_carries_aspirational_krs_with_yes(demo_workspace: Path, run_cli) -> None:
    ws = str(demo_workspace)
    code, out, _ = run_cli(
        "new-cycle", "--workspace", ws, "--from", "2026-Q3", "--cycle", "2027-Q1", "--yes"
    )
    assert code == 0 and out.count("carried forward:") == 2
    new = read_okr_file(demo_workspace / "cycles" / "2027-Q1.yaml").cycle
    assert [k.baseline for _, _, _, k in new.iter_krs()] == [15, 26]
    code, out, err = run_cli(
        "new-cycle", "--workspace", ws, "--from", "2026-Q3", "--cycle", "2027-Q2"
    )
    assert code == 0 and "carried forward" not in out and "pass --yes" in err


def test_checkin_on_a_hand_written_file_gives_ids_first(workspace: Path, run_cli) -> None:
    (workspace / "cycles" / "2026-Q1.yaml").write_text(
        "cycle: 2026-Q1\nobjectives:\n  - title: Faster support\n    key_results:\n"
        "      - Cut first response time from 4 h to 1 h\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(
        "checkin", "--workspace", str(workspace), "--kr", "o1.kr1", "--value", "3"
    )
    assert code == 0, err
    cycle = read_okr_file(workspace / "cycles" / "2026-Q1.yaml").cycle
    assert cycle.objectives[0].id == "o1" and cycle.find_kr("o1.kr1").checkins[0].value == 3


def test_score_text_in_swedish(demo_workspace: Path, run_cli) -> None:
    code, out, _ = run_cli(
        "score", "--workspace", str(demo_workspace), "--cycle", "2026-Q2", "--lang", "sv"
    )
    assert code == 0 and out.startswith("cykel 2026-Q2 (Bokning): poäng 0.81 uppnått")
    assert "! åtagande, förväntat 1,0" in out and "antagande: inget utgångsläge" in out

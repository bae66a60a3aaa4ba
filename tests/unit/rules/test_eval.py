"""``python -m coach.eval``: metrics per defect and language, JSON output, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from coach.eval import main

ROWS = [
    {"id": "a", "lang": "en", "kr": "Raise NPS from 32 to 45 by Q3", "verdict": "good",
     "labels": {"measurable": True, "outcome": True, "has_baseline": True, "time_bound": True, "vague": False}},
    {"id": "b", "lang": "en", "kr": "Launch a customer portal", "verdict": "bad",
     "labels": {"measurable": False, "outcome": False, "has_baseline": False, "time_bound": False, "vague": False}},
    {"id": "c", "lang": "sv", "kr": "Förbättra kundnöjdheten", "verdict": "bad",
     "labels": {"measurable": False, "outcome": True, "has_baseline": False, "time_bound": False, "vague": True}},
]  # fmt: skip


def _write(tmp_path: Path) -> Path:
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "dev_small.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8"
    )
    return folder


def test_text_report(tmp_path: Path, capsys) -> None:
    assert main(["--data", str(_write(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "== dev_small.jsonl" in out
    for defect in ("activity", "not_measurable", "vague", "no_baseline", "no_deadline"):
        assert f"en    {defect}" in out and f"sv    {defect}" in out
    assert "good vs flawed accuracy" in out


def test_json_report(tmp_path: Path, capsys) -> None:
    assert main(["--data", str(_write(tmp_path)), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["dev_small.jsonl"]
    en = data["languages"]["en"]
    assert en["defects"]["activity"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "true": 1,
        "tp": 1,
        "fp": 0,
        "fn": 0,
    }
    assert data["languages"]["sv"]["defects"]["vague"]["true"] == 1
    assert en["good_vs_flawed_accuracy"] == 1.0


def test_missing_data_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["--data", str(tmp_path / "nowhere")]) == 2
    assert "no labelled sets" in capsys.readouterr().err


def test_bad_line_names_file_and_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "dev_bad.jsonl"
    bad.write_text('{"kr": "x"}\n', encoding="utf-8")
    assert main([str(bad)]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err

"""The whole loop: draft → check-ins → score → retro → memory → the next draft's lessons."""

from __future__ import annotations

import json
from pathlib import Path

from coach.config import load_settings
from coach.files import read_okr_file
from coach.memory import lessons_for

DRAFT = """\
cycle: 2026-Q1
team: Onboarding
language: en
objectives:
  - title: New customers reach value in their first week
    key_results:
      - text: Raise trial-to-paid conversion from 8 % to 12 %
        baseline: 8
        target: 12
        unit: "%"
        direction: up
        kind: aspirational
      - text: Send 40 onboarding emails to trial users
        target: 40
        kind: committed
"""


def test_draft_checkins_score_retro_ingest_then_lessons(workspace: Path, run_cli) -> None:
    ws = str(workspace)
    draft = workspace / "draft.yaml"
    draft.write_text(DRAFT, encoding="utf-8")
    assert run_cli("import", "--workspace", ws, str(draft))[0] == 0

    checkins = [
        ("o1.kr1", "8.5", "2026-01-16", "Trial users stall at the data import step."),
        ("o1.kr1", "9.5", "2026-02-13", "Guided sample-data import shipped; stalls dropped."),
        ("o1.kr1", "10", "2026-03-27", "Pricing page confusion still blocks annual plans."),
        ("o1.kr2", "40", "2026-03-20", "All emails sent; open rates did not change conversion."),
    ]
    for kr_id, value, day, note in checkins:
        code, _, err = run_cli(
            "checkin", "--workspace", ws, "--kr", kr_id, "--value", value, "--date", day,
            "--confidence", "0.6", "--note", note, "--cycle", "2026-Q1",
        )  # fmt: skip
        assert code == 0, err

    code, out, _ = run_cli("score", "--workspace", ws, "--cycle", "2026-Q1", "--format", "json")
    scores = {k["kr_id"]: k for o in json.loads(out)["objectives"] for k in o["key_results"]}
    assert scores["o1.kr1"]["progress"] == 0.5 and scores["o1.kr2"]["achieved"] is True

    code, out, err = run_cli("retro", "--workspace", ws, "--cycle", "2026-Q1")
    assert code == 0, err
    assert "added to memory" in out
    retro = (workspace / "retros" / "2026-Q1.md").read_text(encoding="utf-8")
    assert "guided sample-data import" in retro.lower() and "was an activity" in retro

    code, out, err = run_cli(
        "new-cycle", "--workspace", ws, "--from", "2026-Q1", "--cycle", "2026-Q2", "--yes"
    )
    assert code == 0, err
    assert "carried forward: o1.kr1" in out
    assert "lessons from earlier cycles:" in out and "retros/2026-Q1.md" in out

    # The next draft's KR finds the retro passage in memory, with its metadata.
    new = read_okr_file(workspace / "cycles" / "2026-Q2.yaml").cycle
    passages = lessons_for(new.find_kr("o1.kr1"), load_settings(workspace), k=5)
    retro_hits = [p for p in passages if p.source == "retros/2026-Q1.md"]
    assert retro_hits, [p.source for p in passages]
    assert {(p.cycle, p.team, p.kind) for p in retro_hits} == {("2026-Q1", "Onboarding", "retro")}
    assert any("conversion" in p.text.lower() for p in retro_hits)

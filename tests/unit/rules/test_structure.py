"""Activity vs outcome from structure: who does what to which counted thing (round two)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coach.engine import check_kr_text

ROOT = Path(__file__).resolve().parents[3]


def _activity(text: str, lang: str = "en") -> bool:
    return any(f.category == "activity" for f in check_kr_text(text, lang=lang).findings)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Get to NPS 50", "en"),
        ("Case studies drive 15% of inbound demo requests by Q4", "en"),  # output causes result
        ("Referral program brings 400 new signups in Q2", "en"),
        ("3 new enterprise logos signed", "en"),  # counted customers won
        ("Sign 3 new enterprise logos", "en"),
        ("Our templates are installed by 2,000 teams", "en"),  # a counted agent: others act
        ("ENTERPRISE PIPELINE: $3M QUALIFIED BY Q3", "en"),  # money after a label is a level
        ("Teckna 5 nya ramavtal", "sv"),
    ],
)
def test_outcomes(text: str, lang: str) -> None:
    assert not _activity(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Call 50 customers", "en"),  # contacting people is work, winning them is not
        ("The team delivers 10 new features", "en"),  # counted work items stay work
        ("Webinars deliver 20 new workshops", "en"),
        ("3 blog posts published per week", "en"),
        ("Case studies published on the website", "en"),
        ("Ensure all customer data is encrypted at rest", "en"),  # making a thing reach a state
        ("Säkerställa att alla rutiner är dokumenterade", "sv"),
        ("Ringa 50 kunder", "sv"),
    ],
)
def test_activities(text: str, lang: str) -> None:
    assert _activity(text, lang)


def test_people_reaching_a_state_is_not_a_task() -> None:
    assert not _activity("Ensure customers are satisfied with onboarding")


def test_eval_scores_a_data_file_split(tmp_path: Path) -> None:
    data = tmp_path / "set.jsonl"
    labels = {"measurable": True, "outcome": True, "has_baseline": True, "time_bound": True}
    rows = [
        {"id": "a", "lang": "en", "kr": "Raise NPS from 30 to 45 by Q3", "split": "dev",
         "labels": {**labels, "vague": False}, "verdict": "good"},
        {"id": "b", "lang": "en", "kr": "Write 12 blog posts", "split": "test",
         "labels": {**labels, "outcome": False, "has_baseline": False, "time_bound": False,
                    "vague": False}, "verdict": "bad"},
    ]  # fmt: skip
    data.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "coach.eval", "--data-file", str(data), "--split", "test",
         "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout  # fmt: skip
    report = json.loads(out)[f"{data.name} [test]"]
    assert report["languages"]["en"]["n"] == 1
    assert report["languages"]["en"]["defects"]["activity"]["tp"] == 1

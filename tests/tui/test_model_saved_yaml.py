"""A full AI-assisted session, saved: the cycle file keeps every accepted field — the model's
why-now, metric, unit and KPI id, deadlines as dates — and nothing stale from a replaced text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from textual.widgets import TabbedContent

from coach.config import load_settings
from tests.llm_fixtures import json_reply
from tui.app import OkrCoachApp
from tui.screens.key_results import KeyResultsScreen
from tui.screens.pick import PickDraft
from tui.screens.preview import SendPreview

from .conftest import SIZE

pytestmark = pytest.mark.server

DRAFTED_KR = "Raise the share of booking visits that end in a booking from ___ % to ___ %"
OBJECTIVES = {
    "candidates": [
        {"title": "Make every cabin owner feel heard", "why_now": "Owners are leaving us."},
        {"title": "Make prices clear before the last step", "why_now": "Surprises lose guests."},
    ]
}
KRS = {
    "candidates": [
        {
            "text": DRAFTED_KR,
            "metric": "booking conversion rate",
            "unit": "%",
            "direction": "up",
            "why": "conversion shows effortless booking",
            "kpi_id": "ces",  # among the KPI candidates the prompt showed
        },
        {
            "text": "Cut abandoned bookings from ___ to ___",
            "metric": "abandoned bookings",
            "direction": "down",
            "why": "fewer give up",
        },
        {
            "text": "Raise first-time guest rating from ___ to ___",
            "metric": "first-time rating",
            "direction": "up",
            "why": "new guests are happy",
        },
    ]
}
TYPED = "Cut median mobile checkout time from 240 s to 150 s by 2027-03-31"
OLD_KR = "Raise the checkout completion rate from 62 % to 75 % by 30 September"
REWRITE = "Raise the share of first-time guests who book from 62 % to 75 % by 30 September"


async def _settle(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_full_ai_session_saves_every_accepted_field(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    settings = load_settings(
        workspace,
        flags={
            "llm.model": "openai/scripted",
            "llm.api_base": scripted_llm.api_base,
            "llm.timeout": 10,
            "llm.max_retries": 0,
        },
        env={},
    )
    app = OkrCoachApp(settings, open_cycle="2026-Q3", lang="en", blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # an objective proposed by the model, with its why-now
        scripted_llm.script(json_reply(OBJECTIVES))
        app.go("objectives")
        await _settle(pilot, app)
        await pilot.press("f7")
        await _settle(pilot, app)
        # the first send of the session shows what will be sent; Enter sends it
        assert isinstance(app.screen, SendPreview) and scripted_llm.requests() == []
        await pilot.press("enter")
        await _settle(pilot, app)
        assert isinstance(app.screen, PickDraft)
        await pilot.press("enter")
        await _settle(pilot, app)
        # a KR drafted by the model for objective 1, with metric, unit and KPI
        scripted_llm.script(json_reply(KRS))
        app.session.position.objective = 0
        app.go("krs")
        await _settle(pilot, app)
        assert isinstance(app.screen, KeyResultsScreen)
        await pilot.press("f7")
        await _settle(pilot, app)
        await pilot.press("enter")
        await _settle(pilot, app)
        # a blank target is a to-do, not "reads well"
        shown = str(app.screen.query_one("#kr-findings").render())
        assert "reads well" not in shown
        # a KR typed by hand: its deadline is kept as a date
        await pilot.press("f4")
        app.screen.query_one("#kr-text").value = TYPED
        await _settle(pilot, app)
        # the first KR's fields are read from its text (then the rewrite replaces the text)
        app.screen.select_kr(0)
        await _settle(pilot, app)
        assert app.session.cycle.objectives[0].key_results[0].metric == "checkout completion rate"
        # the model rewrites the activity KR; the rewrite is accepted
        critique = {
            "objective_note": "One KR is an activity.",
            "missing": [],
            "key_results": [
                {
                    "index": i,
                    "verdict": "good",
                    "problems": [],
                    "rewrite": None,
                    "kpis": [],
                    "lessons": [],
                }
                for i in range(4)
            ],
        }
        critique["key_results"][0].update(verdict="rewrite", rewrite=REWRITE)
        scripted_llm.script(json_reply(critique))
        app.go("review")
        await _settle(pilot, app)
        app.screen.query_one("#review-tabs", TabbedContent).active = "tab-critique"
        await _settle(pilot, app)
        await pilot.press("f7")
        await _settle(pilot, app)
        await pilot.press("enter")
        await _settle(pilot, app)
        await pilot.press("ctrl+s")
        await _settle(pilot, app)
    doc = yaml.safe_load(cycle_file.read_text(encoding="utf-8"))
    titles = {o["title"]: o for o in doc["objectives"]}
    assert titles["Make every cabin owner feel heard"]["why_now"] == "Owners are leaving us."
    krs = {k["text"]: k for k in doc["objectives"][0]["key_results"]}
    drafted = krs[DRAFTED_KR]
    assert drafted["metric"] == "booking conversion rate"
    assert drafted["unit"] == "%"
    assert drafted["kpis"] == ["ces"]
    assert "baseline" not in drafted and "target" not in drafted  # blanks are never invented
    assert str(krs[TYPED]["deadline"]) == "2027-03-31"  # a date, not "by 2027-03-31"
    assert krs[TYPED]["unit"] == "s"
    rewritten = krs[REWRITE]
    assert OLD_KR not in krs
    assert rewritten["metric"] != "checkout completion rate"  # nothing stale from the old text
    assert rewritten["baseline"] == 62 and rewritten["target"] == 75
    assert rewritten["owner"] == "Maja"  # set by the user: kept

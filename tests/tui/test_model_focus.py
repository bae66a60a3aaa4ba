"""Focus and late results: after a critique the first rewrite is selected (Enter accepts,
escape rejects and stays), and KR suggestions belong to the objective they were asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.llm_fixtures import json_reply
from tui.app import OkrCoachApp
from tui.screens.key_results import KeyResultsScreen
from tui.screens.pick import PickDraft
from tui.screens.review import ReviewScreen

from .conftest import SIZE, model_app, open_critique_tab

pytestmark = pytest.mark.server

REWRITE = "Win back 100 guests who abandoned a booking by 30 September"
CRITIQUE = {
    "objective_note": "Checkout is covered.",
    "missing": [],
    "key_results": [
        {"index": 0, "verdict": "good", "problems": [], "rewrite": None, "kpis": [], "lessons": []},
        {
            "index": 1,
            "verdict": "rewrite",
            "problems": [{"code": None, "text": "Calls are an activity."}],
            "rewrite": REWRITE,
            "kpis": [],
            "lessons": [],
        },
    ],
}
DRAFTS = {
    "candidates": [
        {
            "text": f"Owner {w} score: from ___ to ___",
            "metric": f"owner {w} score",
            "direction": "up",
            "why": "owners stay",
        }
        for w in ("trust", "loyalty", "renewal")
    ]
}


async def _critique(pilot, app: OkrCoachApp) -> ReviewScreen:
    screen = await open_critique_tab(pilot, app)
    await pilot.press("f7")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_enter_right_after_a_critique_accepts_the_first_rewrite(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    scripted_llm.script(json_reply(CRITIQUE))
    app = model_app(workspace, scripted_llm, **{"llm.timeout": 10})
    async with app.run_test(size=SIZE) as pilot:
        screen = await _critique(pilot, app)
        rewrites = screen.query_one("#rewrites", OptionList)
        assert rewrites.has_focus and rewrites.highlighted == 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.cycle.objectives[0].key_results[1].text == REWRITE


async def test_escape_rejects_the_rewrite_and_stays_on_review(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    scripted_llm.script(json_reply(CRITIQUE))
    app = model_app(workspace, scripted_llm, **{"llm.timeout": 10})
    async with app.run_test(size=SIZE) as pilot:
        screen = await _critique(pilot, app)
        old = app.session.cycle.objectives[0].key_results[1].text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.rewrites == []
        assert app.session.cycle.objectives[0].key_results[1].text == old


async def test_a_rewrite_for_a_kr_edited_since_is_not_applied(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    scripted_llm.script(json_reply(CRITIQUE))
    app = model_app(workspace, scripted_llm, **{"llm.timeout": 10})
    async with app.run_test(size=SIZE) as pilot:
        await _critique(pilot, app)
        app.session.set_kr_text(0, 1, "Call 50 guests")  # edited meanwhile
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.cycle.objectives[0].key_results[1].text == "Call 50 guests"


async def test_late_kr_suggestions_go_to_the_objective_they_were_asked_for(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    scripted_llm.script({"kind": "hang", "seconds": 1.5, "text": json.dumps(DRAFTS)})
    app = model_app(workspace, scripted_llm, **{"llm.timeout": 10})
    app.model_gate.previewed = True  # the first-send preview has its own test
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.position.objective = 1
        app.go("krs")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, KeyResultsScreen)
        await pilot.press("f7")  # asked on objective 2 ...
        await pilot.pause()
        await pilot.press("f5")  # ... then moved to objective 1 while it runs
        await pilot.pause()
        assert screen.oi == 0
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PickDraft)
        assert "objective 2" in str(app.screen.query_one("Label").render())
        await pilot.press("enter")
        await pilot.pause()
        o1, o2 = app.session.cycle.objectives
        assert len(o1.key_results) == 2
        assert o2.key_results[-1].text == DRAFTS["candidates"][0]["text"]

"""The first send of a session shows exactly what will be sent; escape sends nothing, Enter
sends and is not asked again. In Review, a prompt already on screen counts as seen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from coach.config import load_settings
from tests.llm_fixtures import json_reply, status
from tui.app import OkrCoachApp
from tui.screens.pick import PickDraft
from tui.screens.preview import SendPreview

from .conftest import SIZE

pytestmark = pytest.mark.server

DRAFTS = {
    "candidates": [
        {"text": f"Raise {w} from ___ to ___", "metric": w, "direction": "up", "why": "it shows"}
        for w in ("repeat bookings", "owner rating", "guest rating")
    ]
}


async def _settle(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_first_send_is_previewed_then_sent_on_enter_only(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    scripted_llm.default(json_reply(DRAFTS))
    settings = load_settings(
        workspace,
        flags={
            "llm.model": "openai/scripted",
            "llm.api_base": scripted_llm.api_base,
            "llm.timeout": 5,
            "llm.max_retries": 0,
        },
        env={},
    )
    app = OkrCoachApp(settings, open_cycle="2026-Q3", lang="en", blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.position.objective = 0
        app.go("krs")
        await _settle(pilot, app)
        await pilot.press("f7")
        await _settle(pilot, app)
        assert isinstance(app.screen, SendPreview)
        shown = str(app.screen.query_one("#preview-text Static", Static).render())
        assert "Make booking effortless for first-time guests" in shown  # the objective sent
        assert scripted_llm.requests() == []
        await pilot.press("escape")  # not now: nothing is sent
        await _settle(pilot, app)
        assert scripted_llm.requests() == [] and not isinstance(app.screen, PickDraft)
        await pilot.press("f7")  # asked again, since it was not confirmed
        await _settle(pilot, app)
        assert isinstance(app.screen, SendPreview)
        await pilot.press("enter")
        await _settle(pilot, app)
        assert len(scripted_llm.chat_requests()) == 1
        assert isinstance(app.screen, PickDraft) and app.screen.drafts.source == "llm"
        await pilot.press("escape")
        await _settle(pilot, app)
        await pilot.press("f7")  # confirmed once: sent at once from now on
        await _settle(pilot, app)
        assert isinstance(app.screen, PickDraft)  # no preview in between
        assert len(app.model_gate.usage.records) == 2  # asked again (the answer was cached)


async def test_review_f7_with_the_prompt_on_screen_sends_without_asking(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    from textual.widgets import TabbedContent

    from tui.screens.review import ReviewScreen

    scripted_llm.default(status(400))
    settings = load_settings(
        workspace,
        flags={
            "llm.model": "openai/scripted",
            "llm.api_base": scripted_llm.api_base,
            "llm.timeout": 5,
            "llm.max_retries": 0,
        },
        env={},
    )
    app = OkrCoachApp(settings, open_cycle="2026-Q3", lang="en", blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.position.objective = 0
        app.go("review")
        await _settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.query_one("#review-tabs", TabbedContent).active = "tab-critique"
        await _settle(pilot, app)
        assert "What will be sent" in str(screen.query_one("#critique-status").render())
        await pilot.press("f7")
        await _settle(pilot, app)
        assert app.screen is screen
        assert len(scripted_llm.chat_requests()) == 1


async def test_on_demand_the_request_is_shown_and_nothing_is_sent(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    settings = load_settings(
        workspace,
        flags={"llm.model": "openai/scripted", "llm.api_base": scripted_llm.api_base},
        env={},
    )
    app = OkrCoachApp(settings, open_cycle="2026-Q3", lang="en", blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.go("objectives")
        await _settle(pilot, app)
        app.action_show_request()  # "llm: show what will be sent" in the palette
        await _settle(pilot, app)
        assert isinstance(app.screen, SendPreview) and not app.screen.can_send
        shown = str(app.screen.query_one("#preview-text Static", Static).render())
        assert "Make booking a cabin effortless for first-time guests" in shown  # the strategy
        await pilot.press("enter")
        await _settle(pilot, app)
        assert not isinstance(app.screen, SendPreview)
        assert scripted_llm.requests() == [] and app.model_gate.previewed is False

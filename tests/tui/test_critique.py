"""LLM critique in the Review screen over real litellm to the scripted local server:
the prompt is shown, the answer streams in, a rewrite is accepted, sending can be turned off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from coach.config import load_settings
from tests.llm_fixtures import status, stream
from tui.app import OkrCoachApp

from .conftest import SIZE, model_app, open_critique_tab

pytestmark = pytest.mark.server

REWRITE = "Win back 100 guests who abandoned a booking by 30 September"


def _answer() -> str:
    return json.dumps(
        {
            "objective_note": "Checkout is covered; nothing measures first-time guests yet.",
            "missing": ["first-time guest satisfaction"],
            "key_results": [
                {
                    "index": 0,
                    "verdict": "good",
                    "problems": [],
                    "rewrite": None,
                    "kpis": [],
                    "lessons": [],
                },
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
    )


@pytest.fixture
def llm_app(workspace: Path, cycle_file: Path, scripted_llm):
    return model_app(workspace, scripted_llm)


async def test_critique_streams_and_a_rewrite_is_accepted(llm_app, scripted_llm) -> None:
    scripted_llm.script(stream(_answer(), chunks=5))
    app = llm_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        status = str(screen.query_one("#critique-status", Static).render())
        assert "openai/scripted" in status
        assert "Make 100 calls" in status  # the prompt that will be sent is shown first
        assert scripted_llm.chat_requests() == []
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.rewrites and screen.rewrites[0].new == REWRITE
        body = scripted_llm.chat_requests()[0]
        assert body.get("stream") is True
        summary = str(screen.query_one("#critique-text", Static).render())
        assert "nothing measures first-time guests" in summary
        rewrites = screen.query_one("#rewrites", OptionList)
        rewrites.focus()
        rewrites.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.cycle.objectives[0].key_results[1].text == REWRITE
        assert screen.rewrites == []


async def test_sending_off_sends_nothing(llm_app, scripted_llm) -> None:
    app = llm_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        await pilot.press("f9")
        await pilot.pause()
        assert app.send_to_llm is False
        assert "turned off" in str(screen.query_one("#critique-status", Static).render())
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert scripted_llm.chat_requests() == []


async def test_an_unreachable_model_is_a_readable_message(
    workspace: Path, cycle_file: Path
) -> None:
    settings = load_settings(
        workspace,
        flags={
            "llm.model": "openai/scripted",
            "llm.api_base": "http://127.0.0.1:9/v1",  # nothing listens on the discard port
            "llm.timeout": 1,
            "llm.max_retries": 0,
        },
        env={},
    )
    app = OkrCoachApp(settings, open_cycle="2026-Q3", lang="en", blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(screen.query_one("#critique-text", Static).render())
        status = str(screen.query_one("#critique-status", Static).render())
        assert "Traceback" not in text + status
        # the critique falls back to the rules' review and says why
        assert "not available" in text or "failed" in status


async def test_a_failed_critique_offers_advice_and_no_rewrite_to_accept(
    llm_app, scripted_llm
) -> None:
    """The rules' fallback gives instructions ("Add where you start: …"); Enter must never
    write one in as the KR."""
    scripted_llm.default(status(400, body={"error": {"message": "bad request"}}))
    app = llm_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        before = [kr.model_copy() for kr in app.session.cycle.objectives[0].key_results]
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(scripted_llm.chat_requests()) == 1
        status_line = str(screen.query_one("#critique-status", Static).render())
        assert "Critique done" not in status_line and "did not give a critique" in status_line
        assert screen.rewrites == []
        assert screen.query_one("#rewrites", OptionList).option_count == 0
        text = str(screen.query_one("#critique-text", Static).render())
        assert "rules' review" in text
        assert "Ask what" in text  # the rules' advice (OKR activity rule), shown as advice
        await pilot.press("enter")
        await pilot.pause()
        after = app.session.cycle.objectives[0].key_results
        assert [kr.text for kr in after] == [kr.text for kr in before]
        assert [kr.baseline for kr in after] == [kr.baseline for kr in before]

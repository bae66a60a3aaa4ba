"""Request budgets in the TUI, counted at the scripted server: one attempt budget per key press
(``max_retries 2`` = at most 3 requests), a second press while one runs sends nothing more,
escape stops the retries, and the header shows requests, tokens and cost."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.llm_fixtures import status
from tui.screens.review import ReviewScreen

from .conftest import SIZE, model_app, open_critique_tab

pytestmark = pytest.mark.server


async def _wait_for_requests(scripted_llm, n: int, within_s: float = 20.0) -> None:
    deadline = time.monotonic() + within_s
    while len(scripted_llm.chat_requests()) < n:
        assert time.monotonic() < deadline, f"fewer than {n} requests arrived"
        await asyncio.sleep(0.02)


async def test_one_press_against_a_503_is_at_most_max_retries_plus_one_requests(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    scripted_llm.default(status(503))
    app = model_app(workspace, scripted_llm, **{"llm.max_retries": 2})
    async with app.run_test(size=SIZE) as pilot:
        await open_critique_tab(pilot, app)
        await pilot.press("f7")
        await pilot.press("f7")  # a second press while the first runs does nothing
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(scripted_llm.chat_requests()) == 3
        assert "model: 3 requests" in app.sub_title  # the session's usage in the header


async def test_a_second_press_on_the_kr_editor_does_not_draft_twice(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    scripted_llm.default(status(503))
    app = model_app(workspace, scripted_llm, **{"llm.max_retries": 2})
    app.model_gate.previewed = True  # the first-send preview has its own test
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.session.position.objective = 0
        app.go("krs")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(scripted_llm.chat_requests()) == 3


async def test_escape_stops_the_retries(workspace: Path, cycle_file: Path, scripted_llm) -> None:
    # 429 asking for a 3 s wait: the cancel must land in the wait and send nothing more
    scripted_llm.default(status(429, headers={"retry-after": "3"}))
    app = model_app(workspace, scripted_llm, **{"llm.max_retries": 2})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        await pilot.press("f7")
        await _wait_for_requests(scripted_llm, 1)
        await pilot.press("escape")
        await pilot.pause()
        assert "cancelled" in str(screen.query_one("#critique-status").render())
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(scripted_llm.chat_requests()) == 1
        assert isinstance(app.screen, ReviewScreen)  # escape cancelled; it did not leave

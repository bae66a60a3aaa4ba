"""The send switch: with sending off, no screen and no key reaches the model server.

The walk is generic: every step screen (and the check-ins), every function key each screen
binds, every tab and every list row. A new screen or key that calls a model without the gate
makes the walk with sending off fail; the same walk with sending on proves it reaches the model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, TabbedContent

from tests.llm_fixtures import status
from tui.app import OkrCoachApp
from tui.steps import STEPS

from .conftest import SIZE, model_app

pytestmark = pytest.mark.server

SKIPPED_KEYS = {"f1", "f9"}  # help; the switch itself


def _app(workspace: Path, scripted_llm, **flags: object) -> OkrCoachApp:
    # lessons and KPI suggestions embed through the same server: they must obey too
    embed = {"embedding.backend": "litellm:openai/scripted-embed"}
    return model_app(workspace, scripted_llm, **{**embed, **flags})


async def _settle(pilot, app: OkrCoachApp) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    while isinstance(app.screen, ModalScreen):  # a list of drafts: take none
        await pilot.press("escape")
        await pilot.pause()


def _function_keys(screen: Screen) -> list[str]:
    keys = []
    for cls in type(screen).__mro__:
        for b in getattr(cls, "BINDINGS", []):
            key = getattr(b, "key", None)
            if key and key.startswith("f") and key[1:].isdigit() and key not in SKIPPED_KEYS:
                keys.append(key)
    return list(dict.fromkeys(keys))


async def _walk(pilot, app: OkrCoachApp, after_each) -> list[str]:
    """Every step, every function key, every tab and list row; ``after_each(where)``."""
    visited = []
    for step in (*STEPS, "checkin"):
        app.session.position.objective = 0
        app.session.position.kr = 0
        if step == "checkin":
            app.go("review")
            await _settle(pilot, app)
            app.action_checkin()
        else:
            app.go(step)
        await _settle(pilot, app)
        screen = app.screen
        after_each(f"{step} (opened)")
        for tabs in screen.query(TabbedContent):
            for pane in tabs.query("TabPane"):
                tabs.active = pane.id or ""
                await _settle(pilot, app)
                after_each(f"{step} tab {pane.id}")
        for options in screen.query(OptionList):
            if options.option_count:
                options.highlighted = 0
                await _settle(pilot, app)
                after_each(f"{step} list {options.id}")
        for key in _function_keys(screen):
            if app.screen is not screen:
                break
            await pilot.press(key)
            await _settle(pilot, app)
            after_each(f"{step} {key}")
            visited.append(f"{step} {key}")
        if step == "checkin":
            await pilot.press("escape")
            await _settle(pilot, app)
    return visited


async def test_sending_off_nothing_reaches_the_server_from_any_screen(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    app = _app(workspace, scripted_llm)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_toggle_llm()
        await _settle(pilot, app)
        assert app.send_to_llm is False

        def nothing_sent(where: str) -> None:
            sent = scripted_llm.requests()
            assert sent == [], f"{where}: {len(sent)} request(s) reached the model server"

        visited = await _walk(pilot, app, nothing_sent)
    # the walk pressed the keys that call a model on each screen that has one
    assert {"objectives f7", "krs f7", "review f7"} <= set(visited)


async def test_sending_off_kr_suggestions_come_from_the_catalog_and_say_why(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    from tui.screens.pick import PickDraft

    app = _app(workspace, scripted_llm)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_toggle_llm()
        await _settle(pilot, app)
        app.session.position.objective = 0
        app.go("krs")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PickDraft)
        assert app.screen.drafts.source == "rules"
        assert "sending to the model is off" in app.screen.drafts.reason
        assert scripted_llm.requests() == []


async def test_the_same_walk_with_sending_on_reaches_the_model(
    workspace: Path, cycle_file: Path, scripted_llm
) -> None:
    """The control: the walk above would notice a leak, because these keys do call a model."""
    scripted_llm.default(status(400, body={"error": {"message": "no"}}))  # one request a call
    app = _app(workspace, scripted_llm)
    app.model_gate.previewed = True  # the first-send preview would take every key's request
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.send_to_llm is True
        await _walk(pilot, app, lambda where: None)
    assert scripted_llm.chat_requests(), "no key reached the model with sending on"

"""Swedish end to end with the model: the critique is asked for in Swedish, the screen says in
Swedish when the model failed or sending is off, and settings names survive in messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from coach.prompting import LANGUAGE_NAMES
from tests.llm_fixtures import status
from tui.app import OkrCoachApp

from .conftest import SIZE, model_app, open_critique_tab

pytestmark = pytest.mark.server

CYCLE_SV = """\
schema_version: 1
cycle: 2026-Q3
team: Bokning
strategy: Gör det enkelt att boka en stuga för förstagångsgäster.
objectives:
  - title: Gör bokningen enkel för förstagångsgäster
    key_results:
      - text: Öka andelen slutförda bokningar från 62 % till 75 % senast 30 september
      - text: Ring 100 gäster som avbröt en bokning
"""


def _app(workspace: Path, scripted_llm) -> OkrCoachApp:
    (workspace / "cycles" / "2026-Q3.yaml").write_text(CYCLE_SV, encoding="utf-8")
    return model_app(workspace, scripted_llm, lang="sv")


async def test_swedish_ui_asks_for_a_swedish_critique_and_reports_in_swedish(
    workspace: Path, scripted_llm
) -> None:
    scripted_llm.default(status(400, body={"error": {"message": "nej"}}))
    app = _app(workspace, scripted_llm)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        [body] = scripted_llm.chat_requests()
        system = body["messages"][0]["content"]
        assert LANGUAGE_NAMES["sv"] in system and LANGUAGE_NAMES["en"] not in system
        status_line = str(screen.query_one("#critique-status", Static).render())
        assert "Modellen gav ingen kritik" in status_line
        text = str(screen.query_one("#critique-text", Static).render())
        assert "reglernas granskning" in text
        assert "modell: 1 anrop" in app.sub_title


async def test_swedish_sending_off_says_so_in_swedish_and_keeps_the_settings_name(
    workspace: Path, scripted_llm
) -> None:
    from tui.screens.pick import PickDraft

    app = _app(workspace, scripted_llm)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_toggle_llm()
        await pilot.pause()
        app.go("krs")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PickDraft)
        assert "avstängt" in app.screen.drafts.reason
        await pilot.press("escape")
        await pilot.pause()
        app.go("objectives")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        shown = [n for n in app._notifications if "[llm] model" in n.message]
        assert shown and not any(n.markup for n in shown)  # shown as text, not eaten as markup
    assert scripted_llm.requests() == []


async def test_a_rejected_request_reads_in_swedish_on_screen(workspace: Path, scripted_llm) -> None:
    """The provider's refusal reaches the Swedish screen in Swedish, not as coach.llm's English."""
    scripted_llm.default(status(400, body={"error": {"message": "nej"}}))
    app = _app(workspace, scripted_llm)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(screen.query_one("#critique-text", Static).render())
        assert "avvisade anropet (400)" in text
        assert "rejected the request" not in text

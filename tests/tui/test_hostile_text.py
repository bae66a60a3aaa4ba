"""Hostile model text in the TUI: escape sequences, bidi overrides and Rich markup from the
model are shown as plain text, never acted on, while streaming and after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import OptionList, Static

from coach.config import load_settings
from tests.llm_fixtures import stream
from tui.app import OkrCoachApp
from tui.messages import CritiqueChunk

from .conftest import SIZE, open_critique_tab

pytestmark = pytest.mark.server

NOTE = (
    "\x1b[2J\x1b]0;pwned\x07Note\x1b]8;;https://evil.example/\x1b\\ click\x1b]8;;\x1b\\"
    " \u202eevil\u202c [link=https://evil.example]x[/link] [/] [bold]b[/bold]"
)
BAD = ("\x1b", "\x07", "\u202e", "\u202c")


def _answer() -> str:
    krs = [
        {"index": 0, "verdict": "good", "problems": [], "rewrite": None, "kpis": [], "lessons": []},
        {
            "index": 1,
            "verdict": "rewrite",
            "problems": [{"code": None, "text": "[/] \x1b[31mred\x1b[0m"}],
            "rewrite": "Win back guests who abandoned a booking\x1b[m\u202e [/]",
            "kpis": [],
            "lessons": [],
        },
    ]
    return json.dumps({"objective_note": NOTE, "missing": ["[red]m[/red]"], "key_results": krs})


def _plain(widget: Static) -> Text:
    rendered = widget.render()
    return rendered if isinstance(rendered, Text) else Text(str(rendered))


async def test_model_text_is_plain_and_inert(workspace: Path, cycle_file: Path, scripted_llm):
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
    scripted_llm.script(stream(_answer(), chunks=7))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        await pilot.press("f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = _plain(screen.query_one("#critique-text", Static))
        assert "Note click evil" in text.plain
        assert "[link=https://evil.example]x[/link] [/] [bold]b[/bold]" in text.plain
        assert "[red]m[/red]" in text.plain and "[/] red" in text.plain
        assert not any(c in text.plain for c in BAD)
        assert not any("link" in str(span.style) for span in text.spans)  # no OSC-8 / markup link
        # While streaming, the raw text so far is shown: as plain, inert text too.
        screen._stream = ""
        screen.on_critique_chunk(CritiqueChunk('{"objective_note": "' + NOTE))
        shown = _plain(screen.query_one("#critique-text", Static))
        assert "[link=https://evil.example]x[/link] [/]" in shown.plain and not shown.spans
        assert not any(c in shown.plain for c in BAD)
        [rewrite] = screen.rewrites
        assert rewrite.new == "Win back guests who abandoned a booking [/]"
        options = screen.query_one("#rewrites", OptionList)
        assert not any(c in str(options.get_option_at_index(0).prompt) for c in BAD)
        # A toast with a file's or model's text is plain text, not markup.
        app.notify("[/] broken \x1b[2J markup [link=x]y")
        await pilot.pause()
        assert app._notifications and not any("\x1b" in n.message for n in app._notifications)


async def test_file_text_in_lists_is_inert(workspace: Path, cycle_file: Path, scripted_llm):
    """A cycle file from someone else: its KR texts are shown without escape sequences."""
    settings = load_settings(workspace, env={})
    app = OkrCoachApp(settings, open_cycle="2026-Q3", lang="en", blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_critique_tab(pilot, app)
        kr = app.session.cycle.objectives[0].key_results[0]
        kr.text = "Raise NPS\x1b]0;pwned\x07 \u202eto 50\u202c [/]"
        screen.fill_kpi_krs()
        label = screen.query_one("#kpi-krs", OptionList).get_option_at_index(0).prompt
        assert "Raise NPS to 50 [/]" in str(label)
        assert not any(c in str(label) for c in BAD)

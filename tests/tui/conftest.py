"""Fixtures for the TUI tests: a deterministic app on a temp workspace, fixed-size terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from coach.config import load_settings

_TESTS_PARENT = str(Path(__file__).resolve().parents[2])
if _TESTS_PARENT not in sys.path:  # `tests.llm_fixtures` must import however pytest is run
    sys.path.insert(0, _TESTS_PARENT)

from tests.llm_fixtures import llm_server, scripted_llm  # noqa: E402, F401

SIZE = (80, 24)

CYCLE_YAML = """\
schema_version: 1
cycle: 2026-Q3
status: draft
team: Bokning
language: en
strategy: Make booking a cabin effortless for first-time guests.
objectives:
  - title: Make booking effortless for first-time guests
    key_results:
      - text: Raise the checkout completion rate from 62 % to 75 % by 30 September
        owner: Maja
      - text: Make 100 calls to guests who abandoned a booking
  - title: Win the trust of cabin owners in the north
    key_results:
      - text: Increase owner satisfaction
"""


@pytest.fixture
def tui_settings(workspace: Path):
    return load_settings(workspace, env={})


@pytest.fixture
def cycle_file(workspace: Path) -> Path:
    path = workspace / "cycles" / "2026-Q3.yaml"
    path.write_text(CYCLE_YAML, encoding="utf-8")
    return path


@pytest.fixture
def make_app(tui_settings):
    from tui.app import OkrCoachApp

    def _make(**kw):
        kw.setdefault("lang", "en")
        kw.setdefault("blink", False)
        return OkrCoachApp(tui_settings, **kw)

    return _make


def model_app(workspace: Path, server, *, lang: str = "en", **flags: object):
    """The app on the 2026-Q3 cycle with ``server`` (the scripted model) as its model (5 s timeout,
    no retries unless ``flags`` say otherwise, e.g. ``{"llm.max_retries": 2}``)."""
    from tui.app import OkrCoachApp

    settings = load_settings(
        workspace,
        flags={
            "llm.model": "openai/scripted",
            "llm.api_base": server.api_base,
            "llm.timeout": 5,
            "llm.max_retries": 0,
            **flags,
        },
        env={},
    )
    return OkrCoachApp(settings, open_cycle="2026-Q3", lang=lang, blink=False)


async def open_critique_tab(pilot, app):
    """Review on the first objective with the critique tab showing and its workers done."""
    from textual.widgets import TabbedContent

    from tui.screens.review import ReviewScreen

    await pilot.pause()
    app.session.position.objective = 0
    app.go("review")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    screen.query_one("#review-tabs", TabbedContent).active = "tab-critique"
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen

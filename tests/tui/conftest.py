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

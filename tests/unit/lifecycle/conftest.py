"""The scripted OpenAI-compatible server for the retro's LLM summary tests."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS_PARENT = str(Path(__file__).resolve().parents[3])
if _TESTS_PARENT not in sys.path:  # `tests.llm_fixtures` must import however pytest is run
    sys.path.insert(0, _TESTS_PARENT)

from tests.llm_fixtures import llm_server, llm_settings, scripted_llm  # noqa: E402, F401

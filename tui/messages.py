"""Messages that workers post back to the UI thread (they never touch widgets themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from coach.models import Passage
from tui.services import Drafts, KpiView


@dataclass
class LessonsReady(Message):
    """Passages from past cycles for one query (``target`` says which panel asked)."""

    target: str
    passages: list[Passage]


@dataclass
class KpisReady(Message):
    objective: int
    kr: int
    kpis: list[KpiView]


@dataclass
class CritiqueChunk(Message):
    """A piece of critique text to append to the panel as it arrives."""

    text: str


@dataclass
class CritiqueDone(Message):
    objective: int
    result: Any


@dataclass
class WorkFailed(Message):
    """A background task failed; ``message`` is readable, ``hint`` says what to do next."""

    task: str
    message: str
    hint: str = ""


@dataclass
class DraftChanged(Message):
    """The session changed: schedule an autosave."""


@dataclass
class PromptReady(Message):
    """The text a critique request would send, for the privacy view."""

    text: str
    ok: bool = True  # False: ``text`` says why the prompt could not be built


@dataclass
class DraftsReady(Message):
    """Drafted objectives or KRs to offer (``kind`` is "objectives" or "krs")."""

    kind: str
    drafts: Drafts
    objective: int | None = None  # the objective KRs were asked for (index, then title)
    objective_title: str | None = None

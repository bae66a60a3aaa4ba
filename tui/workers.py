"""Background work shared by screens: each runs in a thread and posts a message back.

Errors become :class:`~tui.messages.WorkFailed` with a readable message and a next step, so a
missing store, an offline model or a bug in a part never shows a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widget import Widget

from tui import services
from tui.messages import DraftsReady, KpisReady, LessonsReady, WorkFailed

if TYPE_CHECKING:
    from coach.models import KeyResult, Objective


def fetch_lessons(
    widget: Widget,
    target: str,
    item: KeyResult | Objective | str,
    gate: services.ModelGate,
    current_cycle: str | None = None,
) -> None:
    """Run in a thread worker: retrieve lessons (not from the cycle being edited) and post
    them to ``widget``."""
    try:
        passages = services.lessons_for(item, gate, current_cycle=current_cycle)
    except Exception as e:  # any failure inside retrieval must reach the user as text
        widget.post_message(WorkFailed("lessons", f"{type(e).__name__}: {e}", "lessons"))
        return
    widget.post_message(LessonsReady(target, passages))


def fetch_kpis(
    widget: Widget, oi: int, ki: int, text: str, lang: str | None, gate: services.ModelGate
) -> None:
    try:
        kpis = services.suggest_kpis(text, lang, gate)
    except Exception as e:
        widget.post_message(WorkFailed("kpis", f"{type(e).__name__}: {e}", "kpis"))
        return
    widget.post_message(KpisReady(oi, ki, kpis))


def fetch_drafts(
    widget: Widget,
    kind: str,
    make: Callable[[], services.Drafts],
    objective: int | None = None,
    objective_title: str | None = None,
) -> None:
    """Run ``make`` (a services.draft_* call) and post the drafts, or a readable failure.
    ``objective`` travels with the drafts: they belong to the objective they were asked for."""
    try:
        drafts = make()
    except Exception as e:
        lang = getattr(getattr(widget.app, "t", None), "lang", "en")
        widget.post_message(WorkFailed("drafts", services.error_text(e, lang), "drafts"))
        return
    widget.post_message(DraftsReady(kind, drafts, objective, objective_title))

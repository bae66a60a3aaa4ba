"""What every step screen shares: header, the step bar, translated footer keys, navigation."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer, Header

from tui import services
from tui.widgets.stepbar import StepBar

if TYPE_CHECKING:
    from tui.app import OkrCoachApp
    from tui.session import Session


def action_key(action: str) -> str:
    """``step(-1)`` -> ``step_m1``: a catalog-friendly name for an action with arguments."""
    return action.replace("(", "_").replace(")", "").replace("-", "m").replace("'", "")


def translate_bindings(node: DOMNode, t) -> None:  # type: ignore[no-untyped-def]
    """Give footer keys their description in the UI language (``keys.<action>`` in catalogs)."""
    bindings = node._bindings.key_to_bindings
    for key, items in bindings.items():
        new_items = []
        for b in items:
            key_name = "keys." + action_key(b.action)
            label = t(key_name)
            new_items.append(dataclasses.replace(b, description=label) if label != key_name else b)
        bindings[key] = new_items


def coach_footer() -> Footer:
    """The footer every screen shows. Compact and without the command-palette hint, which
    would take 12 of the 80 columns the essential keys need (ctrl+p, the header icon and the
    F1 help still open the palette)."""
    return Footer(compact=True, show_command_palette=False)


class CoachScreen(Screen):
    """Base for every screen: typed access to the app and the session, translated keys."""

    @property
    def coach(self) -> OkrCoachApp:
        return cast("OkrCoachApp", self.app)

    @property
    def session(self) -> Session:
        session = self.coach.session
        assert session is not None, "step screens open only with a session"
        return session

    def t(self, key: str, **values: object) -> str:
        return self.coach.t(key, **values)

    def on_mount(self) -> None:
        translate_bindings(self, self.coach.t)
        translate_bindings(self.coach, self.coach.t)
        self.coach.refresh_bindings()
        self.coach.still_cursors(self)
        self.populate()

    def populate(self) -> None:
        """Fill the composed widgets from the session (on mount and after a rebuild)."""

    def refresh_texts(self) -> None:
        """Language switched: rebuild from the session (all state lives there)."""
        translate_bindings(self, self.coach.t)
        translate_bindings(self.coach, self.coach.t)
        self.call_later(self._rebuild)

    async def _rebuild(self) -> None:
        await self.recompose()
        self.coach.still_cursors(self)
        self.populate()


class StepScreen(CoachScreen):
    """A step of the flow: ctrl+n / ctrl+b move forward and back."""

    STEP = "strategy"
    BINDINGS = [
        Binding("ctrl+b", "step(-1)", "Back"),
        Binding("ctrl+n", "step(1)", "Next"),
        Binding("escape", "start", "Cycles", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield StepBar(self.STEP, self.coach.t)
        yield from self.compose_body()
        yield coach_footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def action_step(self, delta: int) -> None:
        self.leave()
        self.coach.step_by(delta)

    def action_start(self) -> None:
        self.leave()
        self.coach.changed(immediate=True)
        self.coach.back_to_start()

    def leave(self) -> None:
        """Flush edits into the session before the screen goes away."""

    # ---------------------------------------------------------------- the first send

    def send_after_preview(self, prompt: Callable[[], str], send: Callable[[], None]) -> None:
        """``send()`` at once once the user has seen a request this session (or nothing can be
        sent); else show exactly what ``prompt()`` would send first, and send on Enter."""
        gate = self.coach.model_gate
        if not gate.is_open or gate.previewed:
            send()
            return
        self._build_preview(prompt, send)

    def request_prompt(self) -> Callable[[], str] | None:
        """What this screen's model request (F7) would send, as a function to run in a worker;
        None when the screen has none or it cannot be built yet."""
        return None

    def show_request(self) -> None:
        """On demand (palette): show what F7 here would send, without sending it."""
        prompt = self.request_prompt()
        if prompt is None or not self.coach.model_gate.configured:
            self.notify(self.t("preview.none"), severity="warning", timeout=5)
            return
        self._build_preview(prompt, None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="preview")
    def _build_preview(self, prompt: Callable[[], str], send: Callable[[], None] | None) -> None:
        try:
            text = prompt()
        except Exception as e:  # the preview must not hide a send behind a traceback
            text = self.t(
                "critique.prompt_failed", error=services.error_text(e, self.coach.ui_lang)
            )
        self.app.call_from_thread(self._show_preview, text, send)

    def _show_preview(self, text: str, send: Callable[[], None] | None) -> None:
        from tui.screens.preview import SendPreview

        def answered(ok: bool | None) -> None:
            if ok and send is not None:
                self.coach.model_gate.previewed = True
                send()

        self.app.push_screen(SendPreview(text, can_send=send is not None), answered)

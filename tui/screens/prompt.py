"""A small modal asking for a path (open a file, export to a file)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

if TYPE_CHECKING:
    from tui.app import OkrCoachApp


class PathPrompt(ModalScreen[str | None]):
    CSS_PATH = Path(__file__).with_name("prompt.tcss")  # loaded when first shown
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, placeholder: str, value: str = "") -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        app = cast("OkrCoachApp", self.app)
        with Vertical(id="prompt"):
            yield Label(self.prompt_title, classes="section")
            yield Input(value=self.value, placeholder=self.placeholder, id="path")
            yield Label(app.t("prompt.hint"), classes="hint")

    def on_mount(self) -> None:
        cast("OkrCoachApp", self.app).still_cursors(self)

    @on(Input.Submitted, "#path")
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)

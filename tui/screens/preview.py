"""Before the first request of a session: exactly what will be sent to the model, to send
(Enter) or not (escape); on demand (palette), the same view only to read. The text is shown as
plain text, never as markup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

if TYPE_CHECKING:
    from tui.app import OkrCoachApp


class SendPreview(ModalScreen[bool]):
    CSS_PATH = Path(__file__).with_name("preview.tcss")  # loaded when first shown
    BINDINGS = [
        Binding("enter", "send", "Send"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, prompt: str, can_send: bool = True) -> None:
        super().__init__()
        self.prompt = prompt
        self.can_send = can_send  # False: shown on demand, only to read

    def compose(self) -> ComposeResult:
        app = cast("OkrCoachApp", self.app)
        with Vertical(id="preview"):
            yield Label(
                app.t("preview.title", model=app.settings.llm.model or ""), classes="section"
            )
            with VerticalScroll(id="preview-text"):
                yield Static(Text(self.prompt))
            yield Label(
                app.t("preview.hint" if self.can_send else "preview.hint_view"), classes="hint"
            )

    def on_mount(self) -> None:
        self.query_one("#preview-text").focus()

    def action_send(self) -> None:
        self.dismiss(self.can_send)

    def action_cancel(self) -> None:
        self.dismiss(False)

"""A proposed KR rewrite shown as a diff before anything changes: Enter accepts, escape keeps
the KR as it is. Texts are shown as plain text, never as markup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from coach.text_safety import terminal_safe

if TYPE_CHECKING:
    from tui.app import OkrCoachApp


class ConfirmRewrite(ModalScreen[bool]):
    CSS_PATH = Path(__file__).with_name("diff.tcss")  # loaded when first shown
    BINDINGS = [
        Binding("enter", "accept", "Accept"),
        Binding("escape", "reject", "Keep"),
    ]

    def __init__(self, old: str, new: str, source: str) -> None:
        super().__init__()
        self.old, self.new, self.source = old, new, source

    def compose(self) -> ComposeResult:
        app = cast("OkrCoachApp", self.app)
        diff = Text()
        diff.append(f"- {terminal_safe(self.old)}\n", style="red")
        diff.append(f"+ {terminal_safe(self.new)}", style="green")
        with Vertical(id="rewrite-box"):
            yield Static(Text(app.t(f"rewrite.title_{self.source}"), style="bold"))
            yield Static(diff, id="rewrite-diff")
            yield Static(Text(app.t("rewrite.hint"), style="dim"))

    def action_accept(self) -> None:
        self.dismiss(True)

    def action_reject(self) -> None:
        self.dismiss(False)

"""A modal list of drafted objectives or KRs: Enter takes one, escape takes none."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from coach.text_safety import terminal_safe
from tui.services import Draft, Drafts

if TYPE_CHECKING:
    from tui.app import OkrCoachApp


class PickDraft(ModalScreen[Draft | None]):
    CSS_PATH = Path(__file__).with_name("pick.tcss")  # loaded when first shown
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, drafts: Drafts) -> None:
        super().__init__()
        self.pick_title = title
        self.drafts = drafts

    def compose(self) -> ComposeResult:
        t = cast("OkrCoachApp", self.app).t
        with Vertical(id="pick"):
            yield Label(Text(self.pick_title), classes="section")  # user text: no markup
            if self.drafts.source == "rules" and self.drafts.reason:
                reason = terminal_safe(self.drafts.reason)
                yield Label(Text(t("drafts.offline", reason=reason)), classes="hint")
            options = OptionList(id="drafts")
            for i, d in enumerate(self.drafts.items):
                label = Text(terminal_safe(d.text), style="bold")  # model text: no markup
                if d.warnings:
                    label.append(f"  ▲{d.warnings}", style="yellow")
                if d.why:
                    label.append(f"\n  {terminal_safe(d.why)}", style="dim")
                options.add_option(Option(label, id=str(i)))
            yield options
            yield Label(t("drafts.hint"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one("#drafts", OptionList)
        if options.option_count:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#drafts")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.drafts.items[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)

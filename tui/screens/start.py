"""Start: pick a cycle of the workspace (unsaved drafts marked), create one, or open a file."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from coach.workspace import Workspace, quarter_of
from tui.screens.base import CoachScreen
from tui.session import draft_cycle_ids, has_unsaved_draft


class StartScreen(CoachScreen):
    BINDINGS = [
        Binding("n", "new_cycle", "New cycle"),
        Binding("o", "open_file", "Open file"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="start"):
            yield Static(self.t("start.intro"), id="start-intro")
            yield Label(self.t("start.cycles"), classes="section")
            yield OptionList(id="cycles")
            yield Static("", id="no-cycles")
            yield Label(self.t("start.new_label"), classes="section")
            with Horizontal(id="new-cycle-row"):
                yield Input(
                    placeholder=self.t("start.new_placeholder"),
                    id="new-cycle",
                    compact=True,
                )
                yield Button(self.t("start.create"), id="create", variant="primary", compact=True)
        yield Footer(compact=True)

    def populate(self) -> None:
        self.reload()

    def reload(self) -> None:
        ws = Workspace(self.coach.settings.workspace)
        ids = sorted(set(ws.cycle_ids()) | set(draft_cycle_ids(ws.root)))
        options = self.query_one("#cycles", OptionList)
        options.clear_options()
        for cid in reversed(ids):
            saved = ws.cycle_path(cid).exists()
            if not saved:
                note = self.t("start.never_saved")
            elif has_unsaved_draft(ws.root, cid):
                note = self.t("start.unsaved")
            else:
                note = ""
            options.add_option(Option(f"{cid}  {note}".rstrip(), id=cid))
        if ids:
            options.highlighted = 0
        empty = self.query_one("#no-cycles", Static)
        empty.update("" if ids else self.t("start.empty"))
        empty.display = not ids
        options.display = bool(ids)
        suggestion = quarter_of(date.today())
        new = self.query_one("#new-cycle", Input)
        if not new.value and suggestion not in ids:
            new.value = suggestion
        (options if ids else new).focus()

    @on(OptionList.OptionSelected, "#cycles")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.coach.open_cycle(event.option.id)

    @on(Input.Submitted, "#new-cycle")
    @on(Button.Pressed, "#create")
    def _create(self) -> None:
        cycle_id = self.query_one("#new-cycle", Input).value.strip()
        if not cycle_id:
            self.notify(self.t("start.need_id"), severity="warning")
            return
        self.coach.open_cycle(cycle_id)

    def action_new_cycle(self) -> None:
        self.query_one("#new-cycle", Input).focus()

    def action_open_file(self) -> None:
        self.coach.action_open_file()

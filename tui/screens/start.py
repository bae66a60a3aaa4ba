"""Start: pick a cycle of the workspace (unsaved drafts marked), create one, or open a file."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.listing import CycleEntry, list_cycles, propose_cycle_id
from tui.screens.base import CoachScreen, coach_footer


class StartScreen(CoachScreen):
    BINDINGS = [
        Binding("n", "new_cycle", "New cycle"),
        Binding("o", "open_file", "Open file"),
    ]

    _proposal = ""  # the new-cycle id last proposed

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
        yield coach_footer()

    def populate(self) -> None:
        self.reload()

    def reload(self) -> None:
        entries = list_cycles(self.coach.settings.workspace)
        options = self.query_one("#cycles", OptionList)
        options.clear_options()
        for entry in entries:
            options.add_option(Option(self._label(entry), id=entry.cycle_id))
        if entries:
            options.highlighted = 0
        empty = self.query_one("#no-cycles", Static)
        empty.update("" if entries else self.t("start.empty"))
        empty.display = not entries
        options.display = bool(entries)
        new = self.query_one("#new-cycle", Input)
        proposal = propose_cycle_id((e.cycle_id for e in entries), date.today())
        if not new.value or new.value == self._proposal:  # never overwrite what the user typed
            new.value = proposal
        self._proposal = proposal
        (options if entries else new).focus()

    def _label(self, entry: CycleEntry) -> str:
        notes = []
        if entry.status:
            notes.append(self.t(f"start.status_{entry.status}"))
        if not entry.saved:
            notes.append(self.t("start.never_saved"))
        elif entry.unsaved_changes:
            notes.append(self.t("start.unsaved"))
        return "  ".join([entry.cycle_id, *notes])

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

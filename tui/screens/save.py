"""Step 5: save to the workspace cycle file, export Markdown/CSV, and see the whole set."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from coach.text_safety import terminal_safe
from tui.screens.base import StepScreen


class SaveScreen(StepScreen):
    CSS_PATH = Path(__file__).with_name("save.tcss")  # loaded when first shown
    STEP = "save"

    def compose_body(self) -> ComposeResult:
        with Vertical(id="save-body"):
            yield Static("", id="save-status")
            with Horizontal(classes="button-row"):
                yield Button(self.t("save.button"), id="save", variant="primary", compact=True)
            yield Label(self.t("export.label"), classes="section")
            with Horizontal(classes="field-row"):
                yield Input(self._default("md"), id="export-path", compact=True)
                yield Button(self.t("export.md"), id="export-md", compact=True)
                yield Button(self.t("export.csv"), id="export-csv", compact=True)
            with VerticalScroll(id="outline-box"):
                yield Static(self._outline(), id="outline")

    def _default(self, fmt: str) -> str:
        stem = self.session.cycle.cycle or self.session.target.stem
        return str(self.coach.settings.workspace / f"{stem}.{fmt}")

    def populate(self) -> None:
        self.show_status()
        self.query_one("#save", Button).focus()

    def show_status(self) -> None:
        text = Text()
        text.append(self.t("save.target") + " ", style="bold")
        text.append(str(self.session.target) + "\n")
        if self.session.dirty:
            text.append(self.t("save.unsaved"), style="yellow")
        else:
            text.append(self.t("save.saved"), style="green")
        self.query_one("#save-status", Static).update(text)

    def _outline(self) -> Text:
        cycle = self.session.cycle
        text = Text()
        if cycle.strategy:
            text.append(self.t("step.strategy") + ": ", style="bold")
            text.append(cycle.strategy.strip().split("\n", 1)[0] + "\n\n")
        for oi, obj in enumerate(cycle.objectives, start=1):
            text.append(f"O{oi}  {terminal_safe(obj.title)}\n", style="bold")
            for ki, kr in enumerate(obj.key_results, start=1):
                text.append(f"  KR{ki}  {terminal_safe(kr.text)}")
                if kr.kpis:
                    text.append(f"  [{', '.join(kr.kpis)}]", style="green")
                text.append("\n")
            for ini in obj.initiatives:
                text.append(f"  • {terminal_safe(ini.title)}\n", style="dim")
        if not cycle.objectives:
            text.append(self.t("review.no_objectives"), style="dim")
        return text

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.coach.action_save()
        self.show_status()

    @on(Button.Pressed, "#export-md")
    def _export_md(self) -> None:
        self._export("md")

    @on(Button.Pressed, "#export-csv")
    def _export_csv(self) -> None:
        self._export("csv")

    def _export(self, fmt: str) -> None:
        field = self.query_one("#export-path", Input)
        raw = field.value.strip() or self._default(fmt)
        path = Path(raw).expanduser()
        if path.suffix.lower() not in (f".{fmt}", ".markdown" if fmt == "md" else f".{fmt}"):
            path = path.with_suffix(f".{fmt}")
        field.value = str(path)
        self.coach.export(path)

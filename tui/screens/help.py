"""Help (F1 / ?): the keys, the flow, and the documentation of every rule."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from tui import services
from tui.screens.base import CoachScreen, coach_footer


class HelpScreen(CoachScreen):
    CSS_PATH = Path(__file__).with_name("help.tcss")  # loaded when first shown
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("f1", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, focus_code: str | None = None) -> None:
        super().__init__()
        self.focus_code = focus_code

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help"):
            yield Static(self._intro(), id="help-intro")
            for doc in services.rule_docs(self.coach.ui_lang):
                yield Static(self._rule(doc), id=f"rule-{doc.code}", classes="rule-doc")
        yield coach_footer()

    def _rule(self, doc: services.RuleDoc) -> Text:
        body = Text()
        body.append(f"{doc.code}  {doc.title}", style="bold")
        body.append(f"  ({doc.category}, {doc.severity})\n", style="dim")
        for name in ("what", "why", "example", "instead"):
            value = getattr(doc, name).strip()
            if value:
                body.append(f"{self.t(f'help.rule_{name}')}: ", style="italic")
                body.append(value + "\n")
        return body

    def _intro(self) -> Text:
        text = Text()
        text.append(self.t("help.title") + "\n\n", style="bold")
        text.append(self.t("help.flow") + "\n\n")
        text.append(self.t("help.keys_title") + "\n", style="bold")
        for key in (
            "help.key_nav",
            "help.key_save",
            "help.key_palette",
            "help.key_steps",
            "help.key_kr",
            "help.key_review",
            "help.key_lang",
            "help.key_quit",
        ):
            text.append(f"  {self.t(key)}\n")
        text.append("\n" + self.t("help.rules_title") + "\n", style="bold")
        return text

    def populate(self) -> None:
        if self.focus_code:
            found = self.query(f"#rule-{self.focus_code}")
            if found:
                self.call_after_refresh(found.first().scroll_visible, top=True, animate=False)
            else:
                self.notify(self.t("help.unknown_rule", code=self.focus_code), severity="warning")

    def action_close(self) -> None:
        self.dismiss()

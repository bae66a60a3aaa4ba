"""Step 1: the strategy or mission for the period, the method's questions, lessons."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static, TextArea

from tui.messages import LessonsReady, WorkFailed
from tui.screens.base import StepScreen
from tui.widgets.lessons import LessonsPanel
from tui.workers import fetch_lessons

QUESTIONS = ("strategy.q_true", "strategy.q_whom", "strategy.q_why_now", "strategy.q_stop")


class StrategyScreen(StepScreen):
    CSS_PATH = Path(__file__).with_name("strategy.tcss")  # loaded when first shown
    STEP = "strategy"
    BINDINGS = [
        Binding("f5", "lessons", "Lessons"),
        Binding("f7", "propose", "Propose", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="strategy-body"):
            with Vertical(id="strategy-left"):
                yield Label(self.t("strategy.label"), classes="section")
                yield TextArea(
                    self.session.cycle.strategy or "",
                    id="strategy",
                    placeholder=self.t("strategy.placeholder"),
                )
            with Vertical(id="strategy-right"):
                yield Label(self.t("strategy.questions"), classes="section")
                questions = Text()
                for n, key in enumerate(QUESTIONS, start=1):
                    questions.append(f"{n}. {self.t(key)}\n")
                yield Static(questions, id="questions")
                yield Label(self.t("lessons.title"), classes="section")
                yield LessonsPanel(self.coach.t, id="strategy-lessons")

    def populate(self) -> None:
        self.query_one("#strategy", TextArea).focus()
        if self.session.cycle.strategy:
            self.action_lessons()

    @on(TextArea.Changed, "#strategy")
    def _changed(self, event: TextArea.Changed) -> None:
        self.session.set_strategy(event.text_area.text)
        self.coach.changed()

    def action_lessons(self) -> None:
        query = self.session.cycle.strategy
        if not query:
            self.notify(self.t("strategy.need_text"), severity="warning")
            return
        self.query_one(LessonsPanel).show_loading()
        self._lessons(query)

    def action_propose(self) -> None:
        """F7 proposes elsewhere (objectives, KRs, critique): here it says where, not nothing."""
        self.notify(self.t("strategy.propose_next"), timeout=6)

    @work(thread=True, exclusive=True, exit_on_error=False, description="lessons")
    def _lessons(self, query: str) -> None:
        fetch_lessons(self, "strategy", query, self.coach.model_gate, self.session.cycle.cycle)

    def on_lessons_ready(self, message: LessonsReady) -> None:
        self.query_one(LessonsPanel).show_passages(message.passages)

    def on_work_failed(self, message: WorkFailed) -> None:
        panel = self.query_one(LessonsPanel)
        panel.show_message(self.t("lessons.failed", error=message.message))

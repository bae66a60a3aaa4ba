"""Step 2: draft 2–4 objectives; rule findings about objectives appear as you write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Label, Static
from textual.worker import Worker

from tui import services
from tui.messages import DraftsReady, WorkFailed
from tui.screens.base import StepScreen
from tui.screens.pick import PickDraft
from tui.widgets.findings import FindingsView
from tui.workers import fetch_drafts

CHECK_DELAY_S = 0.25


class ObjectiveRow(Vertical):
    """One objective: its title input and the findings about it."""

    def __init__(self, index: int, title: str, t) -> None:  # type: ignore[no-untyped-def]
        super().__init__(classes="objective-row")
        self.index = index
        self.title_text = title
        self.t = t

    def compose(self) -> ComposeResult:
        yield Label(self.t("objectives.item", n=self.index + 1), classes="row-label")
        yield Input(
            self.title_text,
            placeholder=self.t("objectives.placeholder"),
            id=f"objective-{self.index}",
            classes="objective-input",
            compact=True,
        )
        yield FindingsView(self.t, id=f"objective-findings-{self.index}")


class ObjectivesScreen(StepScreen):
    CSS_PATH = Path(__file__).with_name("objectives.tcss")  # loaded when first shown
    STEP = "objectives"
    BINDINGS = [
        Binding("f4", "add", "Add"),
        Binding("f7", "propose", "Propose"),
        Binding("f8", "delete", "Delete"),
    ]

    _timer: Timer | None = None
    _draft_worker: Worker | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="objectives-body"):
            with VerticalScroll(id="objective-list"):
                for i, obj in enumerate(self.session.cycle.objectives):
                    yield ObjectiveRow(i, obj.title, self.coach.t)
                if len(self.session.cycle.objectives) < self._max():
                    yield ObjectiveRow(len(self.session.cycle.objectives), "", self.coach.t)
                yield Static("", id="set-findings", classes="findings")
            with VerticalScroll(id="objectives-help"):
                yield Label(self.t("objectives.guide_title"), classes="section")
                yield Static(self._guide(), id="objectives-guide")

    def _guide(self) -> Text:
        text = Text()
        text.append(self.t("objectives.guide") + "\n\n")
        text.append(self.t("objectives.examples_title") + "\n", style="bold")
        for key in ("objectives.example_1", "objectives.example_2", "objectives.example_3"):
            text.append(f"• {self.t(key)}\n")
        return text

    def _max(self) -> int:
        return self.coach.settings.rules.objectives_max

    def populate(self) -> None:
        inputs = list(self.query(".objective-input").results(Input))
        focus = min(self.session.position.objective, len(inputs) - 1)
        if inputs:
            inputs[max(focus, 0)].focus()
        self.run_checks()

    @on(Input.Changed, ".objective-input")
    def _edited(self, event: Input.Changed) -> None:
        row = event.input.parent
        assert isinstance(row, ObjectiveRow)
        is_new = row.index >= len(self.session.cycle.objectives)
        if self.session.set_objective_title(row.index, event.value) is None:
            return
        self.coach.changed()
        if is_new and len(self.session.cycle.objectives) < self._max():
            new_row = ObjectiveRow(len(self.session.cycle.objectives), "", self.coach.t)
            self.query_one("#objective-list").mount(new_row, before="#set-findings")
            self.call_after_refresh(self.coach.still_cursors, new_row)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(CHECK_DELAY_S, self.run_checks)

    @on(Input.Submitted, ".objective-input")
    def _next_row(self) -> None:
        self.focus_next(".objective-input")

    def on_descendant_focus(self, event) -> None:  # type: ignore[no-untyped-def]
        row = event.control.parent if event.control is not None else None
        if isinstance(row, ObjectiveRow):
            self.session.position.objective = row.index

    def run_checks(self) -> None:
        self._timer = None
        findings = services.objective_findings(
            self.session.cycle, self.coach.settings, self.coach.ui_lang
        )
        for row in self.query(ObjectiveRow):
            mine = [f for f in findings if f.location.objective_index == row.index]
            views = row.query(FindingsView)
            if not views:  # a row mounted a moment ago is not composed yet; next check has it
                continue
            view = views.first()
            if row.index < len(self.session.cycle.objectives):
                view.show(mine)
            else:
                view.show([], ok_text="")
        set_level = [f for f in findings if f.location.objective_index is None]
        count = len(self.session.cycle.objectives)
        text = Text(self.t("objectives.count", n=count), style="bold")
        for f in set_level:
            text.append(f"\n▲ {f.code} {f.message}", style="yellow")
        self.query_one("#set-findings", Static).update(text)

    def action_add(self) -> None:
        rows = list(self.query(ObjectiveRow))
        if rows and rows[-1].index >= len(self.session.cycle.objectives):
            rows[-1].query_one(Input).focus()
        else:
            self.notify(self.t("objectives.max", n=self._max()), severity="warning")

    def action_delete(self) -> None:
        index = self.session.position.objective
        if index >= len(self.session.cycle.objectives):
            return
        title = self.session.cycle.objectives[index].title
        self.session.remove_objective(index)
        self.session.position.objective = max(0, index - 1)
        self.coach.changed()
        self.notify(self.t("objectives.deleted", title=title), timeout=4)
        self.call_later(self._rebuild)

    # ---------------------------------------------------------------- proposals

    def action_propose(self) -> None:
        """Objectives proposed from the strategy, grounded in lessons (needs a model)."""
        cycle = self.session.cycle
        if self._draft_worker is not None and not self._draft_worker.is_finished:
            self.notify(self.t("llm.busy"), severity="warning", timeout=4)
            return
        if not self.coach.settings.llm.enabled or not self.coach.send_to_llm:
            self.notify(self.t("objectives.propose_offline"), severity="warning", timeout=8)
            return
        if not cycle.strategy:
            self.notify(self.t("strategy.need_text"), severity="warning")
            return
        if len(cycle.objectives) >= self._max():
            self.notify(self.t("objectives.max", n=self._max()), severity="warning")
            return
        strategy, gate = cycle.strategy, self.coach.model_gate
        lang = self.coach.okr_lang or self.coach.ui_lang
        existing = [o.title for o in cycle.objectives]

        def send() -> None:
            self.notify(self.t("drafts.working"), timeout=3)
            self._draft_worker = self._drafts(
                lambda: services.draft_objectives(strategy, gate, lang, existing)
            )

        self.send_after_preview(
            lambda: services.draft_objectives_prompt(strategy, gate, lang, existing), send
        )

    def request_prompt(self) -> Callable[[], str] | None:
        strategy = self.session.cycle.strategy
        if not strategy:
            return None
        gate, lang = self.coach.model_gate, self.coach.okr_lang or self.coach.ui_lang
        existing = [o.title for o in self.session.cycle.objectives]
        return lambda: services.draft_objectives_prompt(strategy, gate, lang, existing)

    @work(thread=True, exclusive=True, exit_on_error=False, group="drafts", description="drafts")
    def _drafts(self, make: Any) -> None:
        fetch_drafts(self, "objectives", make)

    def on_drafts_ready(self, message: DraftsReady) -> None:
        self.coach.model_used()
        if not message.drafts.items:
            reason = message.drafts.reason or self.t("drafts.none")
            self.notify(reason, severity="warning", timeout=8)
            return

        def chosen(draft: services.Draft | None) -> None:
            if draft is None:
                return
            added = self.session.set_objective_title(len(self.session.cycle.objectives), draft.text)
            if added is not None:
                added.why_now = draft.fields.get("why_now") or added.why_now
                self.session.position.objective = len(self.session.cycle.objectives) - 1
                self.coach.changed()
                self.call_later(self._rebuild)

        self.app.push_screen(PickDraft(self.t("drafts.objectives_title"), message.drafts), chosen)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.coach.model_used()
        self.notify(self.t("drafts.failed", error=message.message), severity="error", timeout=8)

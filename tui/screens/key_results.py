"""Step 3: key results per objective, checked as you type.

Checks are throttled on both edges: the first keystroke after a quiet spell is checked at once
(so a finding appears within a frame), further keystrokes inside ``CHECK_COOLDOWN_S`` are
coalesced into one trailing check of the latest text (a paste or key repeat costs one check).
Fields are filled from the parsed text unless the user typed them by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from coach.models import KeyResult
from coach.text_safety import terminal_safe
from tui import services
from tui.messages import DraftsReady, WorkFailed
from tui.screens.base import StepScreen
from tui.screens.pick import PickDraft
from tui.widgets.findings import MARK, FindingsView
from tui.workers import fetch_drafts

CHECK_COOLDOWN_S = 0.12
TEXT_FIELDS = ("baseline", "target", "unit", "deadline", "owner")
NUMERIC_FIELDS = ("baseline", "target")
NEW = "new"


class KrTextInput(Input):
    """The KR text input. It reports edits from its value watcher, synchronously, instead of
    through a bubbling Changed message: the check then runs before the next frame is laid out,
    so the finding appears in the same frame as the keystroke."""

    quiet = False

    def watch_value(self, value: str) -> None:
        screen = self.screen
        if not self.quiet and isinstance(screen, KeyResultsScreen):
            screen.kr_text_edited(value)


def _field_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value))


class KeyResultsScreen(StepScreen):
    CSS_PATH = Path(__file__).with_name("key_results.tcss")  # loaded when first shown
    STEP = "krs"
    BINDINGS = [
        Binding("f2", "apply_fix", "Apply fix"),
        Binding("f3", "to_initiatives", "→ Initiative"),
        Binding("f4", "add", "New KR", show=False),  # the list's last row names F4
        Binding("f7", "suggest", "Suggest"),
        Binding("f8", "delete", "Delete", show=False),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("f5", "objective(-1)", "◀ Obj", show=False),  # in F1 help: the footer fits 80 cols
        Binding("f6", "objective(1)", "Obj ▶", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.check: services.KrCheckView | None = None
        self._cooldown: Timer | None = None
        self._pending: str | None = None
        self._autofilled: dict[int, set[str]] = {}
        self._draft_worker: Worker | None = None
        # accepted rewrites, newest last: (objective, index, the KR, it before, its autofills)
        self._undo: list[tuple[int, int, KeyResult, KeyResult, set[str]]] = []

    # ---------------------------------------------------------------- layout

    def compose_body(self) -> ComposeResult:
        with Vertical(id="kr-body"):
            yield Static("", id="kr-objective")
            yield OptionList(id="kr-list")
            with Horizontal(classes="field-row"):
                yield Label(self.t("kr.text"), classes="field-label wide")
                yield KrTextInput(placeholder=self.t("kr.placeholder"), id="kr-text", compact=True)
            with Horizontal(classes="field-row"):
                for name in ("baseline", "target", "unit"):
                    yield Label(self.t(f"kr.{name}"), classes="field-label")
                    yield Input(id=f"f-{name}", classes="kr-field", compact=True)
            with Horizontal(classes="field-row"):
                for name in ("deadline", "owner"):
                    yield Label(self.t(f"kr.{name}"), classes="field-label")
                    yield Input(id=f"f-{name}", classes="kr-field", compact=True)
                yield Label(self.t("kr.kind"), classes="field-label")
                yield Select(
                    [
                        (self.t("kr.committed"), "committed"),
                        (self.t("kr.aspirational"), "aspirational"),
                    ],
                    prompt="–",
                    id="f-kind",
                    compact=True,
                )
            yield Static("", id="kr-parsed")
            with VerticalScroll(id="kr-findings-box"):
                yield FindingsView(self.coach.t, id="kr-findings")

    def on_resize(self, event: events.Resize) -> None:
        # a short terminal (60×20) keeps two KR rows so the findings keep theirs
        self.query_one("#kr-list").styles.max_height = 5 if event.size.height >= 24 else 4

    def populate(self) -> None:
        if not self.session.cycle.objectives:
            self.query_one("#kr-objective", Static).update(
                Text(self.t("kr.no_objectives"), style="yellow")
            )
            self.query_one("#kr-text", Input).disabled = True
            return
        pos = self.session.position
        pos.objective = min(pos.objective, len(self.session.cycle.objectives) - 1)
        self.show_objective(pos.objective, pos.kr)
        self.query_one("#kr-text", Input).focus()

    # ---------------------------------------------------------------- navigation

    @property
    def oi(self) -> int:
        return self.session.position.objective

    @property
    def ki(self) -> int:
        return self.session.position.kr

    @property
    def krs(self) -> list[KeyResult]:
        return self.session.cycle.objectives[self.oi].key_results

    @property
    def current(self) -> KeyResult | None:
        return self.krs[self.ki] if self.ki < len(self.krs) else None

    def show_objective(self, oi: int, ki: int = 0) -> None:
        objectives = self.session.cycle.objectives
        self.session.position.objective = oi
        obj = objectives[oi]
        header = Text()
        header.append(self.t("kr.objective", n=oi + 1, total=len(objectives)) + " ", style="bold")
        header.append(terminal_safe(obj.title))
        if obj.initiatives:
            header.append("  " + self.t("kr.initiatives", n=len(obj.initiatives)), style="dim")
        self.query_one("#kr-objective", Static).update(header)
        self.rebuild_list()
        self.select_kr(min(ki, len(obj.key_results)))

    def rebuild_list(self) -> None:
        options = self.query_one("#kr-list", OptionList)
        options.clear_options()
        title = self.session.cycle.objectives[self.oi].title
        for i, kr in enumerate(self.krs):
            findings = None
            try:
                check = services.check_kr(
                    kr.text,
                    self.coach.okr_lang,
                    title,
                    self.coach.ui_lang,
                    self.coach.settings,
                    self.session.cycle,
                    kr,
                )
                findings = check.findings
            except Exception:  # the badge is a hint; the editor reports check failures itself
                findings = None
            options.add_option(Option(self._list_label(i, kr.text, findings), id=f"kr-{i}"))
        options.add_option(Option(Text(self.t("kr.new_item"), style="dim italic"), id=NEW))

    def _list_label(self, i: int, text: str, findings: list | None = None) -> Text:
        label = Text(f"{i + 1}. ", style="bold")
        if findings:
            worst = max(findings, key=lambda f: f.severity.rank)
            mark, style = MARK[worst.severity.value]
            label.append(f"{mark}{len(findings)} ", style=style)
        elif findings is not None:
            label.append("✓ ", style="green")
        label.append(terminal_safe(text))
        label.truncate(200)
        return label

    def select_kr(self, ki: int) -> None:
        self.session.position.kr = ki
        options = self.query_one("#kr-list", OptionList)
        options.highlighted = ki
        kr = self.current
        text_input = self.query_one("#kr-text", KrTextInput)
        text_input.quiet = True
        try:
            with text_input.prevent(Input.Changed):
                text_input.value = kr.text if kr else ""
        finally:
            text_input.quiet = False
        self.fill_fields(kr)
        self.run_check(text_input.value)

    @on(OptionList.OptionHighlighted, "#kr-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != self.ki:
            self.flush()
            self.select_kr(event.option_index)

    @on(OptionList.OptionSelected, "#kr-list")
    def _selected(self) -> None:
        self.query_one("#kr-text", Input).focus()

    def action_objective(self, delta: int) -> None:
        self.flush()
        n = len(self.session.cycle.objectives)
        if n:
            self.show_objective((self.oi + delta) % n, 0)
            self.coach.changed()

    def action_add(self) -> None:
        self.flush()
        self.select_kr(len(self.krs))
        self.query_one("#kr-text", Input).focus()

    def action_delete(self) -> None:
        kr = self.current
        if kr is None:
            return
        self.session.remove_kr(self.oi, self.ki)
        self.coach.changed()
        self.notify(self.t("kr.deleted", text=kr.text), timeout=4)
        self.rebuild_list()
        self.select_kr(min(self.ki, len(self.krs)))

    # ---------------------------------------------------------------- editing and checks

    def kr_text_edited(self, value: str) -> None:
        before = len(self.krs)
        kr = self.session.set_kr_text(self.oi, self.ki, value)
        if kr is not None:
            self.coach.changed()
            if len(self.krs) != before:  # a new KR came into being with its first character
                self.rebuild_list()
                self.query_one("#kr-list", OptionList).highlighted = self.ki
        self._pending = value
        if self._cooldown is None:
            self.run_check(value)
            self._cooldown = self.set_timer(CHECK_COOLDOWN_S, self._cooldown_over)

    def _cooldown_over(self) -> None:
        self._cooldown = None
        if self._pending is not None and (self.check is None or self._pending != self.check.text):
            self.run_check(self._pending)
            self._cooldown = self.set_timer(CHECK_COOLDOWN_S, self._cooldown_over)

    def flush(self) -> None:
        """Run the trailing check now (before moving away from this KR)."""
        if self._cooldown is not None:
            self._cooldown.stop()
            self._cooldown = None
        self._pending = None

    def leave(self) -> None:
        self.flush()

    def run_check(self, text: str, fill: bool = True) -> None:
        """Check the text with the KR's fields; ``fill``: autofill the fields from the text
        (not while the user types into a field, which would rewrite what they type)."""
        self._pending = None
        view = self.query_one("#kr-findings", FindingsView)
        if not text.strip():
            self.check = services.KrCheckView(text=text)
            view.show([], ok_text=self.t("kr.type_hint"))
            self.query_one("#kr-parsed", Static).update("")
            return
        obj = self.session.cycle.objectives[self.oi]
        try:
            check = services.check_kr(
                text,
                self.coach.okr_lang,
                obj.title,
                self.coach.ui_lang,
                self.coach.settings,
                self.session.cycle,
                self.current,
            )
        except Exception as e:  # a rule bug must not take the editor down
            self.check = None
            view.show([], ok_text=self.t("findings.check_failed", error=f"{type(e).__name__}: {e}"))
            return
        self.check = check
        blank = "___" in text  # a skeleton's blank baseline or target is still to do
        view.show(check.findings, ok_text=self.t("kr.blank_todo") if blank else None)
        if fill:
            self.autofill(check.parsed)
        self.show_parsed(check.parsed)
        if self.current is not None:
            option = self.query_one("#kr-list", OptionList)
            if self.ki < option.option_count - 1:
                option.replace_option_prompt_at_index(
                    self.ki, self._list_label(self.ki, text, check.findings)
                )

    def show_parsed(self, parsed: dict[str, Any]) -> None:
        shown = {k: v for k, v in parsed.items() if k in ("metric", "direction") and v}
        text = Text()
        kr = self.current
        side = services.deadline_outside(kr.deadline if kr else None, self.session.cycle)
        if kr is not None and side is not None:  # "by 30 June" in a Q1 cycle is no Q1 result
            start, end = services.cycle_period(self.session.cycle)
            edge = (end if side == "after" else start) or ""
            warning = self.t(f"kr.deadline_{side}", deadline=kr.deadline, edge=str(edge))
            text.append(f"▲ {warning}\n", style="yellow")
        for k, v in shown.items():
            text.append(f"{self.t(f'kr.{k}')}: ", style="dim")
            value = _field_text(v)
            if k == "direction":  # a cycle-file word: shown in the UI language
                value = self.t(f"kr.direction_{value}")
            text.append(value + "   ")
        self.query_one("#kr-parsed", Static).update(text)

    def _auto_for(self, kr: KeyResult) -> set[str]:
        return self._autofilled.setdefault(id(kr), set())

    def autofill(self, parsed: dict[str, Any]) -> None:
        kr = self.current
        if kr is None:
            return
        auto = self._auto_for(kr)
        for name in services.PARSED_FIELDS:
            if name not in parsed:
                if name in auto:  # the text no longer says it ("R" became "Reach NPS 50")
                    self.session.set_kr_field(self.oi, self.ki, name, None)
                    auto.discard(name)
                continue
            if getattr(kr, name) is not None and name not in auto:
                continue  # the user set it: never overwrite
            value = parsed[name]
            if isinstance(value, date):
                value = value.isoformat()
            elif name == "deadline" and isinstance(value, str):
                lang = self.coach.okr_lang or (self.check.language if self.check else None)
                value = services.deadline_value(value, lang, self.session.cycle)
            try:
                self.session.set_kr_field(self.oi, self.ki, name, getattr(value, "value", value))
            except ValueError:
                continue
            auto.add(name)
        self.fill_fields(kr)

    def fill_fields(self, kr: KeyResult | None) -> None:
        for name in TEXT_FIELDS:
            field = self.query_one(f"#f-{name}", Input)
            with field.prevent(Input.Changed):
                field.value = _field_text(getattr(kr, name)) if kr else ""
            field.remove_class("-invalid")
        kind = self.query_one("#f-kind", Select)
        with kind.prevent(Select.Changed):
            kind.value = kr.kind.value if kr and kr.kind else Select.NULL

    @on(Input.Changed, ".kr-field")
    def _field_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("f-")
        if self.current is None:
            self.notify(self.t("kr.text_first"), severity="warning")
            return
        value: Any = event.value.strip() or None
        if name in NUMERIC_FIELDS and value is not None:
            try:
                value = float(value.replace(",", ".").replace(" ", ""))
            except ValueError:
                event.input.add_class("-invalid")
                return
        try:
            self.session.set_kr_field(self.oi, self.ki, name, value)
        except ValueError as e:
            event.input.add_class("-invalid")
            self.notify(str(e), severity="warning", timeout=4)
            return
        event.input.remove_class("-invalid")
        self._autofilled.setdefault(id(self.current), set()).discard(name)
        self.coach.changed()
        self.run_check(self.query_one("#kr-text", Input).value, fill=False)

    @on(Select.Changed, "#f-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if self.current is None:
            return
        value = None if event.value is Select.NULL else event.value
        self.session.set_kr_field(self.oi, self.ki, "kind", value)
        self._autofilled.setdefault(id(self.current), set()).discard("kind")
        self.coach.changed()
        self.run_check(self.query_one("#kr-text", Input).value, fill=False)

    # ---------------------------------------------------------------- fixes

    def action_apply_fix(self) -> None:
        """F2: the KR rewritten in the shared structure, shown as a diff to accept first.
        A finding's text is advice and never goes into the KR."""
        self.flush()
        kr = self.current
        text = self.query_one("#kr-text", Input).value
        lang = self.coach.okr_lang or (self.check.language if self.check else None)
        proposal = services.rewrite_kr(text, lang, kr, self.session.cycle)
        if proposal.new is None or kr is None:
            self.notify(self.t(f"rewrite.{proposal.refused or 'empty'}"), timeout=6)
            return
        oi, ki, new = self.oi, self.ki, proposal.new

        def answered(ok: bool | None) -> None:
            if ok and self._still_there(oi, ki, kr, text):
                self._apply_rewrite(oi, ki, kr, new)

        from tui.screens.diff import ConfirmRewrite

        self.app.push_screen(ConfirmRewrite(text, new, "rules"), answered)

    def _still_there(self, oi: int, ki: int, kr: KeyResult, text: str) -> bool:
        krs = (
            self.session.cycle.objectives[oi].key_results
            if oi < len(self.session.cycle.objectives)
            else []
        )
        return ki < len(krs) and krs[ki] is kr and kr.text == text.strip()

    def _apply_rewrite(self, oi: int, ki: int, kr: KeyResult, new: str) -> None:
        self._undo.append((oi, ki, kr, kr.model_copy(deep=True), set(self._auto_for(kr))))
        if (oi, ki) != (self.oi, self.ki):
            self.show_objective(oi, ki)
        text_input = self.query_one("#kr-text", Input)
        text_input.value = new  # goes through kr_text_edited: stored, checked, fields follow
        self.flush()
        self.run_check(new)
        text_input.focus()
        self.notify(self.t("rewrite.applied"), timeout=4)

    def action_undo(self) -> None:
        """ctrl+z: put back the KR as it was before the last accepted rewrite."""
        self.flush()
        while self._undo:
            oi, ki, kr, before, auto = self._undo.pop()
            objectives = self.session.cycle.objectives
            krs = objectives[oi].key_results if oi < len(objectives) else []
            if ki >= len(krs) or krs[ki] is not kr:
                continue  # that KR was deleted or moved since: nothing of it to restore
            for name in type(kr).model_fields:
                setattr(kr, name, getattr(before, name))
            self.session.touch()
            self._autofilled[id(kr)] = auto
            self.coach.changed()
            self.show_objective(oi, ki)
            self.query_one("#kr-text", Input).focus()
            self.notify(self.t("rewrite.undone"), timeout=4)
            return
        self.notify(self.t("rewrite.nothing_to_undo"), timeout=3)

    def action_to_initiatives(self) -> None:
        self.flush()
        kr = self.current
        if kr is None:
            return
        self.session.move_kr_to_initiatives(self.oi, self.ki)
        self.coach.changed()
        self.notify(self.t("kr.moved", text=kr.text), timeout=5)
        self.show_objective(self.oi, min(self.ki, len(self.krs)))

    # ---------------------------------------------------------------- drafted KRs

    def action_suggest(self) -> None:
        """Candidate KRs for this objective (model, else catalog skeletons), in a worker."""
        if not self.session.cycle.objectives:
            return
        if self._draft_worker is not None and not self._draft_worker.is_finished:
            self.notify(self.t("llm.busy"), severity="warning", timeout=4)
            return
        self.flush()
        cycle = self.session.cycle
        title = cycle.objectives[self.oi].title
        deadline = cycle.end.isoformat() if cycle.end else None
        lang = self.coach.okr_lang or self.coach.ui_lang
        gate, oi, strategy = self.coach.model_gate, self.oi, cycle.strategy

        def send() -> None:
            self.notify(self.t("drafts.working"), timeout=3)
            self._draft_worker = self._drafts(
                lambda: services.draft_krs(title, gate, lang, strategy, deadline), oi, title
            )

        self.send_after_preview(
            lambda: services.draft_krs_prompt(title, gate, lang, strategy, deadline), send
        )

    def request_prompt(self) -> Callable[[], str] | None:
        if not self.session.cycle.objectives:
            return None
        cycle = self.session.cycle
        title, strategy = cycle.objectives[self.oi].title, cycle.strategy
        deadline = cycle.end.isoformat() if cycle.end else None
        lang = self.coach.okr_lang or self.coach.ui_lang
        gate = self.coach.model_gate
        return lambda: services.draft_krs_prompt(title, gate, lang, strategy, deadline)

    @work(thread=True, exclusive=True, exit_on_error=False, group="drafts", description="drafts")
    def _drafts(self, make: Any, oi: int, title: str) -> None:
        fetch_drafts(self, "krs", make, oi, title)

    def _objective_for(self, oi: int | None, title: str | None) -> int | None:
        """Where the objective the drafts were asked for is now (edits may have moved it)."""
        objectives = self.session.cycle.objectives
        if oi is not None and oi < len(objectives) and objectives[oi].title == title:
            return oi
        return next((i for i, o in enumerate(objectives) if o.title == title), None)

    def on_drafts_ready(self, message: DraftsReady) -> None:
        self.coach.model_used()
        if not message.drafts.items:
            self.notify(self.t("drafts.none"), severity="warning", timeout=6)
            return
        asked_for = self._objective_for(message.objective, message.objective_title)
        if asked_for is None:
            return  # the objective is gone: its suggestions are no use elsewhere

        def chosen(draft: services.Draft | None) -> None:
            oi = self._objective_for(asked_for, message.objective_title)
            if draft is None or oi is None:
                return
            krs = self.session.cycle.objectives[oi].key_results
            self.session.set_kr_text(oi, len(krs), draft.text)
            self._keep_draft_fields(oi, len(krs) - 1, draft)
            self.coach.changed()
            self.show_objective(oi, len(krs) - 1)
            self.query_one("#kr-text", Input).focus()

        title = self.t("drafts.krs_title", n=asked_for + 1, title=message.objective_title)
        self.app.push_screen(PickDraft(title, message.drafts), chosen)

    def _keep_draft_fields(self, oi: int, ki: int, draft: services.Draft) -> None:
        """The model's metric, unit, direction and KPI for a drafted KR: they name what the
        parser can only guess from the words, so the parser never overwrites them."""
        for name in ("metric", "unit", "direction"):
            if name in draft.fields:
                try:
                    self.session.set_kr_field(oi, ki, name, draft.fields[name])
                except ValueError:
                    continue
        if "kpi" in draft.fields:
            self.session.attach_kpi(oi, ki, draft.fields["kpi"])

    def on_work_failed(self, message: WorkFailed) -> None:
        self.coach.model_used()
        self.notify(self.t("drafts.failed", error=message.message), severity="error", timeout=8)

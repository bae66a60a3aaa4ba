"""Step 4: review the whole set — all findings, KPI suggestions per KR, lessons, LLM critique.

Findings jump to the KR editor (fix in place). KPIs, lessons and critique run in thread
workers; critique streams into its panel, can be cancelled with escape, and shows what would be
sent to the model first (sending can be turned off). Rewrites come back as diffs to accept or
reject; an accepted rewrite goes back through the rules like any edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from coach.models import Finding
from coach.text_safety import terminal_safe
from tui import services
from tui.messages import (
    CritiqueChunk,
    CritiqueDone,
    KpisReady,
    LessonsReady,
    PromptReady,
    WorkFailed,
)
from tui.screens.base import StepScreen
from tui.widgets.findings import MARK
from tui.widgets.lessons import LessonsPanel
from tui.workers import fetch_kpis, fetch_lessons


class CritiqueCancelled(Exception):
    """Raised from the stream callback to stop a cancelled critique."""


if TYPE_CHECKING:
    from coach.critique import CritiqueResult


@dataclass
class Rewrite:
    """A proposed new text for one KR, shown as a diff."""

    objective: int
    kr: int
    old: str
    new: str
    why: str = ""


def rewrites_from(result: CritiqueResult, objective: int) -> list[Rewrite]:
    """The rewrites a critique proposes (``CritiqueResult.key_results[*].rewrite``). Only the
    model writes KR text; the rules' review gives advice, never a diff to accept."""
    out: list[Rewrite] = []
    if result.source != "llm":
        return out
    for review in result.key_results:
        new = review.rewrite
        if not new or new.strip() == review.text.strip():
            continue
        # A rewrite may be accepted into the user's file: no escape sequences go with it.
        problems = terminal_safe("; ".join(p.text for p in review.problems))
        out.append(
            Rewrite(objective, review.index, review.text, terminal_safe(new).strip(), problems)
        )
    return out


def critique_summary(result: Any, t: Any) -> Text:
    """The critique as readable text: the note, what is missing, a verdict per KR."""
    text = Text()
    if getattr(result, "source", "") == "rules":
        reason = getattr(result, "fallback_reason", None) or ""
        text.append(t("critique.fallback", reason=reason) + "\n\n", style="yellow")
    # Model text goes into Text objects (never parsed as markup) and through terminal_safe.
    if getattr(result, "note", None):
        text.append(terminal_safe(result.note) + "\n\n")
    for item in getattr(result, "missing", None) or []:
        text.append(f"{t('critique.missing')}: {terminal_safe(item)}\n", style="italic")
    by_id = {p.id: p for p in result.passages}
    for review in getattr(result, "key_results", None) or []:
        text.append(f"KR{review.index + 1} ", style="bold")
        text.append(t(f"critique.verdict_{review.verdict}") + "  ", style="cyan")
        text.append(terminal_safe(review.text) + "\n")
        for p in getattr(review, "problems", []) or []:
            code = getattr(p, "code", "") or ""
            text.append(f"   {code} {terminal_safe(p.text)}\n", style="dim")
        for k in getattr(review, "kpis", []) or []:
            text.append(f"   KPI {k.name}: {terminal_safe(k.why)}\n", style="green")
        for p in (by_id[c] for c in review.lessons if c in by_id):
            text.append(
                f"   {t('critique.lesson')} [{p.n}] {terminal_safe(citation(p))}\n", style="blue"
            )
    return text


def citation(p: Any) -> str:
    """Where a cited lesson comes from: ``source:lines (cycle, team)``."""
    where = p.source + (f":{p.lines[0]}-{p.lines[1]}" if p.lines else "")
    about = ", ".join(x for x in (p.cycle, p.team) if x)
    return f"{where} ({about})" if about else where


class ReviewScreen(StepScreen):
    CSS_PATH = Path(__file__).with_name("review.tcss")  # loaded when first shown
    STEP = "review"
    BINDINGS = [
        Binding("f5", "recheck", "Check"),
        Binding("f7", "critique", "Critique"),
        Binding("f9", "toggle_send", "Send on/off"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[Finding] = []
        self.rewrites: list[Rewrite] = []
        self._critique: Worker | None = None
        self._kpi_for: tuple[int, int] | None = None
        self._kpi_views: list[services.KpiView] = []
        self._stream = ""
        self._prompt_text = ""
        # (objective, cycle) the prompt on screen was built for: F7 then sends without asking
        self._prompt_asked: tuple[int, str] | None = None
        self._prompt_for: tuple[int, str] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="review-summary")
        with TabbedContent(id="review-tabs"):
            with TabPane(self.t("review.tab_findings"), id="tab-findings"):
                yield OptionList(id="all-findings")
            with TabPane(self.t("review.tab_kpis"), id="tab-kpis"), Horizontal():
                yield OptionList(id="kpi-krs")
                with Vertical(id="kpi-side"):
                    yield Label(self.t("review.kpi_hint"), classes="hint")
                    yield OptionList(id="kpi-suggestions")
            with TabPane(self.t("review.tab_lessons"), id="tab-lessons"):
                yield LessonsPanel(self.coach.t, id="review-lessons")
            with TabPane(self.t("review.tab_critique"), id="tab-critique"):
                with VerticalScroll(id="critique-box"):
                    yield Static("", id="critique-status")
                    yield Static("", id="critique-text")
                yield OptionList(id="rewrites")

    def populate(self) -> None:
        self.action_recheck()
        self.fill_kpi_krs()
        self.show_critique_status()
        self.query_one("#all-findings", OptionList).focus()

    # ---------------------------------------------------------------- findings

    def action_recheck(self) -> None:
        cycle = self.session.cycle
        try:
            self.findings = services.check_cycle(cycle, self.coach.settings, self.coach.ui_lang)
        except Exception as e:
            self.findings = []
            self.notify(
                self.t("findings.check_failed", error=f"{type(e).__name__}: {e}"),
                severity="error",
                timeout=8,
            )
        n_kr = sum(len(o.key_results) for o in cycle.objectives)
        counts = {s: sum(1 for f in self.findings if f.severity.value == s) for s in MARK}
        summary = Text(
            self.t(
                "review.summary",
                objectives=self.t("review.n_objectives", n=len(cycle.objectives)),
                krs=self.t("review.n_krs", n=n_kr),
                errors=self.t("review.n_errors", n=counts["error"]),
                warnings=self.t("review.n_warnings", n=counts["warning"]),
                infos=self.t("review.n_infos", n=counts["info"]),
            )
        )
        self.query_one("#review-summary", Static).update(summary)
        options = self.query_one("#all-findings", OptionList)
        options.clear_options()
        for i, f in enumerate(self.findings):
            options.add_option(Option(self._finding_label(f), id=f"finding-{i}"))
        if not self.findings:
            options.add_option(Option(Text(self.t("findings.none"), style="green"), disabled=True))

    def _finding_label(self, f: Finding) -> Text:
        mark, style = MARK.get(f.severity.value, ("●", ""))
        text = Text()
        text.append(f"{mark} {f.code} ", style=style)
        loc = f.location
        if loc.objective_index is not None:
            where = f"O{loc.objective_index + 1}"
            if loc.kr_index is not None:
                where += f".KR{loc.kr_index + 1}"
            text.append(where + " ", style="bold")
        text.append(f.message)
        if f.fix_title:
            text.append(f"\n    {self.t('findings.fix')}: {f.fix_title}", style="italic dim")
        return text

    @on(OptionList.OptionSelected, "#all-findings")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        """Fix in place: open the KR (or objective) the finding is about."""
        if not event.option.id or event.option.id == "none":
            return
        f = self.findings[int(event.option.id.removeprefix("finding-"))]
        loc = f.location
        if loc.objective_index is None:
            return
        self.session.position.objective = loc.objective_index
        if loc.kr_index is not None:
            self.session.position.kr = loc.kr_index
            self.coach.go("krs")
        else:
            self.coach.go("objectives")

    # ---------------------------------------------------------------- KPIs

    def fill_kpi_krs(self) -> None:
        options = self.query_one("#kpi-krs", OptionList)
        options.clear_options()
        for oi, ki, _, kr in self.session.cycle.iter_krs():
            label = Text(f"O{oi + 1}.KR{ki + 1} ", style="bold")
            label.append(terminal_safe(kr.text))
            if kr.kpis:
                label.append(f"  [{', '.join(kr.kpis)}]", style="green")
            options.add_option(Option(label, id=f"kr-{oi}-{ki}"))

    @on(OptionList.OptionHighlighted, "#kpi-krs")
    def _kpi_kr(self, event: OptionList.OptionHighlighted) -> None:
        if not event.option.id:
            return
        oi, ki = (int(x) for x in event.option.id.removeprefix("kr-").split("-"))
        if self._kpi_for == (oi, ki):
            return
        self._kpi_for = (oi, ki)
        suggestions = self.query_one("#kpi-suggestions", OptionList)
        suggestions.clear_options()
        suggestions.add_option(
            Option(Text(self.t("review.kpi_loading"), style="dim"), disabled=True)
        )
        kr = self.session.cycle.objectives[oi].key_results[ki]
        self._kpis(oi, ki, kr.text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kpis", description="kpis")
    def _kpis(self, oi: int, ki: int, text: str) -> None:
        fetch_kpis(self, oi, ki, text, self.coach.ui_lang, self.coach.model_gate)

    def on_kpis_ready(self, message: KpisReady) -> None:
        if self._kpi_for != (message.objective, message.kr):
            return
        self._kpi_views = message.kpis
        suggestions = self.query_one("#kpi-suggestions", OptionList)
        suggestions.clear_options()
        attached = self.session.cycle.objectives[message.objective].key_results[message.kr].kpis
        for i, k in enumerate(message.kpis):
            label = Text()
            label.append("✓ " if k.kpi_id in attached else "+ ", style="green")
            label.append(k.name, style="bold")
            if k.role:
                label.append(f"  ({k.role})", style="dim")
            if k.reason:
                label.append(f"\n    {k.reason}", style="dim")
            suggestions.add_option(Option(label, id=f"kpi-{i}"))
        if not message.kpis:
            suggestions.add_option(Option(self.t("review.kpi_none"), disabled=True))

    @on(OptionList.OptionSelected, "#kpi-suggestions")
    def _accept_kpi(self, event: OptionList.OptionSelected) -> None:
        if self._kpi_for is None or not event.option.id:
            return
        kpi = self._kpi_views[int(event.option.id.removeprefix("kpi-"))]
        oi, ki = self._kpi_for
        if self.session.attach_kpi(oi, ki, kpi.kpi_id):
            self.coach.changed()
            self.notify(self.t("review.kpi_attached", name=kpi.name), timeout=4)
            self.fill_kpi_krs()
            self.query_one("#kpi-krs", OptionList).highlighted = self._kr_row(oi, ki)
            self._kpi_for = None

    def _kr_row(self, oi: int, ki: int) -> int:
        for row, (o, k, _, _) in enumerate(self.session.cycle.iter_krs()):
            if (o, k) == (oi, ki):
                return row
        return 0

    # ---------------------------------------------------------------- lessons

    @on(TabbedContent.TabActivated, "#review-tabs")
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-lessons":
            self.load_lessons()
        elif event.pane.id == "tab-critique" and not self._prompt_text:
            self.load_prompt()

    def load_lessons(self) -> None:
        cycle = self.session.cycle
        if not cycle.objectives:
            self.query_one(LessonsPanel).show_message(self.t("review.no_objectives"))
            return
        oi = min(self.session.position.objective, len(cycle.objectives) - 1)
        self.query_one(LessonsPanel).show_loading()
        self._lessons(cycle.objectives[oi].model_copy(deep=True))

    @work(thread=True, exclusive=True, exit_on_error=False, group="lessons", description="lessons")
    def _lessons(self, objective: Any) -> None:
        fetch_lessons(self, "review", objective, self.coach.model_gate, self.session.cycle.cycle)

    def on_lessons_ready(self, message: LessonsReady) -> None:
        self.query_one(LessonsPanel).show_passages(message.passages)

    def on_work_failed(self, message: WorkFailed) -> None:
        if message.task == "lessons":
            self.query_one(LessonsPanel).show_message(
                self.t("lessons.failed", error=message.message)
            )
        elif message.task == "kpis":
            suggestions = self.query_one("#kpi-suggestions", OptionList)
            suggestions.clear_options()
            failed = self.t("review.kpi_failed", error=terminal_safe(message.message))
            suggestions.add_option(Option(Text(failed), disabled=True))
        elif message.task == "critique":
            self._critique = None
            self.coach.model_used()
            self.query_one("#critique-status", Static).update(
                Text(self.t("critique.failed", error=terminal_safe(message.message)), style="red")
            )
            self.notify(message.message, title=self.t("critique.failed_title"), severity="error")

    # ---------------------------------------------------------------- critique

    def show_critique_status(self) -> None:
        status = self.query_one("#critique-status", Static)
        settings = self.coach.settings
        if not settings.llm.enabled:
            status.update(Text(self.t("critique.off"), style="dim"))
            return
        text = Text(self.t("critique.model", model=settings.llm.model or "") + "\n", style="bold")
        if not self.coach.send_to_llm:
            text.append(self.t("critique.sending_off") + "\n", style="yellow")
        else:
            text.append(self.t("critique.ready") + "\n")
        if self._prompt_text:
            text.append("\n" + self.t("critique.prompt_title") + "\n", style="bold")
            text.append(self._prompt_text, style="dim")
        status.update(text)

    def load_prompt(self) -> None:
        cycle = self.session.cycle
        if not self.coach.settings.llm.enabled or not cycle.objectives:
            return
        oi = min(self.session.position.objective, len(cycle.objectives) - 1)
        snapshot = cycle.model_copy(deep=True)
        self._prompt_asked = (oi, self._prompt_cycle_text(snapshot))
        self._prompt(snapshot, oi)

    @work(thread=True, exclusive=True, exit_on_error=False, group="prompt", description="prompt")
    def _prompt(self, cycle: Any, oi: int) -> None:
        try:
            text = services.critique_prompt(cycle, oi, self.coach.model_gate, self._lang)
        except Exception as e:  # the preview is informative; the critique reports its own errors
            error = services.error_text(e, self.coach.ui_lang)
            self.post_message(PromptReady(self.t("critique.prompt_failed", error=error), ok=False))
            return
        self.post_message(PromptReady(text))

    def on_prompt_ready(self, message: PromptReady) -> None:
        self._prompt_text = message.text
        self._prompt_for = self._prompt_asked if message.ok else None
        self.show_critique_status()

    @property
    def _lang(self) -> str:
        """The critique's language: the OKRs' when the cycle names one, else the UI's."""
        return self.coach.okr_lang or self.coach.ui_lang

    def action_toggle_send(self) -> None:
        self.coach.action_toggle_llm()
        self.show_critique_status()

    def action_critique(self) -> None:
        tabs = self.query_one("#review-tabs", TabbedContent)
        tabs.active = "tab-critique"
        if not self.coach.settings.llm.enabled:
            self.notify(self.t("llm.not_configured"), severity="warning", timeout=8)
            return
        if not self.coach.send_to_llm:
            self.notify(self.t("critique.sending_off"), severity="warning", timeout=6)
            return
        if not self.session.cycle.objectives:
            self.notify(self.t("review.no_objectives"), severity="warning")
            return
        if self._critique is not None and not self._critique.is_finished:
            self.notify(self.t("llm.busy"), severity="warning", timeout=4)
            return
        oi = min(self.session.position.objective, len(self.session.cycle.objectives) - 1)
        cycle, gate, lang = (
            self.session.cycle.model_copy(deep=True),
            self.coach.model_gate,
            self._lang,
        )
        if self._prompt_text and self._prompt_for == (oi, self._prompt_cycle_text(cycle)):
            gate.previewed = True  # the request was on screen, exactly, before F7

        def send() -> None:
            self.query_one("#critique-text", Static).update("")
            self._stream = ""
            self.query_one("#critique-status", Static).update(
                Text(self.t("critique.running"), style="italic")
            )
            self._critique = self._run_critique(cycle, oi)

        self.send_after_preview(lambda: services.critique_prompt(cycle, oi, gate, lang), send)

    def request_prompt(self) -> Callable[[], str] | None:
        if not self.session.cycle.objectives:
            return None
        oi = min(self.session.position.objective, len(self.session.cycle.objectives) - 1)
        cycle, gate, lang = (
            self.session.cycle.model_copy(deep=True),
            self.coach.model_gate,
            self._lang,
        )
        return lambda: services.critique_prompt(cycle, oi, gate, lang)

    @staticmethod
    def _prompt_cycle_text(cycle: Any) -> str:
        return cycle.model_dump_json()

    @work(
        thread=True, exclusive=True, exit_on_error=False, group="critique", description="critique"
    )
    def _run_critique(self, cycle: Any, oi: int) -> None:
        worker = get_current_worker()

        def on_partial(text: str) -> None:
            if worker.is_cancelled:  # stops the stream inside the model call
                raise CritiqueCancelled
            self.post_message(CritiqueChunk(text))

        try:
            result = services.critique_objective(
                cycle, oi, self.coach.model_gate, on_partial, self._lang
            )
        except Exception as e:  # LlmError carries a readable message; anything else too
            if not worker.is_cancelled:
                self.post_message(
                    WorkFailed("critique", services.error_text(e, self.coach.ui_lang))
                )
            return
        if not worker.is_cancelled:
            self.post_message(CritiqueDone(oi, result))

    def on_critique_chunk(self, message: CritiqueChunk) -> None:
        # on_partial may pass either the delta or the whole text so far
        if message.text.startswith(self._stream):
            self._stream = message.text
        else:
            self._stream += message.text
        # A Text, not a str: a str would be parsed as markup ([link=…], [/] from the model).
        self.query_one("#critique-text", Static).update(Text(terminal_safe(self._stream)))

    def on_critique_done(self, message: CritiqueDone) -> None:
        self._critique = None
        self.coach.model_used()
        done = message.result.source == "llm"
        status = Text(
            self.t("critique.done" if done else "critique.fell_back"),
            style="green" if done else "yellow",
        )
        if usage := self.coach.model_usage():
            status.append("\n" + usage, style="dim")
        self.query_one("#critique-status", Static).update(status)
        self.query_one("#critique-text", Static).update(
            critique_summary(message.result, self.coach.t)
        )
        self.rewrites = rewrites_from(message.result, message.objective)
        self.show_rewrites()

    def show_rewrites(self, highlight: int = 0) -> None:
        """The diffs to accept or reject; the first (or ``highlight``) is selected and the list
        has focus, so Enter and escape act on it at once."""
        options = self.query_one("#rewrites", OptionList)
        options.clear_options()
        for i, r in enumerate(self.rewrites):
            label = Text(f"O{r.objective + 1}.KR{r.kr + 1}  ", style="bold")
            if r.why:
                label.append(r.why, style="italic")
            label.append(f"\n- {r.old}", style="red")
            label.append(f"\n+ {r.new}", style="green")
            options.add_option(Option(label, id=f"rewrite-{i}"))
        if self.rewrites:
            options.highlighted = min(highlight, len(self.rewrites) - 1)
            options.focus()

    @on(OptionList.OptionSelected, "#rewrites")
    def _accept_rewrite(self, event: OptionList.OptionSelected) -> None:
        if not event.option.id:
            return
        i = int(event.option.id.removeprefix("rewrite-"))
        r = self.rewrites.pop(i)
        objectives = self.session.cycle.objectives
        krs = objectives[r.objective].key_results if r.objective < len(objectives) else []
        if r.kr >= len(krs) or krs[r.kr].text != r.old:
            # the KR was edited, moved or deleted since the critique: never overwrite another
            self.notify(self.t("critique.stale", n=r.kr + 1), severity="warning", timeout=6)
            self.show_rewrites(i)
            return
        self._replace_kr_text(r)
        self.coach.changed()
        self.notify(self.t("critique.accepted", n=r.kr + 1), timeout=4)
        self.show_rewrites(i)
        self.action_recheck()

    def _replace_kr_text(self, r: Rewrite) -> None:
        """Put the rewrite in; fields the parser read from the old text follow the new one."""
        title = self.session.cycle.objectives[r.objective].title
        args = (self.coach.okr_lang, title, self.coach.ui_lang, self.coach.settings)
        try:
            old = services.check_kr(r.old, *args, self.session.cycle)
            new = services.check_kr(r.new, *args, self.session.cycle)
        except Exception:  # a rule bug: the text still goes in, the fields stay as they were
            old = new = None
        kr = self.session.set_kr_text(r.objective, r.kr, r.new)
        if kr is None or old is None or new is None:
            return
        for name, value in services.fields_after_new_text(kr, old, new, self.session.cycle).items():
            try:
                self.session.set_kr_field(r.objective, r.kr, name, value)
            except ValueError:
                self.session.set_kr_field(r.objective, r.kr, name, None)

    def action_cancel(self) -> None:
        """Escape: reject the highlighted rewrite, else stop a running critique, else go back."""
        options = self.query_one("#rewrites", OptionList)
        if options.has_focus and options.highlighted is not None and self.rewrites:
            i = options.highlighted
            self.rewrites.pop(i)
            self.show_rewrites(i)
            self.notify(self.t("critique.rejected"), timeout=3)
            return
        if self._critique is not None and not self._critique.is_finished:
            self._critique.cancel()  # the model call stops before its next request
            self._critique = None
            self.query_one("#critique-status", Static).update(
                Text(self.t("critique.cancelled"), style="yellow")
            )
            return
        self.action_start()

"""Check-ins: progress per key result (bar, score band, sparkline of the history) and a form
to record this week's value, confidence and note. Saved with the cycle (ctrl+s)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Header, Input, Label, Select, Sparkline, Static

from coach.errors import OkrCoachError
from coach.models import CycleStatus, KeyResult, assign_ids
from coach.text_safety import terminal_safe
from tui import services
from tui.screens.base import CoachScreen, coach_footer

BAR_WIDTH = 20
BAND_STYLE = {"achieved": "green", "partial": "yellow", "fail": "red"}


def progress_bar(progress: float | None, width: int = BAR_WIDTH) -> Text:
    if progress is None:
        return Text("·" * width, style="dim")
    filled = round(max(0.0, min(1.0, progress)) * width)
    return Text("█" * filled, style="bold") + Text("░" * (width - filled), style="dim")


class KrProgress(Vertical):
    """One KR: its text, a progress bar with score and band, and a sparkline of check-ins."""

    def __init__(self, label: str, kr: KeyResult, coach) -> None:  # type: ignore[no-untyped-def]
        super().__init__(classes="kr-progress")
        self.label = label
        self.kr = kr
        self.coach = coach

    def compose(self) -> ComposeResult:
        t = self.coach.t
        head = Text(f"{self.label} ", style="bold")
        head.append(terminal_safe(self.kr.text))
        yield Static(head, classes="kr-progress-text")
        line = Text()
        try:
            score = services.score_kr(self.kr, self.coach.settings, self.coach.ui_lang)
        except Exception as e:  # scoring is informative; show why it is missing
            score = None
            line.append(t("checkin.no_score", error=str(e) or type(e).__name__), style="dim")
        if score is not None:
            line.append_text(progress_bar(score.progress))
            if score.progress is not None:
                line.append(f" {score.progress * 100:3.0f} %")
            band = getattr(getattr(score, "band", None), "value", None) or getattr(
                score, "band", None
            )
            if getattr(score, "achieved", False):  # the target itself is met
                line.append(f"  {t('checkin.reached')}", style=BAND_STYLE.get("achieved", ""))
            elif band:  # a scoring band (0.7 is good progress, not the target reached)
                line.append(f"  {t(f'checkin.band_{band}')}", style=BAND_STYLE.get(str(band), ""))
            if score.current is not None:
                line.append(f"  {t('checkin.now')} {score.current:g}", style="dim")
            if score.target is not None:
                line.append(
                    f" / {score.target:g}{(' ' + score.unit) if score.unit else ''}", style="dim"
                )
            if score.confidence is not None:
                line.append(f"  {t('checkin.confidence')} {score.confidence:.1f}", style="dim")
        with Horizontal(classes="kr-progress-row"):
            yield Static(line, classes="kr-progress-bar")
            values = [c.value for c in self.kr.checkins if c.value is not None]
            if len(values) >= 2:
                yield Sparkline(values, classes="kr-spark")


class CheckinScreen(CoachScreen):
    CSS_PATH = Path(__file__).with_name("checkin.tcss")  # loaded when first shown
    BINDINGS = [Binding("escape", "close", "Close")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="checkin-body"):
            yield Static("", id="checkin-summary")
            yield VerticalScroll(id="progress-list")
            if self.session.cycle.status == CycleStatus.closed:
                # a closed cycle's check-ins are history: no form that would only refuse
                yield Static(Text(self.t("checkin.closed"), style="yellow"), id="ci-closed")
            else:
                yield Label(self.t("checkin.form"), classes="section")
                with Horizontal(classes="field-row"):
                    yield Select[str](
                        [], prompt=self.t("checkin.pick_kr"), id="ci-kr", compact=True
                    )
                # tab order follows the form: value, confidence, note, then Add
                with Horizontal(classes="field-row"):
                    yield Label(self.t("checkin.value"), classes="field-label")
                    yield Input(id="ci-value", compact=True, type="number")
                    yield Label(self.t("checkin.confidence"), classes="field-label")
                    yield Input(id="ci-confidence", compact=True, placeholder="0–1")
                with Horizontal(classes="field-row"):
                    yield Label(self.t("checkin.note"), classes="field-label")
                    yield Input(id="ci-note", compact=True)
                    yield Button(
                        self.t("checkin.add"), id="ci-add", compact=True, variant="primary"
                    )
        yield coach_footer()

    def populate(self) -> None:
        assign_ids(self.session.cycle)  # check-ins address KRs by their stable id
        self.refresh_progress()
        krs = [
            (f"{kr.id}  {kr.text}", kr.id or "") for _, _, _, kr in self.session.cycle.iter_krs()
        ]
        if self.session.cycle.status == CycleStatus.closed:
            return
        select = self.query_one("#ci-kr", Select)
        select.set_options(krs)
        if krs:
            select.value = krs[0][1]
            # the KR is picked: typing starts in the value (not in the list's type-to-search)
            self.query_one("#ci-value", Input).focus()

    def refresh_progress(self) -> None:
        box = self.query_one("#progress-list", VerticalScroll)
        box.remove_children()
        rows = []
        for oi, ki, _, kr in self.session.cycle.iter_krs():
            rows.append(KrProgress(f"O{oi + 1}.KR{ki + 1}", kr, self.coach))
        if rows:
            box.mount_all(rows)
        else:
            box.mount(Static(self.t("review.no_objectives"), classes="hint"))
        cycle = self.session.cycle
        n_checkins = sum(len(kr.checkins) for _, _, _, kr in cycle.iter_krs())
        self.query_one("#checkin-summary", Static).update(
            Text(self.t("checkin.summary", cycle=cycle.cycle or "", n=n_checkins), style="bold")
        )

    @on(Button.Pressed, "#ci-add")
    @on(Input.Submitted, "#ci-note")
    def _add(self) -> None:
        from coach.lifecycle import apply_checkin

        kr_id = self.query_one("#ci-kr", Select).value
        if not isinstance(kr_id, str) or not kr_id:
            self.notify(self.t("checkin.pick_kr"), severity="warning")
            return
        raw_value = self.query_one("#ci-value", Input).value.strip()
        raw_conf = self.query_one("#ci-confidence", Input).value.strip()
        try:
            value = float(raw_value.replace(",", ".")) if raw_value else None
            confidence = float(raw_conf.replace(",", ".")) if raw_conf else None
        except ValueError:
            self.notify(self.t("checkin.bad_number"), severity="error")
            return
        note = self.query_one("#ci-note", Input).value.strip()
        try:
            result = apply_checkin(
                self.session.cycle, kr_id, value=value, confidence=confidence, note=note
            )
        except (OkrCoachError, ValueError) as e:
            self.notify(str(e), title=self.t("checkin.failed"), severity="error", timeout=8)
            return
        self.session.cycle = result.cycle
        self.session.touch()
        self.coach.changed(immediate=True)
        for note_text in result.notes:
            self.notify(note_text, timeout=6)
        self.notify(self.t("checkin.added", kr=kr_id, n=result.number), timeout=4)
        for field in ("#ci-value", "#ci-confidence", "#ci-note"):
            self.query_one(field, Input).value = ""
        self.refresh_progress()

    def action_close(self) -> None:
        self.dismiss()

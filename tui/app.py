"""okr-coach's Textual app: a guided session from strategy to a reviewed, saved OKR set.

The app owns the :class:`~tui.session.Session` (the cycle being edited), the UI language and
the debounced autosave. Screens read and change the session and call :meth:`changed`; slow
work (lessons, KPIs, critique) runs in thread workers that post messages back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, TextArea

from coach.errors import OkrCoachError
from coach.text_safety import terminal_safe
from tui.commands import CoachCommands
from tui.i18n import Translator
from tui.prefs import store_language, stored_language
from tui.steps import STEPS

if TYPE_CHECKING:
    from coach.config import Settings
    from tui.services import ModelGate
    from tui.session import Session

AUTOSAVE_DELAY_S = 0.8


class OkrCoachApp(App[None]):
    """The guided OKR coaching session."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "okr-coach"
    COMMANDS = App.COMMANDS | {CoachCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("q", "quit", "Quit", show=False),
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "open_file", "Open", show=False),
        Binding("ctrl+l", "switch_language", "Språk/Lang", show=False),
        Binding("ctrl+t", "toggle_dark", "Theme", show=False),
        Binding("ctrl+r", "checkin", "Check-ins", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        open_path: Path | None = None,
        open_cycle: str | None = None,
        lang: str = "en",
        blink: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.open_path = open_path
        self.open_cycle_id = open_cycle
        self.t = Translator(lang)
        # a language chosen with ctrl+l in an earlier run, unless flag/env/toml set one
        self._lang_chosen = False
        if settings.language == "auto" and (stored := stored_language(settings.workspace)):
            self.t.lang, self._lang_chosen = stored, True
        self.blink = blink
        self.session: Session | None = None
        self._model_gate: ModelGate | None = None
        self._autosave_timer: Timer | None = None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast (screens call this too): messages quote files, paths, model errors and
        settings like ``[llm] model``, so they are shown as plain text, never as markup (which
        would eat the brackets) or escape sequences."""
        super().notify(
            terminal_safe(message),
            title=terminal_safe(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # ---------------------------------------------------------------- start-up

    def compose(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        from tui.screens.start import StartScreen

        self._retitle()
        self.push_screen(StartScreen())
        if self.open_path is not None:
            self.open_file(self.open_path)
        elif self.open_cycle_id is not None:
            self.open_cycle(self.open_cycle_id)

    def _retitle(self) -> None:
        self.title = self.t("app.title")
        if self.session is not None:
            self.sub_title = self.session.cycle.cycle or self.session.target.name
        else:
            self.sub_title = self.settings.workspace.name
        usage = self.model_usage()
        if usage:
            self.sub_title += " · " + usage

    def model_usage(self) -> str:
        """Requests, tokens and cost of the model so far this session ("" before the first)."""
        if self._model_gate is None or not self._model_gate.usage.records:
            return ""
        u = self._model_gate.usage
        cost = f"${u.cost_usd:.4f}" if u.cost_known else self.t("llm.cost_unknown")
        return self.t(
            "llm.usage",
            requests=u.requests,
            tokens_in=u.prompt_tokens,
            tokens_out=u.completion_tokens,
            cost=cost,
        )

    def model_used(self) -> None:
        """A model task ended: the header shows the session's running totals."""
        self._retitle()

    def still_cursors(self, root: Widget) -> None:
        """Snapshots and benchmarks need a cursor that does not blink."""
        if self.blink:
            return
        for widget in root.query("Input, TextArea"):
            if isinstance(widget, Input | TextArea):
                widget.cursor_blink = False

    # ---------------------------------------------------------------- session

    def open_cycle(self, cycle_id: str) -> None:
        from tui.session import Session  # the domain model is not needed for the first frame

        try:
            session = Session.open_cycle(self.settings.workspace, cycle_id)
        except OkrCoachError as e:
            self.notify(str(e), title=self.t("error.open"), severity="error", timeout=8)
            return
        self._start(session)

    def open_file(self, path: Path) -> None:
        from tui.session import Session

        try:
            session = Session.open_file(self.settings.workspace, Path(path))
        except OkrCoachError as e:
            self.notify(str(e), title=self.t("error.open"), severity="error", timeout=10)
            return
        if not session.restored_from_draft and session.position.step == "strategy":
            session.position.step = "review"  # an existing file: show all findings first
        self._start(session)

    def _start(self, session: Session) -> None:
        self.session = session
        if (
            session.cycle.language.value in ("sv", "en")
            and self.settings.language == "auto"
            and not self._lang_chosen
        ):
            self.t.lang = session.cycle.language.value
        for note in session.notes:
            self.notify(note, severity="warning", timeout=8)
        if session.restored_from_draft:
            self.notify(
                self.t("draft.restored", when=session.restored_from_draft),
                title=self.t("draft.title"),
                timeout=6,
            )
        self._retitle()
        self.go(session.position.step)

    def go(self, step: str) -> None:
        """Show one step of the flow (replacing the current step screen)."""
        from tui.screens import step_screen

        if self.session is None:
            return
        self.session.position.step = step
        screen = step_screen(step)
        if len(self.screen_stack) > 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        self.changed(immediate=True)

    def back_to_start(self) -> None:
        from tui.screens.start import StartScreen

        while len(self.screen_stack) > 2:
            self.pop_screen()
        if isinstance(self.screen, StartScreen):
            self.screen.reload()

    def step_by(self, delta: int) -> None:
        if self.session is None:
            return
        i = STEPS.index(self.session.position.step) + delta
        if 0 <= i < len(STEPS):
            if delta > 0 and STEPS[i] == "krs":  # KRs are written from the first objective on
                self.session.position.objective = self.session.position.kr = 0
            self.go(STEPS[i])

    def changed(self, immediate: bool = False) -> None:
        """The session changed: autosave after a short quiet period (or now)."""
        if self.session is None:
            return
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None
        if immediate:
            self.autosave()
        else:
            self._autosave_timer = self.set_timer(AUTOSAVE_DELAY_S, self.autosave)

    def autosave(self) -> None:
        self._autosave_timer = None
        if self.session is None:
            return
        try:
            self.session.autosave()
        except OSError as e:
            self.notify(
                self.t("draft.failed", error=e.strerror or str(e)), severity="error", timeout=8
            )

    @property
    def model_gate(self) -> ModelGate:
        """The one door to the model for every screen (made on first use: the services module
        is not needed for the first frame)."""
        if self._model_gate is None:
            from tui.services import ModelGate

            self._model_gate = ModelGate(
                self.settings, send=self.settings.llm.enabled, off_reason=self._off_reason
            )
        return self._model_gate

    def _off_reason(self) -> str:
        return self.t("llm.off_reason")

    @property
    def send_to_llm(self) -> bool:
        return self.model_gate.is_open

    @property
    def ui_lang(self) -> str:
        return self.t.lang

    @property
    def okr_lang(self) -> str | None:
        """The language of the OKR text itself (None = detect)."""
        if self.session is not None and self.session.cycle.language.value in ("sv", "en"):
            return self.session.cycle.language.value
        return None

    # ---------------------------------------------------------------- actions

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_save(self) -> None:
        if self.session is None:
            self.notify(self.t("save.nothing"), severity="warning")
            return
        try:
            path = self.session.save()
        except OkrCoachError as e:
            self.notify(str(e), title=self.t("save.failed"), severity="error", timeout=10)
            return
        except OSError as e:
            self.notify(
                self.t("save.os_error", error=e.strerror or str(e)),
                title=self.t("save.failed"),
                severity="error",
                timeout=10,
            )
            return
        self.notify(self.t("save.done", path=str(path)), timeout=4)
        show_status = getattr(self.screen, "show_status", None)
        if callable(show_status):
            show_status()

    def export(self, path: Path) -> None:
        if self.session is None:
            self.notify(self.t("save.nothing"), severity="warning")
            return
        try:
            self.session.export(path)
        except (OkrCoachError, OSError) as e:
            self.notify(str(e), title=self.t("export.failed"), severity="error", timeout=10)
            return
        self.notify(self.t("export.done", path=str(path)), timeout=4)

    def action_open_file(self) -> None:
        from tui.screens.prompt import PathPrompt

        def opened(path: str | None) -> None:
            if path:
                self.open_file(Path(path).expanduser())

        self.push_screen(PathPrompt(self.t("open.title"), self.t("open.placeholder")), opened)

    def action_export(self, fmt: str) -> None:
        from tui.screens.prompt import PathPrompt

        if self.session is None:
            self.notify(self.t("save.nothing"), severity="warning")
            return
        stem = self.session.cycle.cycle or self.session.target.stem
        default = str(self.settings.workspace / f"{stem}.{fmt}")

        def chosen(path: str | None) -> None:
            if path:
                self.export(Path(path).expanduser())

        self.push_screen(
            PathPrompt(self.t("export.title", fmt=fmt), default, value=default), chosen
        )

    def action_command_palette(self) -> None:
        """Textual's palette, with its search hint in the UI language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=self.t("palette.placeholder"))
            )

    def action_switch_language(self) -> None:
        self.t.lang = self.t.other()
        self._lang_chosen = True
        store_language(self.settings.workspace, self.t.lang)
        self._retitle()
        self.notify(self.t("lang.switched"), timeout=3)
        self.refresh_texts()

    def refresh_texts(self) -> None:
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_texts", None)
            if callable(refresh):
                refresh()
        self.refresh_bindings()

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_toggle_llm(self) -> None:
        if not self.settings.llm.enabled:
            self.notify(self.t("llm.not_configured"), severity="warning", timeout=8)
            return
        self.model_gate.send = not self.model_gate.send
        self.notify(self.t("llm.on") if self.send_to_llm else self.t("llm.off"), timeout=4)
        self.refresh_texts()

    def action_show_request(self) -> None:
        """Show what the model request of the current step would send (nothing is sent)."""
        show = getattr(self.screen, "show_request", None)
        if callable(show):
            show()
        else:
            self.notify(self.t("preview.none"), severity="warning", timeout=5)

    def action_check(self) -> None:
        if self.session is not None:
            self.go("review")

    def action_checkin(self) -> None:
        from tui.screens.checkin import CheckinScreen

        if self.session is None:
            self.notify(self.t("save.nothing"), severity="warning")
            return
        if not isinstance(self.screen, CheckinScreen):
            self.push_screen(CheckinScreen())

    def action_explain_rule(self, code: str) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(focus_code=code))

    async def action_quit(self) -> None:
        if self._autosave_timer is not None:
            self.autosave()
        self.exit()

"""The command palette (ctrl+p): the app's own commands, grouped ("export: …", "rule: …")."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.app import OkrCoachApp


class CoachCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from tui import services  # loads the domain model: only when the palette opens

        app = cast("OkrCoachApp", self.app)
        t = app.t
        cmds: list[tuple[str, Callable[[], object], str]] = [
            (t("cmd.open"), app.action_open_file, t("cmd.open_help")),
            (t("cmd.cycles"), app.back_to_start, t("cmd.cycles_help")),
            (t("cmd.save"), app.action_save, t("cmd.save_help")),
            (t("cmd.check"), app.action_check, t("cmd.check_help")),
            (t("cmd.checkin"), app.action_checkin, t("cmd.checkin_help")),
            (t("cmd.language"), app.action_switch_language, t("cmd.language_help")),
            (t("cmd.llm"), app.action_toggle_llm, t("cmd.llm_help")),
            (t("cmd.show_request"), app.action_show_request, t("cmd.show_request_help")),
            (t("cmd.theme"), app.action_toggle_dark, t("cmd.theme_help")),
            (t("cmd.help"), app.action_help, t("cmd.help_help")),
        ]
        for fmt in ("md", "csv", "yaml", "json"):
            cmds.append(
                (t("cmd.export", fmt=fmt), partial(app.action_export, fmt), t("cmd.export_help"))
            )
        if app.session is not None:
            for step in ("strategy", "objectives", "krs", "review", "save"):
                cmds.append(
                    (t("cmd.go", step=t(f"step.{step}")), partial(app.go, step), t("cmd.go_help"))
                )
        for doc in services.rule_docs(app.ui_lang):
            cmds.append(
                (
                    t("cmd.explain", code=doc.code, title=doc.title),
                    partial(app.action_explain_rule, doc.code),
                    t("cmd.explain_help"),
                )
            )
        return cmds

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

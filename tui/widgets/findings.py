"""Findings as the coach shows them: severity mark, code, message, and the fix."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.text import Text
from textual.widgets import Static

from coach.models import Finding
from coach.text_safety import terminal_safe

MARK = {"error": ("✖", "bold red"), "warning": ("▲", "bold yellow"), "info": ("●", "cyan")}


def render_findings(
    findings: Iterable[Finding],
    t: Callable[..., str],
    ok_text: str | None = None,
    with_location: bool = False,
) -> Text:
    items = list(findings)
    if not items:
        return Text(ok_text if ok_text is not None else t("findings.none"), style="green")
    text = Text()
    for i, f in enumerate(items):
        if i:
            text.append("\n")
        mark, style = MARK.get(f.severity.value, ("●", ""))
        text.append(f"{mark} {f.code} ", style=style)
        if with_location and f.location.objective_index is not None:
            where = f"O{f.location.objective_index + 1}"
            if f.location.kr_index is not None:
                where += f".KR{f.location.kr_index + 1}"
            text.append(f"{where} ", style="bold")
        text.append(terminal_safe(f.message))  # messages quote the file's text
        if f.fix_title:
            text.append(f"\n   {t('findings.fix')}: {terminal_safe(f.fix_title)}", style="italic")
        if f.suggestion:
            text.append(f"\n   → {terminal_safe(f.suggestion)}", style="green")
    return text


class FindingsView(Static):
    """A findings list that re-renders when given new findings."""

    def __init__(self, t: Callable[..., str], id: str | None = None, classes: str = "") -> None:
        super().__init__("", id=id, classes=f"findings {classes}".strip())
        self.t = t
        self.findings: list[Finding] = []

    def show(self, findings: list[Finding], ok_text: str | None = None, **kw: bool) -> None:
        self.findings = findings
        self.update(render_findings(findings, self.t, ok_text, **kw))

"""Lessons from past cycles: retrieved passages with their citations ([n] source:lines)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from coach.models import Passage
from coach.text_safety import terminal_safe


def citation(p: Passage) -> str:
    where = p.source
    if p.lines:
        where += f":{p.lines[0]}-{p.lines[1]}"
    extra = ", ".join(x for x in (p.cycle, p.team) if x)
    return f"[{p.n}] {where}" + (f" ({extra})" if extra else "")


def render_passages(passages: list[Passage], t: Callable[..., str], limit: int = 320) -> Text:
    if not passages:
        return Text(t("lessons.none"), style="dim")
    text = Text()
    for p in passages:
        # the lesson first: in a narrow panel the source line alone used to fill the view
        body = " ".join(terminal_safe(p.text).split())
        text.append(f"[{p.n}] ", style="bold")
        text.append((body[: limit - 1] + "…" if len(body) > limit else body) + "\n")
        where = citation(p).removeprefix(f"[{p.n}] ")
        if p.heading_path:
            where += " › " + " › ".join(p.heading_path)
        text.append("    " + terminal_safe(where) + "\n\n", style="italic dim")
    return text


class LessonsPanel(VerticalScroll):
    """Shows a status line until passages arrive (from a worker)."""

    def __init__(self, t: Callable[..., str], id: str | None = None) -> None:
        super().__init__(id=id, classes="lessons")
        self.t = t
        self._body = Static(Text(t("lessons.idle"), style="dim"))

    def compose(self):  # type: ignore[no-untyped-def]
        yield self._body

    def show_loading(self) -> None:
        self._body.update(Text(self.t("lessons.loading"), style="dim italic"))

    def show_passages(self, passages: list[Passage]) -> None:
        self._body.update(render_passages(passages, self.t))

    def show_message(self, message: str) -> None:
        self._body.update(Text(message, style="yellow"))

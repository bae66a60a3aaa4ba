"""The flow as a one-line bar: the current step highlighted, the others dimmed."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from tui.steps import STEPS


class StepBar(Static):
    def __init__(self, current: str, t: Callable[..., str]) -> None:
        super().__init__(id="stepbar")
        self.current = current
        self.t = t

    def on_mount(self) -> None:
        self.update(self.render_bar())

    def render_bar(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, step in enumerate(STEPS, start=1):
            if n > 1:
                text.append(" › ", style="dim")
            label = f"{n} {self.t(f'step.{step}')}"
            text.append(label, style="bold reverse" if step == self.current else "dim")
        return text

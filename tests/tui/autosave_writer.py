"""Helper process for the kill test: autosaves alternating big drafts as fast as it can."""

from __future__ import annotations

import sys
from pathlib import Path

from tui.session import Session


def main(workspace: str, ready: str) -> None:
    s = Session.open_cycle(Path(workspace), "2026-Q3")
    s.set_objective_title(0, "Make winter bookable")
    n = 0
    while True:
        s.set_strategy(("new " if n % 2 else "old ") * 20000)  # ~80 kB: a write takes a while
        s.autosave()
        if n == 1:
            Path(ready).write_text("ready", encoding="utf-8")
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""``okr-coach tui [FILE]``: the guided coaching session (also what ``okr-coach`` alone runs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from coach.cli.context import CliContext
from coach.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tui",
        parents=[sub.common],  # type: ignore[attr-defined]
        help="the guided coaching session in the terminal (default command)",
    )
    p.add_argument("file", nargs="?", help="cycle id of the workspace or an OKR file to open")
    p.set_defaults(func=cmd_tui)


def cmd_tui(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.workspace import init_workspace, is_cycle_id

    settings = ctx.settings
    init_workspace(settings.workspace)  # the TUI lists and saves cycles there
    target: Path | None = None
    cycle_id: str | None = None
    if args.file:
        path = Path(args.file).expanduser()
        if path.exists():
            from coach.files.gate import stat_regular

            stat_regular(path)  # the input gate: a folder, FIFO or device is refused here
            target = path
        elif is_cycle_id(args.file):
            cycle_id = args.file
        else:
            raise InputError("no such file (nor a cycle id like 2026-Q1)", str(path))

    # The one sanctioned door from coach/ to the UI (see tests/unit/test_import_contracts.py):
    # imported only when the user asks for the TUI, so coach stays usable without Textual.
    from tui.app import OkrCoachApp

    app = OkrCoachApp(settings, open_path=target, open_cycle=cycle_id, lang=ctx.lang())
    app.run()
    return 0

"""``okr-coach`` command line: argparse, one module per command family.

Each module in COMMAND_MODULES has ``register(subparsers)``; a handler is stored with
``set_defaults(func=handler)`` and called as ``handler(args, ctx) -> int`` (the exit code).
Modules keep heavy imports inside their handlers so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from coach import __version__
from coach.cli.context import CliContext
from coach.errors import OkrCoachError

COMMAND_MODULES = [  # the order of `okr-coach --help`
    "coach.cli.tui_cmd",
    "coach.cli.check_cmd",
    "coach.cli.kpis_cmd",
    "coach.cli.memory_cmd",
    "coach.cli.llm_cmd",
    "coach.cli.lifecycle_cmd",
    "coach.cli.foundation",
    "coach.cli.doctor_cmd",
    "coach.cli.reach_cmd",
]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def common_options() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand (``--workspace`` in both places)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--workspace",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="workspace folder (default: $OKR_COACH_HOME or the user data dir)",
    )
    p.add_argument(
        "--lang",
        choices=["en", "sv", "auto"],
        default=argparse.SUPPRESS,
        help="language of messages and suggestions",
    )
    return p


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with one readable line
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = _Parser(
        prog="okr-coach",
        description="An OKR coach for the terminal: write objectives and key results that are "
        "outcomes, measurable and grounded in what the team learned before.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"okr-coach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.common = common  # type: ignore[attr-defined]  # modules pass it as parents=[...]
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def quiet_library_logs() -> None:
    """Libraries' INFO chatter never reaches stderr (or the TUI's screen); warnings still do.

    wordllama calls ``logging.basicConfig(level=INFO)`` when imported, after which every httpx
    request to a Chroma server printed a line. Configuring the root logger first makes that
    call a no-op; the named loggers are pinned too, for a library that forces its own setup.
    """
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(name)s: %(message)s")
    for name in ("httpx", "httpcore", "chromadb", "wordllama", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    quiet_library_logs()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        if "tui" in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
            args = parser.parse_args([*(argv or sys.argv[1:]), "tui"])
        else:
            parser.print_help()
            return EXIT_OK
    ctx = CliContext(args)
    try:
        return int(args.func(args, ctx) or 0)
    except OkrCoachError as e:
        ctx.err(f"error: {e}")
        return e.exit_code
    except KeyboardInterrupt:
        ctx.err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK

"""Foundation commands: init, new-cycle, import, export, schema, config, demo-workspace."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.cli.context import CliContext


def register(sub: argparse._SubParsersAction) -> None:
    common = [sub.common]  # type: ignore[attr-defined]

    p = sub.add_parser(
        "init", parents=common, help="create a workspace (cycles, settings, .gitignore)"
    )
    p.add_argument("path", nargs="?", help="folder (default: --workspace or the user data dir)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("new-cycle", parents=common, help="start a new cycle file in the workspace")
    p.add_argument("--cycle", help="cycle id such as 2026-Q2 (default: the current quarter)")
    p.add_argument("--team", help="team name")
    p.add_argument("--level", choices=["company", "team", "project", "individual"])
    p.add_argument("--language", choices=["sv", "en", "auto"], default="auto")
    p.add_argument(
        "--from", dest="from_cycle", metavar="ID", help="previous cycle to carry on from"
    )
    p.add_argument("--yes", action="store_true", help="answer yes to questions (scripts)")
    p.set_defaults(func=cmd_new_cycle)

    p = sub.add_parser("import", parents=common, help="import an OKR file into the workspace")
    p.add_argument("file", help="YAML, JSON, Markdown or CSV file (- for stdin)")
    p.add_argument("--cycle", help="cycle id to store it as (default: from the file)")
    p.add_argument("--input-format", choices=["yaml", "json", "md", "csv"])
    p.add_argument("--force", action="store_true", help="replace an existing cycle file")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export", parents=common, help="export a cycle or OKR file to another format"
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--cycle", help="workspace cycle id")
    src.add_argument("--file", help="OKR file to convert")
    p.add_argument("-o", "--output", default="-", help="output file (- = stdout)")
    p.add_argument("--format", choices=["yaml", "json", "md", "csv"], help="default: from -o")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("schema", parents=common, help="print the JSON Schema of the OKR file")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser(
        "config", parents=common, help="show the effective settings (secrets masked)"
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("demo-workspace", parents=common, help="copy the bundled demo workspace")
    p.add_argument("path", help="target folder (must be new or empty)")
    p.add_argument(
        "--no-ingest", action="store_true", help="do not put its past cycles into memory"
    )
    p.set_defaults(func=cmd_demo)


def cmd_init(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.workspace import init_workspace

    ws = init_workspace(args.path or ctx.settings.workspace)
    ctx.out(f"workspace ready: {ws.root}")
    ctx.out("next: okr-coach new-cycle --cycle 2026-Q1   (or okr-coach import okrs.yaml)")
    return 0


def cmd_new_cycle(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.errors import InputError
    from coach.files import write_okr_file
    from coach.locking import workspace_lock
    from coach.models import Cycle
    from coach.workspace import cycle_bounds, init_workspace, next_cycle_id, quarter_of

    ws = init_workspace(ctx.settings.workspace)
    previous = ws.load_cycle(args.from_cycle) if args.from_cycle else None
    cycle_id = args.cycle or (
        next_cycle_id(args.from_cycle) if args.from_cycle else quarter_of(date.today())
    )
    path = ws.cycle_path(cycle_id)
    if path.exists():
        raise InputError(f"cycle {cycle_id} already exists ({path}); pick another id")
    start, end = cycle_bounds(cycle_id)
    cycle = Cycle(
        cycle=cycle_id,
        start=start,
        end=end,
        team=args.team or (previous.team if previous else None),
        level=args.level or (previous.level if previous else None),
        language=args.language if args.language != "auto" or not previous else previous.language,
        strategy=previous.strategy if previous else None,
    )
    if previous is not None:
        from coach.cli.lifecycle_cmd import start_from_previous  # asks per KR on a tty

        start_from_previous(previous, cycle, ctx, assume_yes=args.yes)
    with workspace_lock(ws.root):
        write_okr_file(path, cycle)
    ctx.out(f"created {path}")
    return 0


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.errors import InputError
    from coach.files import read_okr_file, write_okr_file
    from coach.locking import workspace_lock
    from coach.models import assign_ids
    from coach.workspace import check_cycle_id, cycle_bounds, init_workspace

    loaded = read_okr_file(args.file, args.input_format)
    for note in loaded.notes:
        ctx.err(f"note: {note}")
    cycle = assign_ids(loaded.cycle)
    cycle_id = args.cycle or cycle.cycle
    if not cycle_id:
        raise InputError("the file names no cycle; pass --cycle 2026-Q1", args.file)
    check_cycle_id(cycle_id)
    cycle.cycle = cycle_id
    start, end = cycle_bounds(cycle_id)  # as new-cycle does: KRs inherit the cycle's end date
    cycle.start, cycle.end = cycle.start or start, cycle.end or end
    ws = init_workspace(ctx.settings.workspace)
    path = ws.cycle_path(cycle_id)
    if path.exists() and not args.force:
        raise InputError(f"cycle {cycle_id} already exists ({path}); use --force to replace it")
    with workspace_lock(ws.root):
        write_okr_file(path, cycle)
    n_obj, n_kr = len(cycle.objectives), sum(len(o.key_results) for o in cycle.objectives)
    ctx.out(
        f"imported {n_obj} objective{'s' * (n_obj != 1)} and {n_kr} key "
        f"result{'s' * (n_kr != 1)} into {path}"
    )
    return 0


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.files import dumps, format_for, read_okr_file, write_okr_file

    if args.cycle:
        cycle = ctx.workspace.load_cycle(args.cycle)
    else:
        cycle = read_okr_file(args.file).cycle
    if args.output == "-":
        text = dumps(cycle, args.format or "yaml")
        if ctx.stdout.isatty():  # a person reads it; a pipe or file gets the exact data
            ctx.write_document(text)
        else:
            ctx.stdout.write(text)
        return 0
    fmt = format_for(args.output, args.format)
    write_okr_file(args.output, cycle, fmt)
    ctx.err(f"wrote {args.output} ({fmt})")
    return 0


def cmd_schema(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.models import Cycle

    schema = Cycle.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "okr-coach cycle file"
    ctx.out(json.dumps(schema, ensure_ascii=False, indent=2))
    return 0


def cmd_config(args: argparse.Namespace, ctx: CliContext) -> int:
    view = ctx.settings.public_view()
    if args.format == "json":
        ctx.out_json(view)
        return 0
    for section, value in view.items():
        if isinstance(value, dict):
            for k, v in value.items():
                ctx.out(f"{section}.{k} = {v}")
        else:
            ctx.out(f"{section} = {value}")
    return 0


def cmd_demo(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.workspace import copy_demo

    ws = copy_demo(Path(args.path))
    ctx.out(f"demo workspace copied to {ws.root}")
    if args.no_ingest:
        return 0
    # Remember the demo's past cycles, retros and notes, so lessons show from the first minute.
    from coach.config import load_settings
    from coach.memory import MemoryStore

    report = MemoryStore.open(load_settings(ws.root)).ingest(ws.memory_sources())
    ctx.out(f"memory: {report.chunks_added} passages from {report.files_added} files")
    return 0

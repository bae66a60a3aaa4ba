"""``okr-coach serve`` (the app in a web browser) and ``okr-coach mcp`` (an MCP server on stdio)."""

from __future__ import annotations

import argparse
from pathlib import Path

from coach.cli.context import CliContext
from coach.errors import InputError, OkrCoachError


def register(sub: argparse._SubParsersAction) -> None:
    common = [sub.common]  # type: ignore[attr-defined]
    p = sub.add_parser(
        "serve",
        parents=common,
        help="serve the app to a web browser (http://127.0.0.1:8000 by default)",
        description="Serve the same app to web browsers: each tab runs its own session on this "
        "workspace. Listens on 127.0.0.1 only, unless --host says otherwise; there is no login, "
        "so anyone who can reach the port can use the coach and change the workspace.",
    )
    p.add_argument("file", nargs="?", help="cycle id or OKR file each session opens")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use to reach this server, if not http://HOST:PORT "
        "(behind a proxy, or when listening on 0.0.0.0)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "mcp",
        parents=common,
        help="a Model Context Protocol server on stdio, for AI assistants",
        description="Speak the Model Context Protocol on stdin/stdout so an AI assistant can "
        "check OKRs, suggest KPIs, find lessons, explain rules and score cycles in this "
        "workspace. Started by the assistant, not by hand (see README: Beyond the terminal).",
    )
    p.set_defaults(func=cmd_mcp)


def cmd_serve(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.serve import app_argv, is_loopback, public_url_for, serve
    from coach.workspace import init_workspace

    if not 0 < args.port < 65536:
        raise InputError(f"--port must be between 1 and 65535 (got {args.port})")
    ws = init_workspace(ctx.settings.workspace)
    if not is_loopback(args.host):
        ctx.err(
            f"warning: listening on {args.host}, beyond this machine, and there is no login: "
            "anyone who can reach this port can use the coach and change the workspace "
            f"{ws.root}"
        )
    target = args.file
    if target and Path(target).expanduser().exists():  # sessions may start in another folder
        target = str(Path(target).expanduser().resolve())
    argv = app_argv(ws.root.resolve(), getattr(args, "lang", None), target)
    try:
        serve(
            argv,
            args.host,
            args.port,
            public_url=args.public_url or public_url_for(args.host, args.port),
        )
    except OSError as e:
        raise OkrCoachError(
            f"cannot listen on {args.host}:{args.port} ({e.strerror or e}); "
            "pick another --port or --host"
        ) from None
    ctx.err("okr-coach: stopped")
    return 0


def cmd_mcp(args: argparse.Namespace, ctx: CliContext) -> int:
    from coach.mcp_server import serve_stdio
    from coach.workspace import init_workspace

    ctx.settings  # noqa: B018 - settings errors surface here, as one line on stderr
    init_workspace(ctx.settings.workspace)
    return serve_stdio(ctx.settings)

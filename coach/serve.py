"""``okr-coach serve``: the same Textual app in a web browser, through textual-serve.

Each browser tab gets its own app process (``python -m coach --workspace … tui``), so the web
app reads the same workspace and settings as the terminal one. textual-serve's JavaScript and
fonts ship in its wheel: nothing is fetched at run time.

Stopping: ctrl+c or SIGTERM closes every browser connection; each app is asked to quit (so it
saves what it autosaves) and, if it has not ended after a grace period, its process group is
killed. App processes run in their own session so that ctrl+c in the server's terminal reaches
the server, which then stops them in that order, instead of killing them mid-write.

This is the only module that imports textual_serve, and only inside :func:`serve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import shlex
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

QUIT_GRACE_SECONDS = 5.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_argv(workspace: Path, lang: str | None = None, target: str | None = None) -> list[str]:
    """The command each browser session runs: this interpreter, this workspace."""
    argv = [sys.executable, "-m", "coach", "--workspace", str(workspace)]
    if lang:
        argv += ["--lang", lang]
    argv.append("tui")
    if target:
        argv.append(target)
    return argv


def public_url_for(host: str, port: int) -> str:
    """The address the page tells the browser to connect its websocket to."""
    if host in ("0.0.0.0", "::", ""):
        import socket

        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(
    argv: Sequence[str],
    host: str,
    port: int,
    public_url: str | None = None,
    title: str = "okr-coach",
) -> None:
    """Serve the app until ctrl+c or SIGTERM. Raises OSError when the port cannot be bound."""
    from aiohttp import WSCloseCode, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server

    command = list(argv)

    class AppProcess(AppService):
        """One browser session's app: exec'd without a shell, in its own process group."""

        async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
            # Overrides textual-serve 1.1.3's shell launch (pinned exactly in pyproject).
            env = self._build_environment(width=width, height=height)
            self._process = process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
            self._stdin = process.stdin
            return process

        async def stop(self) -> None:
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(super().stop(), QUIT_GRACE_SECONDS)
            process = self._process
            if process is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()

    class CoachServer(Server):
        def __init__(self) -> None:
            super().__init__(
                shlex.join(command), host=host, port=port, title=title, public_url=public_url
            )
            self.sockets: set[web.WebSocketResponse] = set()

        def initialize_logging(self) -> None:  # textual-serve's own logs: warnings only, stderr
            import logging

            logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")

        async def on_startup(self, app: web.Application) -> None:
            print(f"okr-coach: serving on {self.public_url}  (ctrl+c stops)", flush=True)

        async def on_shutdown(self, app: web.Application) -> None:
            # Close every browser connection first: each handler then quits its app.
            for ws in list(self.sockets):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            # textual-serve 1.1.3's handler, with our AppProcess and the socket tracked.
            websocket = web.WebSocketResponse(heartbeat=15)
            width = _int(request.query.get("width"), 80)
            height = _int(request.query.get("height"), 24)
            service: AppProcess | None = None
            self.sockets.add(websocket)
            try:
                await websocket.prepare(request)
                service = AppProcess(
                    self.command,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=websocket.close,
                    download_manager=self.download_manager,
                    debug=self.debug,
                )
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:  # one broken session must not stop the server
                print(f"okr-coach serve: session ended: {error}", file=sys.stderr)
            finally:
                self.sockets.discard(websocket)
                if service is not None:
                    await service.stop()
            return websocket

    server = CoachServer()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_exit)
    server.initialize_logging()
    try:
        web.run_app(
            server._make_app(),
            host=host,
            port=port,
            handle_signals=False,
            loop=loop,
            print=lambda *args: None,
            shutdown_timeout=QUIT_GRACE_SECONDS + 2,
        )
    finally:
        loop.close()


def _int(value: str | None, default: int) -> int:
    try:
        return max(10, min(int(value or default), 1000))
    except ValueError:
        return default

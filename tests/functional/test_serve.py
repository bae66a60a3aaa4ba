"""``okr-coach serve``: the app in a real headless Chromium, and a clean stop on ctrl+c/SIGTERM.

The browser is Debian's ``chromium`` (``.ci/run`` installs it when missing), driven over the
DevTools protocol with the ``websockets`` client already in the lock: no browser download.
Two browser tests only (each starts a server, a browser and an app: a few seconds).
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from coach.serve import is_loopback, public_url_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)"
)
pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check: Callable[[], Any], timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _children(pid: int) -> list[int]:
    """Every live descendant of pid, from /proc (the app sessions run in their own groups)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if stat[0] != "Z":
                    parents[int(entry.name)] = int(stat[1])
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, parent in parents.items() if parent == p]
        found += kids
        frontier += kids
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


@contextmanager
def served(workspace: Path, tmp_path: Path, *extra: str) -> Iterator[tuple[subprocess.Popen, str]]:
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coach",
            "--workspace",
            str(workspace),
            "--lang",
            "en",
            "serve",
            "--port",
            str(port),
            *extra,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"

    def up() -> bool:
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        with suppress(OSError):
            return urllib.request.urlopen(url, timeout=2).status == 200
        return False

    try:
        _wait(up, 60, "the server to answer")
        yield proc, url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        log.close()


class Page:
    """A DevTools-protocol session on one browser tab."""

    def __init__(self, ws: Any):
        self.ws, self.n = ws, 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=30))
            if msg.get("id") == self.n:
                assert "error" not in msg, msg
                return msg["result"]

    def js(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)[
            "result"
        ].get("value")

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def press(self, key: str, code: str, keycode: int, modifiers: int = 0) -> None:
        for kind in ("rawKeyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=code,
                windowsVirtualKeyCode=keycode,
                modifiers=modifiers,
            )


@contextmanager
def browser(url: str, tmp_path: Path) -> Iterator[Page]:
    from websockets.sync.client import connect

    profile = tmp_path / "chromium"
    log = (tmp_path / "chromium.log").open("wb")
    proc = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1280,800",
            # Offline: the page's web-font link must fail at once, not wait on DNS.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "about:blank",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        active = profile / "DevToolsActivePort"
        port = _wait(lambda: active.exists() and active.read_text().split("\n")[0], 30, "chromium")
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5))
        target = next(t for t in targets if t["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None) as ws:
            page = Page(ws)
            page.call("Page.navigate", url=url)
            yield page
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        log.close()


def _painted(png: bytes) -> bool:
    """The terminal area shows an app: many colours, and a good share of non-background pixels."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").resize((320, 200))
    counts = sorted((n for n, _ in image.getcolors(320 * 200)), reverse=True)
    return len(counts) >= 12 and 1 - counts[0] / (320 * 200) > 0.05


def _wait_for_app(page: Page, server: subprocess.Popen, tmp_path: Path) -> list[int]:
    _wait(lambda: page.js("document.body.classList.contains('-first-byte')"), 60, "first byte")
    png = _wait(lambda: (lambda p: p if _painted(p) else None)(page.screenshot()), 60, "paint")
    (tmp_path / "app.png").write_bytes(png)  # kept for a person looking at a failure
    apps = [p for p in _children(server.pid) if "tui" in _cmdline(p)]
    assert apps, "no app process behind the page"
    return apps


@needs_browser
def test_the_page_paints_the_app_and_ctrl_c_stops_everything(
    demo_workspace: Path, tmp_path: Path
) -> None:
    with served(demo_workspace, tmp_path) as (server, url), browser(url, tmp_path) as page:
        apps = _wait_for_app(page, server, tmp_path)
        argv = _cmdline(apps[0])
        assert argv[argv.index("--workspace") + 1] == str(demo_workspace.resolve())
        os.kill(server.pid, signal.SIGINT)  # what ctrl+c in the server's terminal sends
        assert server.wait(20) == 0
        _wait(
            lambda: not any(Path(f"/proc/{p}").exists() and _cmdline(p) for p in apps),
            10,
            "the app processes to end",
        )
        _wait(lambda: page.js("document.body.classList.contains('-closed')"), 10, "closed page")
    assert "stopped" in (tmp_path / "serve.log").read_text()


@needs_browser
def test_a_keypress_in_the_page_reaches_the_app(demo_workspace: Path, tmp_path: Path) -> None:
    with served(demo_workspace, tmp_path) as (server, url), browser(url, tmp_path) as page:
        apps = _wait_for_app(page, server, tmp_path)
        page.js("document.querySelector('.xterm-helper-textarea').focus()")
        page.press("q", "KeyQ", 81, modifiers=2)  # ctrl+q: the app's quit key
        _wait(lambda: page.js("document.body.classList.contains('-closed')"), 20, "the app to quit")
        _wait(lambda: not any(_cmdline(p) for p in apps), 10, "the app process to end")
        assert server.poll() is None  # the server keeps serving other sessions
        os.kill(server.pid, signal.SIGTERM)
        assert server.wait(20) == 0


def test_listening_beyond_loopback_warns_that_there_is_no_login(
    workspace: Path, tmp_path: Path
) -> None:
    with served(workspace, tmp_path, "--host", "0.0.0.0") as (server, _url):
        os.kill(server.pid, signal.SIGTERM)
        assert server.wait(20) == 0
    log = (tmp_path / "serve.log").read_text()
    assert "warning: listening on 0.0.0.0" in log and "no login" in log


def test_a_busy_port_is_one_line_error(workspace: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "coach",
                "--workspace",
                str(workspace),
                "serve",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1
    assert (
        proc.stderr.strip().splitlines()[-1].startswith(f"error: cannot listen on 127.0.0.1:{port}")
    )


def test_loopback_and_public_url() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert public_url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url_for("::1", 8000) == "http://[::1]:8000"
    assert public_url_for("0.0.0.0", 9) == f"http://{socket.gethostname()}:9"

"""Start-up of `okr-coach mcp` and `okr-coach serve` on a private copy of the demo workspace.

- mcp: from launch to the answer to `initialize` (what an assistant waits for), then to the
  answer to a first `check_okrs` call (the rules engine imported on first use);
- serve: from launch to the first HTTP 200 for the page, and from SIGTERM to exit.
Median of N fresh processes each.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RUNS = 5
OKR = [sys.executable, "-m", "coach"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mcp_once(ws: Path) -> tuple[float, float]:
    calls = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "bench", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "check_okrs", "arguments": {"path": "cycles/2026-Q4.yaml"}},
        },
    ]
    t = time.perf_counter()
    proc = subprocess.Popen(
        [*OKR, "--workspace", str(ws), "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write("".join(json.dumps(c) + "\n" for c in calls))
    proc.stdin.flush()
    seen: dict[int, float] = {}
    while len(seen) < 2:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the MCP server ended early")
        seen[json.loads(line)["id"]] = time.perf_counter() - t
    proc.stdin.close()
    proc.wait(30)
    return seen[1], seen[2]


def serve_once(ws: Path) -> tuple[float, float]:
    port = _free_port()
    t = time.perf_counter()
    proc = subprocess.Popen(
        [*OKR, "--workspace", str(ws), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.02)
    up = time.perf_counter() - t
    t = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    return up, time.perf_counter() - t


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HOME"] = tmp
        ws = Path(tmp) / "ws"
        subprocess.run(
            [*OKR, "demo-workspace", str(ws), "--no-ingest"], check=True, capture_output=True
        )
        mcp = [mcp_once(ws) for _ in range(RUNS)]
        serve = [serve_once(ws) for _ in range(RUNS)]
    rows = {
        "mcp: launch -> initialize answered": [m[0] for m in mcp],
        "mcp: launch -> first check_okrs answered": [m[1] for m in mcp],
        "serve: launch -> page answers (HTTP 200)": [s[0] for s in serve],
        "serve: SIGTERM -> exit (no session open)": [s[1] for s in serve],
    }
    print(f"{'case':<44} {'median':>9} {'min':>8} {'max':>8}   (runs={RUNS})")
    for name, xs in rows.items():
        print(
            f"{name:<44} {statistics.median(xs) * 1000:>7.0f}ms "
            f"{min(xs) * 1000:>6.0f}ms {max(xs) * 1000:>6.0f}ms"
        )


if __name__ == "__main__":
    main()

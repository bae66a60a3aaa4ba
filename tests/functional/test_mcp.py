"""``okr-coach mcp`` driven by the MCP SDK's own stdio client, as an assistant would drive it.

One server process for the whole module (start-up costs a couple of seconds): list the tools,
call each one and compare with the core API the CLI uses, read the cycle resources, then send
bad arguments and paths outside the workspace, which must come back as MCP errors while the
session stays usable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402
from mcp.shared.exceptions import MCPError  # noqa: E402

from coach.config import load_settings  # noqa: E402

TOOLS = {"check_okrs", "suggest_kpis", "ask_lessons", "explain_rule", "score_cycle"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace with its Q3 retrospective in memory, and a file just outside it."""
    from coach.memory import MemoryStore
    from coach.workspace import copy_demo

    tmp = tmp_path_factory.mktemp("mcp")
    ws = copy_demo(tmp / "ws").root
    (tmp / "secret.yaml").write_text("objectives: []\n", encoding="utf-8")
    report = MemoryStore.open(load_settings(ws, env={})).ingest([ws / "retros" / "2026-Q3.md"])
    assert report.files_added == 1
    return ws


@asynccontextmanager
async def connect(workspace: Path) -> AsyncIterator[Client]:
    """The SDK's stdio client on `okr-coach mcp` (a context manager: anyio scopes stay in one task)."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "coach", "--workspace", str(workspace), "--lang", "en", "mcp"],
        env={**os.environ},
    )
    async with Client(params, cache=None, read_timeout_seconds=60) as c:
        yield c


def _data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


def _error(result: Any) -> str:
    assert result.is_error, result
    return " ".join(getattr(c, "text", "") for c in result.content)


async def test_tools_answer_like_the_core_api(workspace: Path) -> None:
    async with connect(workspace) as client:
        await _tools_answer_like_the_core_api(client, workspace)


async def _tools_answer_like_the_core_api(client: Client, workspace: Path) -> None:
    from coach.engine import check_cycle
    from coach.files import read_okr_file
    from coach.kpis import load_catalog
    from coach.scoring import score_cycle

    settings = load_settings(workspace, env={})
    listed = await client.list_tools()
    assert {t.name for t in listed.tools} == TOOLS
    assert all(t.description for t in listed.tools)

    # check_okrs on a workspace file: the same findings as the rules engine gives directly.
    data = _data(await client.call_tool("check_okrs", {"path": "cycles/2026-Q4.yaml"}))
    assert data["path"] == "cycles/2026-Q4.yaml"
    loaded = read_okr_file(workspace / "cycles" / "2026-Q4.yaml")
    direct = check_cycle(loaded.cycle, settings.rules, loaded=loaded, lang="en")
    got = sorted(
        f["code"]
        for o in data["objectives"]
        for f in [*o["findings"], *(g for k in o["key_results"] for g in k["findings"])]
    ) + sorted(f["code"] for f in data["findings"])
    want = sorted(
        f.code
        for o in direct.objectives
        for f in [*o.findings, *(g for k in o.key_results for g in k.findings)]
    ) + sorted(f.code for f in direct.findings)
    assert got == want
    assert data["summary"]["findings"] == len(want)

    # One KR sentence: an activity with no number is flagged as not measurable.
    data = _data(await client.call_tool("check_okrs", {"key_result": "Improve the onboarding"}))
    categories = {f["category"] for f in data["key_result"]["findings"]}
    assert "not_measurable" in categories, categories

    # An inline document, with line numbers.
    doc = "objectives:\n  - title: Win the mid-market\n    key_results:\n      - Launch a newsletter\n"
    data = _data(await client.call_tool("check_okrs", {"text": doc}))
    assert data["objectives"][0]["key_results"][0]["findings"]
    assert all(
        f["location"].get("line") == 4 for f in data["objectives"][0]["key_results"][0]["findings"]
    )

    data = _data(
        await client.call_tool(
            "suggest_kpis", {"text": "Cut median first-response time from 9 h to 2 h", "k": 4}
        )
    )
    catalog = load_catalog()
    assert 3 <= len(data["suggestions"]) <= 4
    assert all(catalog.get(s["kpi_id"]) or s["kpi_id"] for s in data["suggestions"])
    assert {s["role"] for s in data["suggestions"]} <= {"leading", "lagging", "counter"}

    data = _data(
        await client.call_tool("ask_lessons", {"question": "what did we learn about baselines?"})
    )
    assert data["passages"], data
    first = data["passages"][0]
    assert first["citation"].startswith("[1] retros/2026-Q3.md:")
    assert first["source"] == "retros/2026-Q3.md" and first["text"]

    data = _data(await client.call_tool("explain_rule", {"code": "okr001"}))
    assert data["code"] == "OKR001" and data["what"] and data["instead"]

    data = _data(await client.call_tool("score_cycle", {"cycle": "2026-Q3"}))
    direct_score = score_cycle(
        read_okr_file(workspace / "cycles" / "2026-Q3.yaml").cycle, settings.scoring, "en"
    )
    assert data["score"] == pytest.approx(direct_score.score)
    assert len(data["objectives"]) == len(direct_score.objectives)


async def test_cycles_are_resources(workspace: Path) -> None:
    async with connect(workspace) as client:
        await _cycles_are_resources(client, workspace)


async def _cycles_are_resources(client: Client, workspace: Path) -> None:
    listed = await client.list_resources()
    uris = {str(r.uri) for r in listed.resources}
    assert {"okr://cycles", "okr://cycles/2026-Q3", "okr://cycles/2026-Q4"} <= uris
    read = await client.read_resource("okr://cycles/2026-Q3")
    assert read.contents[0].text == (workspace / "cycles" / "2026-Q3.yaml").read_text("utf-8")
    index = json.loads((await client.read_resource("okr://cycles")).contents[0].text)
    assert [c["id"] for c in index["cycles"]] == ["2026-Q2", "2026-Q3", "2026-Q4"]
    with pytest.raises(MCPError, match="no cycle"):
        await client.read_resource("okr://cycles/1999-Q1")


async def test_bad_arguments_and_outside_paths_are_mcp_errors(
    workspace: Path, tmp_path: Path
) -> None:
    async with connect(workspace) as client:
        await _bad_arguments(client, workspace, tmp_path)


async def _bad_arguments(client: Client, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("objectives: []\n", encoding="utf-8")
    link = workspace / "cycles" / "link.yaml"
    link.symlink_to(outside)
    try:
        for path in ("../secret.yaml", str(outside), "cycles/link.yaml", "/etc/passwd"):
            message = _error(await client.call_tool("check_okrs", {"path": path}))
            assert "refused" in message, (path, message)
        assert "refused" in _error(await client.call_tool("score_cycle", {"path": str(outside)}))
    finally:
        link.unlink()

    cases = [
        ("check_okrs", {}, "exactly one"),
        ("check_okrs", {"text": "x", "path": "cycles/2026-Q3.yaml"}, "exactly one"),
        ("check_okrs", {"path": "cycles/none.yaml"}, "no such file"),
        ("check_okrs", {"text": "objectives: [unclosed"}, "<text>"),
        ("check_okrs", {"text": "x" * 300_000}, "limit"),
        ("suggest_kpis", {"text": "Grow revenue", "k": 500}, "between 1 and"),
        ("suggest_kpis", {"text": "Grow revenue", "k": "many"}, ""),
        ("suggest_kpis", {}, ""),
        ("ask_lessons", {"question": "x", "kind": "diary"}, "kind must be"),
        ("explain_rule", {"code": "NOPE1"}, "unknown rule"),
        ("score_cycle", {"cycle": "../../etc"}, "not a cycle id"),
        ("no_such_tool", {}, ""),
    ]
    for tool, arguments, expected in cases:
        message = _error(await client.call_tool(tool, arguments))
        assert expected in message, (tool, arguments, message)
    # The session survived all of it.
    assert {t.name for t in (await client.list_tools()).tools} == TOOLS


def test_stdout_carries_only_protocol_messages(workspace: Path) -> None:
    """A raw session: every line the server writes to stdout is a JSON-RPC message."""
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"},
        },
    }
    calls = [
        init,
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "ask_lessons", "arguments": {"question": "baselines"}},
        },
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "check_okrs", "arguments": {"path": "/etc/passwd"}},
        },
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach", "--workspace", str(workspace), "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    watchdog = threading.Timer(120, proc.kill)  # no hang, whatever happens
    watchdog.start()
    try:
        assert proc.stdin and proc.stdout
        proc.stdin.write("".join(json.dumps(c) + "\n" for c in calls))
        proc.stdin.flush()
        lines: list[dict[str, Any]] = []
        while {1, 2, 3} - {m.get("id") for m in lines}:
            line = proc.stdout.readline()
            assert line, "the server ended before answering"
            lines.append(json.loads(line))  # every line on stdout is one JSON-RPC message
        proc.stdin.close()  # end of input ends the server, with exit 0
        assert proc.wait(30) == 0
        assert proc.stdout.read() == ""
    finally:
        watchdog.cancel()
        proc.kill()
    by_id = {m.get("id"): m for m in lines}
    assert by_id[1]["result"]["serverInfo"]["name"] == "okr-coach"
    assert by_id[2]["result"]["isError"] is False
    assert by_id[3]["result"]["isError"] is True

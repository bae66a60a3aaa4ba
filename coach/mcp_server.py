"""``okr-coach mcp``: the coach as a Model Context Protocol server on stdio.

An AI assistant (Claude Desktop, an IDE, any MCP client) starts ``okr-coach mcp`` and calls the
same core the CLI uses: rule checks, KPI suggestions, lessons from memory with citations, rule
docs, cycle scores, and reads the workspace's cycle files as resources.

Safety: files are read only inside the workspace (symlinks resolved first); inputs and answers
are capped in size; every failure comes back as an MCP error (a tool result with ``isError``),
never a crash. stdout is the transport: the SDK points fd 1 at stderr while it serves, and logs
go to stderr. This is the only module that imports ``mcp``, and only in :func:`build_server`, so
the tool logic below is importable (and testable) without it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from coach.errors import InputError, OkrCoachError

if TYPE_CHECKING:
    from coach.config import Settings

log = logging.getLogger("okr-coach.mcp")

MAX_TEXT_CHARS = 200_000  # an OKR document passed inline (a real one is a few KB)
MAX_KR_CHARS = 2_000
MAX_OUTPUT_CHARS = 200_000  # one tool answer: beyond this an assistant's context suffers
MAX_PASSAGE_CHARS = 2_000
MAX_K = 20
CYCLE_URI = "okr://cycles/{cycle_id}"

# Tool parameter types (module level: the SDK resolves the tools' annotations from here).
Lang = Annotated[str | None, Field(description="language of messages: en, sv or auto")]


def _limit(value: str, name: str, cap: int) -> str:
    if len(value) > cap:
        raise InputError(f"{name} is {len(value):,} characters; the limit is {cap:,}")
    if not value.strip():
        raise InputError(f"{name} is empty")
    return value


def _k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise InputError(f"k must be between 1 and {MAX_K} (got {k})")
    return k


def capped(data: dict[str, Any]) -> dict[str, Any]:
    """Refuse an answer too large for an assistant to use, with a hint to narrow it."""
    size = len(json.dumps(data, ensure_ascii=False, default=str))
    if size > MAX_OUTPUT_CHARS:
        raise OkrCoachError(
            f"the answer would be {size:,} characters (limit {MAX_OUTPUT_CHARS:,}); "
            "narrow the request (a smaller file, fewer results)"
        )
    return data


class Coach:
    """The tools, on one workspace's settings. Pure Python: no MCP types in or out."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = Path(settings.workspace).expanduser().resolve()

    # ------------------------------------------------------------------------- helpers

    def _lang(self, lang: str | None, file_language: str | None = None) -> str:
        from coach.i18n import ui_language

        if lang not in (None, "", "auto", "en", "sv"):
            raise InputError(f"lang must be en, sv or auto (got {lang!r})")
        return ui_language(lang or self.settings.language, file_language)

    def resolve(self, path: str) -> Path:
        """A path inside the workspace (relative paths are relative to it); else InputError."""
        p = Path(path).expanduser()
        real = (p if p.is_absolute() else self.root / p).resolve()
        if not real.is_relative_to(self.root):
            raise InputError(
                f"refused: only files inside the workspace {self.root} can be read", path
            )
        if not real.is_file():
            raise InputError("no such file in the workspace", path)
        return real

    def _workspace(self) -> Any:
        from coach.workspace import Workspace

        return Workspace(self.root)

    def _cycle_path(self, cycle_id: str) -> Path:
        if not cycle_id or "/" in cycle_id or "\\" in cycle_id or cycle_id.startswith("."):
            raise InputError(f"not a cycle id: {cycle_id!r}")
        path = self._workspace().cycle_path(cycle_id)
        if not path.is_file():
            known = ", ".join(self._workspace().cycle_ids()) or "none yet"
            raise InputError(f"no cycle {cycle_id!r} in the workspace (cycles: {known})")
        return self.resolve(str(path))

    def _relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    # --------------------------------------------------------------------------- tools

    def check_okrs(
        self,
        text: str | None = None,
        path: str | None = None,
        key_result: str | None = None,
        input_format: str | None = None,
        lang: str | None = None,
    ) -> dict[str, Any]:
        from coach.cli.check_cmd import to_json  # the CLI's stable JSON shape (docs/rules.md)
        from coach.engine import check_cycle, check_kr_text
        from coach.files import format_for, read_okr_file, read_okr_text, sniff_format

        if sum(x is not None for x in (text, path, key_result)) != 1:
            raise InputError("give exactly one of: text (an OKR document), path, key_result")
        if key_result is not None:
            _limit(key_result, "key_result", MAX_KR_CHARS)
            kr = check_kr_text(key_result, ui_lang=self._lang(lang), rules=self.settings.rules)
            return capped({"key_result": kr.model_dump(mode="json")})
        if text is not None:
            _limit(text, "text", MAX_TEXT_CHARS)
            fmt = format_for("<text>", input_format) if input_format else sniff_format(text)
            loaded = read_okr_text(text, fmt, "<text>")
        else:
            real = self.resolve(str(path))
            loaded = read_okr_file(real, input_format)
            loaded.path = self._relative(real)
        cycle = loaded.cycle
        file_lang = cycle.language.value if cycle.language.value in ("sv", "en") else None
        ui = self._lang(lang, file_lang)
        result = check_cycle(cycle, self.settings.rules, loaded=loaded, lang=ui)
        data = to_json([{"path": loaded.path, "result": result}])
        out = {**data["files"][0], "summary": result.summary(), "notes": list(loaded.notes)}
        return capped(out)

    def suggest_kpis(self, text: str, k: int = 5, lang: str | None = None) -> dict[str, Any]:
        from coach.kpis import suggest_kpis, team_kpis_from_workspace
        from coach.parse import detect_language

        _limit(text, "text", MAX_KR_CHARS)
        text_lang = detect_language(text)
        team = team_kpis_from_workspace(self.root) if self.root.is_dir() else []
        found = suggest_kpis(text, self._lang(lang, text_lang), _k(k), self.settings, team)
        return capped(
            {
                "text": text,
                "language": text_lang,
                "suggestions": [s.model_dump(mode="json") for s in found],
            }
        )

    def ask_lessons(
        self,
        question: str,
        k: int = 5,
        cycle: str | None = None,
        team: str | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        from coach.cli.memory_cmd import KINDS
        from coach.memory import MemoryStore

        _limit(question, "question", MAX_KR_CHARS)
        if kind is not None and kind not in KINDS:
            raise InputError(f"kind must be one of {', '.join(KINDS)} (got {kind!r})")
        s = self.settings
        if not s.chroma.host and not (s.store_path / "chroma.sqlite3").exists():
            return {"passages": [], "note": "memory is empty: run `okr-coach ingest` first"}
        store = MemoryStore.open(s)
        if store.count() == 0:
            return {"passages": [], "note": "memory is empty: run `okr-coach ingest` first"}
        filters = {"cycle": cycle, "team": team, "kind": kind}
        passages = store.search(question, k=_k(k), filters=filters)
        out = []
        for p in passages:
            where = p.source
            if p.lines:
                a, b = p.lines
                where += f":{a}" if a == b else f":{a}-{b}"
            d = p.model_dump(mode="json")
            d["citation"] = f"[{p.n}] {where}"
            if len(p.text) > MAX_PASSAGE_CHARS:
                d["text"] = p.text[:MAX_PASSAGE_CHARS].rsplit(" ", 1)[0] + " …"
                d["truncated"] = True
            out.append(d)
        return capped(
            {
                "passages": out,
                "note": "cite passages as [n]; each citation names the source file and lines",
            }
        )

    def explain_rule(self, code: str | None = None, lang: str | None = None) -> dict[str, Any]:
        from coach.cli.check_cmd import _rule_json  # the `rules --format json` shape
        from coach.rules.registry import RULES, get_rule

        ui = self._lang(lang)
        if not code:
            return {"rules": [_rule_json(r, ui) for r in RULES.values()]}
        try:
            rule = get_rule(code)
        except KeyError as e:
            raise InputError(str(e.args[0])) from None
        return _rule_json(rule, ui)

    def score_cycle(
        self, cycle: str | None = None, path: str | None = None, lang: str | None = None
    ) -> dict[str, Any]:
        from coach.files import read_okr_file
        from coach.scoring import score_cycle

        if cycle and path:
            raise InputError("give either cycle or path, not both")
        if path:
            loaded = read_okr_file(self.resolve(path)).cycle
        else:
            cid = cycle or self._workspace().current_cycle_id()
            if not cid:
                raise InputError(f"no cycles in the workspace {self.root}")
            loaded = read_okr_file(self._cycle_path(cid)).cycle
        result = score_cycle(loaded, self.settings.scoring, self._lang(lang, loaded.language.value))
        return capped(result.model_dump(mode="json"))

    # ----------------------------------------------------------------------- resources

    def cycle_ids(self) -> list[str]:
        return self._workspace().cycle_ids()

    def cycle_text(self, cycle_id: str) -> str:
        from coach.files.decode import read_text

        text = read_text(self._cycle_path(cycle_id))
        if len(text) > MAX_OUTPUT_CHARS:
            raise InputError(f"the cycle file is over {MAX_OUTPUT_CHARS:,} characters")
        return text


# ------------------------------------------------------------------------------- server


def _as_tool_error(fn: Callable[[], dict[str, Any]], tool_error: type[Exception]) -> dict[str, Any]:
    """Anticipated failures become the tool's error text; anything else is logged, then the same."""
    try:
        return fn()
    except OkrCoachError as e:
        raise tool_error(f"error: {e}") from None
    except Exception as e:  # a bug must not end the session: log it, answer with an error
        log.exception("tool failed")
        raise tool_error(
            f"error: internal error ({type(e).__name__}); see the server's log"
        ) from None


def build_server(settings: Settings) -> Any:
    """The MCPServer with the coach's tools and the workspace's cycles as resources."""
    from mcp.server import MCPServer
    from mcp.server.mcpserver.exceptions import ResourceError, ToolError
    from mcp.server.mcpserver.resources import FunctionResource

    from coach import __version__

    coach = Coach(settings)

    class CoachServer(MCPServer):
        async def list_resources(self) -> list[Any]:
            # Cycles created after start-up appear too: sync before every listing.
            known = {str(r.uri) for r in self._resource_manager.list_resources()}
            for cid in coach.cycle_ids():
                uri = CYCLE_URI.format(cycle_id=cid)
                if uri not in known:
                    self.add_resource(
                        FunctionResource.from_function(
                            fn=lambda cid=cid: read_cycle(cid),
                            uri=uri,
                            name=f"cycle {cid}",
                            description=f"the cycle file cycles/{cid}.yaml (YAML)",
                            mime_type="application/yaml",
                        )
                    )
            return await super().list_resources()

    server = CoachServer(
        name="okr-coach",
        version=__version__,
        instructions=(
            "An OKR coach: check objectives and key results against rules (outcomes, "
            "measurable, baseline, deadline), suggest KPIs, find lessons from past cycles with "
            "citations, explain a rule, score a cycle. Workspace: " + str(coach.root)
        ),
        log_level="WARNING",
    )

    @server.tool(
        description="Check OKRs against the rules. Give exactly one of: `text` (a whole OKR "
        "document: YAML, JSON, Markdown or CSV), `path` (a file inside the workspace, e.g. "
        "cycles/2026-Q4.yaml) or `key_result` (one KR sentence). Returns findings per "
        "objective and key result (code, category, severity, message, suggestion, line)."
    )
    def check_okrs(
        text: Annotated[str | None, Field(description="an OKR document")] = None,
        path: Annotated[str | None, Field(description="a file inside the workspace")] = None,
        key_result: Annotated[str | None, Field(description="one key result")] = None,
        input_format: Annotated[
            str | None, Field(description="yaml, json, md or csv (default: guessed)")
        ] = None,
        lang: Lang = None,
    ) -> dict[str, Any]:
        return _as_tool_error(
            lambda: coach.check_okrs(text, path, key_result, input_format, lang), ToolError
        )

    @server.tool(
        description="Suggest 3-5 KPIs for a key result or objective (leading, lagging, and a "
        "counter-metric for growth KRs), each with a reason, from the bundled catalog and the "
        "team's own KPIs."
    )
    def suggest_kpis(
        text: Annotated[str, Field(description="a key result or objective")],
        k: Annotated[int, Field(description=f"suggestions (1-{MAX_K})")] = 5,
        lang: Lang = None,
    ) -> dict[str, Any]:
        return _as_tool_error(lambda: coach.suggest_kpis(text, k, lang), ToolError)

    @server.tool(
        description="Passages from the team's past cycles (retros, check-ins, old OKRs) that "
        "answer a question, each with a citation: source file, lines, cycle. Cite them as [n]."
    )
    def ask_lessons(
        question: Annotated[str, Field(description="what to look up")],
        k: Annotated[int, Field(description=f"passages (1-{MAX_K})")] = 5,
        cycle: Annotated[str | None, Field(description="only this cycle, e.g. 2026-Q3")] = None,
        team: Annotated[str | None, Field(description="only this team")] = None,
        kind: Annotated[str | None, Field(description="only retro, checkin, okrs or notes")] = None,
    ) -> dict[str, Any]:
        return _as_tool_error(lambda: coach.ask_lessons(question, k, cycle, team, kind), ToolError)

    @server.tool(
        description="What a rule checks, why it matters, an example and what to write "
        "instead. Give a code such as OKR003; without one, every rule."
    )
    def explain_rule(
        code: Annotated[str | None, Field(description="rule code, e.g. OKR003")] = None,
        lang: Lang = None,
    ) -> dict[str, Any]:
        return _as_tool_error(lambda: coach.explain_rule(code, lang), ToolError)

    @server.tool(
        description="Score a cycle: progress, binary, graded 0-1 and percentage per key "
        "result, objective and cycle. Give a workspace `cycle` id or a `path` inside the "
        "workspace; neither = the current cycle."
    )
    def score_cycle(
        cycle: Annotated[str | None, Field(description="cycle id, e.g. 2026-Q3")] = None,
        path: Annotated[str | None, Field(description="a file inside the workspace")] = None,
        lang: Lang = None,
    ) -> dict[str, Any]:
        return _as_tool_error(lambda: coach.score_cycle(cycle, path, lang), ToolError)

    def read_cycle(cycle_id: str) -> str:
        try:
            return coach.cycle_text(cycle_id)
        except OkrCoachError as e:
            raise ResourceError(f"error: {e}") from None

    server.resource(
        CYCLE_URI,
        name="cycle",
        description="a cycle file of the workspace (YAML), by cycle id",
        mime_type="application/yaml",
    )(read_cycle)

    @server.resource(
        "okr://cycles",
        name="cycles",
        description="the workspace's cycles: id, status, and the URI of each",
        mime_type="application/json",
    )
    def list_cycles() -> str:
        out = []
        for cid in coach.cycle_ids():
            status = None
            try:
                status = coach._workspace().load_cycle(cid).status.value
            except OkrCoachError as e:
                status = f"unreadable: {e}"
            out.append({"id": cid, "status": status, "uri": CYCLE_URI.format(cycle_id=cid)})
        return json.dumps({"workspace": str(coach.root), "cycles": out}, ensure_ascii=False)

    return server


def serve_stdio(settings: Settings) -> int:
    """Run until the client closes stdin. Logs go to stderr, never to stdout (the transport)."""
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="okr-coach mcp: %(levelname)s %(message)s"
    )
    server = build_server(settings)
    with contextlib.suppress(KeyboardInterrupt):
        server.run("stdio")
    return 0

"""``okr-coach doctor``: what works here, what is offline, and what to fix."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.cli.context import CliContext


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "doctor",
        parents=[sub.common],  # type: ignore[attr-defined]
        help="check Python, workspace, store, embeddings and model reachability",
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds per network probe")
    p.set_defaults(func=cmd_doctor)


def _probe(url: str, timeout: float, headers: dict[str, str] | None = None) -> tuple[bool, str]:
    import urllib.error  # ~15 ms (http.client, email): only doctor needs it, not every start-up
    import urllib.request

    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return True, f"HTTP {resp.status}"
    except urllib.error.HTTPError as e:  # the server answered: it is reachable
        return e.code < 500, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        return False, f"unreachable ({reason})"


def _install_check() -> Check:
    """Does the venv hold exactly what requirements.lock says (a hand-installed or missing
    package is the usual cause of 'works here, fails on a fresh clone')?"""
    from coach.lock_check import check_environment, lock_path

    lock = lock_path()
    if lock is None:
        return Check("install", True, "no requirements.lock beside the package: not compared")
    problems = check_environment(lock)
    if not problems:
        return Check("install", True, f"packages match {lock.name}")
    shown = "; ".join(problems[:3]) + (
        f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    )
    return Check(
        "install",
        False,
        f"packages differ from {lock.name} ({shown}): reinstall with "
        "`rm -rf .venv && make venv`",
    )


def run_checks(ctx: CliContext, timeout: float) -> list[Check]:
    checks = [
        Check(
            "python",
            sys.version_info >= (3, 11),
            f"{sys.version.split()[0]} at {sys.executable}",
        )
    ]
    checks.append(_install_check())
    s = ctx.settings
    ws = s.workspace
    writable = ws.is_dir() and os.access(ws, os.W_OK)
    checks.append(
        Check(
            "workspace",
            writable,
            f"{ws} ({'writable' if writable else 'missing or read-only: run okr-coach init'})",
        )
    )
    if s.chroma.host:
        scheme = "https" if s.chroma.ssl else "http"
        ok, how = _probe(
            f"{scheme}://{s.chroma.host}:{s.chroma.port}/api/v2/heartbeat",
            timeout,
            s.chroma.headers,
        )
        checks.append(Check("store", ok, f"Chroma server {s.chroma.host}:{s.chroma.port}: {how}"))
    else:
        where = s.store_path
        checks.append(
            Check(
                "store",
                True,
                f"embedded Chroma at {where} ({'exists' if where.exists() else 'created on first ingest'})",
            )
        )
    t = time.perf_counter()
    try:
        from coach.embeddings import get_embedder

        emb = get_embedder(s)
        emb.embed(["doctor probe"])
        checks.append(
            Check(
                "embeddings",
                True,
                f"{emb.name}, {emb.dim} dims, ready in {time.perf_counter() - t:.2f} s",
            )
        )
    except Exception as e:  # any backend failure is a finding here, not a crash
        checks.append(Check("embeddings", False, f"{s.embedding.backend}: {e}"))
    from coach.memory import retrieval_mode

    checks.append(Check("retrieval", True, retrieval_mode(s)))
    if not s.llm.model:
        checks.append(
            Check(
                "llm",
                True,
                "off (set OKR_COACH_MODEL or [llm] model to turn on critique and drafting)",
            )
        )
    elif s.llm.api_base:
        ok, how = _probe(s.llm.api_base.rstrip("/") + "/models", timeout)
        checks.append(Check("llm", ok, f"{s.llm.model} via {s.llm.api_base}: {how}"))
    else:
        checks.append(
            Check("llm", True, f"{s.llm.model} (hosted provider; not probed: needs the internet)")
        )
    offline = os.environ.get("LITELLM_LOCAL_MODEL_COST_MAP") == "True" and os.environ.get(
        "ANONYMIZED_TELEMETRY", ""
    ).lower() in ("false", "0")
    checks.append(
        Check(
            "offline",
            offline,
            "rules, KPI catalog and wordllama embeddings run without a network"
            + ("" if s.chroma.host else ", and so does the embedded Chroma store")
            + "; litellm's cost map is local; Chroma telemetry is off",
        )
    )
    return checks


def cmd_doctor(args: argparse.Namespace, ctx: CliContext) -> int:
    checks = run_checks(ctx, args.timeout)
    if args.format == "json":
        ctx.out_json({"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]})
    else:
        for c in checks:
            ctx.out(f"{'ok' if c.ok else 'FAIL':<4} {c.name:<11} {c.detail}")
    return 0 if all(c.ok for c in checks) else 1

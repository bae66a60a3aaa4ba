"""LLM critique cost: requests, tokens and wall time for a 4-objective x 4-KR set, cold vs cached.

Runs the real path (rules, KPI candidates, prompt rendering, litellm over HTTP, validation,
re-check of rewrites) against the scripted local server, which answers after a simulated
model latency. The model name is one litellm's local cost map knows, so costs are computed
from the (emulated) token counts. Baseline in the same run: the rules-only review (LLM off).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.llm_fixtures import start_server, stop_server  # noqa: E402

RUNS = 5
LATENCY_S = 0.25  # simulated model time per request
N_OBJ, N_KR = 4, 4


def make_cycle():
    from coach.models import Cycle, assign_ids

    themes = ["onboarding", "support", "retention", "referrals"]
    objectives = []
    for t in themes:
        objectives.append(
            {
                "title": f"Make {t} something customers talk about",
                "key_results": [
                    f"Raise {t} satisfaction from 3.1 to 4.2 by 2026-06-30",
                    f"Cut {t} response time from 48 to 12 hours by 2026-06-30",
                    f"Hold {t} cost per customer at 20 EUR through Q2",
                    f"Run {t} workshops",
                ],
            }
        )
    return assign_ids(Cycle(cycle="2026-Q2", language="en", objectives=objectives))


def valid_reply() -> dict:
    answer = {
        "objective_note": "The KRs cover the objective, but one is an activity.",
        "missing": [],
        "key_results": [
            {
                "index": i,
                "verdict": "good",
                "problems": [],
                "rewrite": None,
                "kpis": [],
                "lessons": [],
            }
            for i in range(N_KR - 1)
        ]
        + [
            {
                "index": N_KR - 1,
                "verdict": "move_to_initiatives",
                "problems": [{"code": None, "text": "A workshop is a task, not a result."}],
                "rewrite": "Raise the share of customers who finish setup from ___ to ___ by 2026-06-30",
                "kpis": [],
                "lessons": [],
            }
        ],
    }
    return {"kind": "hang", "seconds": LATENCY_S, "text": json.dumps(answer)}


def critique_all(cycle, settings, use_cache: bool):
    from coach.critique import critique_objective
    from coach.llm import LlmSession

    session = LlmSession.for_settings(settings.llm)
    t = time.perf_counter()
    results = [
        critique_objective(cycle, i, settings, session=session, use_cache=use_cache)
        for i in range(len(cycle.objectives))
    ]
    wall = time.perf_counter() - t
    assert all(r.source == ("llm" if settings.llm.enabled else "rules") for r in results), [
        r.fallback_reason for r in results
    ]
    return wall, session


def main() -> None:
    from coach.config import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="okr-bench-llm-"))
    server = start_server(tmp)
    try:
        server.default(valid_reply())
        cycle = make_cycle()
        t = time.perf_counter()
        from coach.llm import _litellm

        _litellm()
        print(f"one-off `import litellm`: {time.perf_counter() - t:.2f} s (not in the timings)")
        flags = {"llm.model": "openai/gpt-4o-mini", "llm.api_base": server.api_base}
        offline = load_settings(tmp / "offline", env={})
        critique_all(cycle, offline, True)  # warm the rules, KPI catalog and embeddings
        rules_only = [critique_all(cycle, offline, True)[0] for _ in range(RUNS)]
        cold, cached, sessions = [], [], []
        for run in range(RUNS):
            settings = load_settings(tmp / f"ws{run}", flags=flags, env={})
            wall, session = critique_all(cycle, settings, True)
            cold.append(wall)
            sessions.append(session)
            wall_hit, hit = critique_all(cycle, settings, True)
            cached.append(wall_hit)
            assert hit.requests == 0, "a repeat should be answered from the cache"
        s = sessions[0]
        base = statistics.median(rules_only)
        print(
            f"set: {N_OBJ} objectives x {N_KR} KRs; simulated model latency {LATENCY_S:g} s/request"
        )
        print(
            f"{'case':<34} {'median wall':>11} {'x rules':>8} {'requests':>9} {'tokens in/out':>14} {'cost USD':>10}"
        )
        print(
            f"{'rules only (LLM off, baseline)':<34} {base:>10.3f}s {1.0:>8.1f} {0:>9} {'-':>14} {'-':>10}"
        )
        cold_m, cached_m = statistics.median(cold), statistics.median(cached)
        toks = f"{s.prompt_tokens}/{s.completion_tokens}"
        print(
            f"{'LLM critique, cold':<34} {cold_m:>10.3f}s {cold_m / base:>8.1f} {s.requests:>9} {toks:>14} {s.cost_usd:>10.5f}"
        )
        print(
            f"{'LLM critique, cached repeat':<34} {cached_m:>10.3f}s {cached_m / base:>8.1f} {0:>9} {'0/0':>14} {0.0:>10.5f}"
        )
        print(f"cached / cold: {cached_m / cold_m:.3f}   (runs={RUNS}, medians)")
        print("tokens are the scripted server's estimate (4 characters per token)")
    finally:
        stop_server(server.proc)


if __name__ == "__main__":
    main()

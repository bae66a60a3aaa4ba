"""Rules-only vs rules+LLM evaluation over the scripted server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach import eval_llm
from coach.config import load_settings
from tests.llm_fixtures import json_reply

pytestmark = pytest.mark.server

ITEMS = [
    {
        "id": "t1",
        "lang": "en",
        "objective": "Delight our customers",
        "kr": "Raise NPS from 32 to 45 by the end of Q2",
        "labels": {
            "measurable": True,
            "outcome": True,
            "has_baseline": True,
            "time_bound": True,
            "vague": False,
        },
        "verdict": "good",
    },
    {
        "id": "t2",
        "lang": "en",
        "objective": "Delight our customers",
        "kr": "Make 50 follow-up calls to unhappy customers",
        "labels": {
            "measurable": True,
            "outcome": False,
            "has_baseline": False,
            "time_bound": False,
            "vague": False,
        },
        "verdict": "bad",
    },
    {
        "id": "t3",
        "lang": "en",
        "objective": "Delight our customers",
        "kr": "Ship the new help centre",
        "labels": {
            "measurable": False,
            "outcome": False,
            "has_baseline": False,
            "time_bound": False,
            "vague": False,
        },
        "verdict": "bad",
    },
]


def code_for(category: str) -> str:
    from coach.rules.registry import RULES

    return next(c for c, r in sorted(RULES.items()) if str(r.category) == category)


def test_compare_counts_rules_and_llm_side_by_side(scripted_llm, tmp_path: Path):
    activity = code_for("activity")
    krs = [
        {"index": 0, "verdict": "good", "problems": [], "rewrite": None, "kpis": [], "lessons": []},
        {
            "index": 1,
            "verdict": "move_to_initiatives",
            "problems": [{"code": activity, "text": "calls are a task"}],
            "rewrite": None,
            "kpis": [],
            "lessons": [],
        },
        {
            "index": 2,
            "verdict": "rewrite",
            "problems": [{"code": activity, "text": "a deliverable"}],
            "rewrite": None,
            "kpis": [],
            "lessons": [],
        },
    ]
    scripted_llm.default(json_reply({"objective_note": "n", "missing": [], "key_results": krs}))
    settings = load_settings(
        tmp_path / "ws",
        flags={
            "llm.model": "openai/scripted",
            "llm.api_base": scripted_llm.api_base,
            "llm.max_retries": 0,
        },
        env={},
    )
    c = eval_llm.compare(ITEMS, settings)
    assert c.items == 3 and c.groups == 1 and c.fallbacks == 0
    assert len(scripted_llm.chat_requests()) == 1  # one request for the objective's three KRs
    activity_llm = c.llm["en"]["activity"]
    assert (activity_llm.tp, activity_llm.fp, activity_llm.fn) == (2, 0, 0)
    assert activity_llm.true_cases == c.rules["all"]["activity"].true_cases == 2
    assert (c.verdict_llm["all"].tp, c.verdict_llm["all"].fp) == (2, 0)
    # The rules column is exactly what `make eval` scores for the same KRs.
    from coach.eval import evaluate

    reference = evaluate(ITEMS)["languages"]["en"]["defects"]
    for cat, score in c.rules["en"].items():
        assert score.as_dict() == reference[cat]
    table = eval_llm.format_table(c)
    assert "activity" in table and "rules+LLM" in table and "1 answered by the LLM" in table


def test_main_reads_files_and_prints_table(scripted_llm, tmp_path: Path, capsys):
    data = tmp_path / "set.jsonl"
    data.write_text("\n".join(json.dumps(i) for i in ITEMS[:1]) + "\n", encoding="utf-8")
    scripted_llm.default(
        json_reply(
            {
                "objective_note": "n",
                "missing": [],
                "key_results": [
                    {
                        "index": 0,
                        "verdict": "good",
                        "problems": [],
                        "rewrite": None,
                        "kpis": [],
                        "lessons": [],
                    }
                ],
            }
        )
    )
    code = eval_llm.main(
        [
            str(data),
            "--model",
            "openai/scripted",
            "--api-base",
            scripted_llm.api_base,
            "--workspace",
            str(tmp_path / "ws"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "not_measurable" in out and "0 fell back" in out

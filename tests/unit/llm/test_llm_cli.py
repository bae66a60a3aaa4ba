"""`okr-coach critique` and `draft` end to end: what the user sees and what the server got."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.llm_fixtures import json_reply, status

pytestmark = pytest.mark.server

OKRS = """\
cycle: 2026-Q2
language: en
objectives:
  - title: Make support something customers praise
    key_results:
      - Raise CSAT from 72 % to 85 % by 2026-06-30
      - Make 100 follow-up calls
  - title: Help new customers succeed in their first month
    key_results:
      - Raise activation from 40 % to 55 % by 2026-06-30
      - Run onboarding webinars
"""


def answer(n: int = 2) -> dict:
    krs = [
        {"index": i, "verdict": "good", "problems": [], "rewrite": None, "kpis": [], "lessons": []}
        for i in range(n)
    ]
    krs[1].update(verdict="rewrite", rewrite="Raise repeat purchases from ___ to ___ by 2026-06-30")
    return {"objective_note": "Solid.", "missing": [], "key_results": krs}


@pytest.fixture
def okr_file(tmp_path: Path) -> Path:
    p = tmp_path / "okrs.yaml"
    p.write_text(OKRS, encoding="utf-8")
    return p


@pytest.fixture
def llm_env(monkeypatch, scripted_llm, tmp_path):
    monkeypatch.setenv("OKR_COACH_MODEL", "openai/scripted")
    monkeypatch.setenv("OKR_COACH_API_BASE", scripted_llm.api_base)
    monkeypatch.setenv("OKR_COACH_LLM_TIMEOUT", "2")
    monkeypatch.setenv("OKR_COACH_LLM_MAX_RETRIES", "0")
    return ["--workspace", str(tmp_path / "ws")]


def test_critique_text_then_cached(run_cli, okr_file, llm_env, scripted_llm):
    scripted_llm.default(json_reply(answer()))
    code, out, err = run_cli("critique", str(okr_file), *llm_env)
    assert code == 0, err
    assert (
        "Objective 1: Make support something customers praise  [LLM critique, critique.v2]" in out
    )
    assert "rewrite: Raise repeat purchases from ___ to ___ by 2026-06-30" in out
    assert "LLM: 2 requests, 0 cached answers" in err
    code, out2, err = run_cli("critique", str(okr_file), *llm_env)
    assert code == 0 and out2 == out
    assert "LLM: 0 requests, 2 cached answers" in err
    assert len(scripted_llm.chat_requests()) == 2
    code, _, err = run_cli("critique", str(okr_file), "--objective", "2", "--no-cache", *llm_env)
    assert code == 0 and "LLM: 1 requests, 0 cached" in err
    assert len(scripted_llm.chat_requests()) == 3


def test_critique_json(run_cli, okr_file, llm_env, scripted_llm):
    scripted_llm.default(json_reply(answer()))
    code, out, _ = run_cli(
        "critique", str(okr_file), "--format", "json", "--objective", "1", *llm_env
    )
    data = json.loads(out)
    assert code == 0 and data["usage"]["requests"] == 1 and data["llm"] == "openai/scripted"
    [obj] = data["objectives"]
    assert obj["source"] == "llm" and obj["key_results"][1]["verdict"] == "rewrite"


def test_show_prompt_sends_nothing(run_cli, okr_file, llm_env, scripted_llm):
    code, out, _ = run_cli("critique", str(okr_file), "--show-prompt", *llm_env)
    assert code == 0
    assert out.count("# prompt critique v2") == 2 and "## system" in out and "<<<DATA-" in out
    assert "Make 100 follow-up calls" in out
    assert scripted_llm.requests() == []


def test_fault_gives_rules_and_a_readable_line(
    run_cli, okr_file, llm_env, scripted_llm, monkeypatch
):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-SECRET-999999999")
    scripted_llm.default(
        status(401, body={"error": {"message": "bad key sk-cli-SECRET-999999999"}})
    )
    code, out, err = run_cli("critique", str(okr_file), *llm_env)
    assert code == 1
    assert "[rule-based review]" in out
    # two objectives, one cause: one line, and the rejected key is not tried a second time
    assert err.count("warning: LLM critique of objectives 1, 2 unavailable:") == 1 and "401" in err
    assert len(scripted_llm.requests()) == 1
    assert "Traceback" not in out + err and "SECRET" not in out + err


def test_llm_off_hint_and_rules(run_cli, okr_file, tmp_path, scripted_llm):
    code, out, err = run_cli("critique", str(okr_file), "--workspace", str(tmp_path / "ws"))
    assert code == 0 and "[rule-based review]" in out
    assert err.count("LLM features are off") == 1 and "OKR_COACH_MODEL" in err
    assert scripted_llm.requests() == []


def test_bad_input_exit_2(run_cli, okr_file, tmp_path):
    code, _, err = run_cli(
        "critique", str(okr_file), "--objective", "7", "--workspace", str(tmp_path)
    )
    assert code == 2 and "out of range" in err and str(okr_file) in err
    code, _, err = run_cli("critique", str(tmp_path / "nope.yaml"), "--workspace", str(tmp_path))
    assert code == 2 and "nope.yaml" in err and "Traceback" not in err
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    code, _, err = run_cli("draft", "--strategy", str(empty), "--workspace", str(tmp_path))
    assert code == 2 and "strategy is empty" in err


def test_draft_krs_in_swedish(run_cli, llm_env, scripted_llm, tmp_path):
    strategy = tmp_path / "strategy.md"
    strategy.write_text("Vi vill att kunder stannar och rekommenderar oss.", encoding="utf-8")
    krs = [
        {
            "text": f"Öka {m} från ___ till ___ senast 2026-06-30",
            "metric": m,
            "direction": "up",
            "why": "utfall",
        }
        for m in ("NPS", "CSAT", "återköp")
    ]
    scripted_llm.default(json_reply({"candidates": krs}))
    code, out, err = run_cli(
        "draft",
        "--strategy",
        str(strategy),
        "--objective-title",
        "Kunder som stannar",
        "--lang",
        "sv",
        "--deadline",
        "2026-06-30",
        *llm_env,
    )
    assert code == 0, err
    assert "Förslag på nyckelresultat för Kunder som stannar:" in out
    assert "Swedish" in scripted_llm.chat_requests()[0]["messages"][0]["content"]


def test_draft_objectives_offline_exit_1(run_cli, tmp_path):
    strategy = tmp_path / "s.md"
    strategy.write_text("Grow.", encoding="utf-8")
    code, out, err = run_cli("draft", "--strategy", str(strategy), "--workspace", str(tmp_path))
    assert code == 1 and "drafting objectives needs a model" in err
    assert "Candidate objectives" not in out  # no empty heading above nothing


def _sections(shown: str) -> tuple[str, str]:
    system = shown.split("\n## system\n", 1)[1].split("\n\n## user\n", 1)[0]
    user = shown.split("\n\n## user\n", 1)[1]
    return system, user.removesuffix("\n")


@pytest.mark.parametrize("command", ["critique", "draft"])
def test_show_prompt_is_exactly_what_is_sent(
    run_cli, okr_file, llm_env, scripted_llm, tmp_path, command
):
    if command == "critique":
        argv = ["critique", str(okr_file), "--objective", "2", *llm_env]
        scripted_llm.default(json_reply(answer()))
    else:
        strategy = tmp_path / "strategy.md"
        strategy.write_text("Customers should stay and recommend us.", encoding="utf-8")
        argv = ["draft", "--strategy", str(strategy), *llm_env]
        cands = [{"title": "Be the team customers recommend", "why_now": "churn rose"}] * 2
        scripted_llm.default(json_reply({"candidates": cands}))
    code, shown, _ = run_cli(*argv, "--show-prompt")
    assert code == 0 and scripted_llm.requests() == []
    code, _, err = run_cli(*argv)
    assert code == 0, err
    [sent] = scripted_llm.chat_requests()
    assert [m["content"] for m in sent["messages"]] == list(_sections(shown))

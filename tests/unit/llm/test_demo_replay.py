"""The demo's 2026-Q4 draft critiqued end to end, replaying what a strong model answers.

The answers below were written by hand to the output schema, as a careful coach would answer
the prompt the demo produces (English objectives 1 and 3, the Swedish objective 2). Passage
ids are content hashes, so each cited lesson is looked up by its text in the prompt that was
actually sent. The test asserts what the user reads, in English and in Swedish.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.llm_fixtures import json_reply

pytestmark = pytest.mark.server

_FENCE = re.compile(r"<<<(DATA-[0-9A-FX]+) (\{[^\n]*\})\n(.*?)\n\1>>>", re.DOTALL)

# What each objective's answer cites, by a phrase of the passage it means.
OWN_OUTPUT = "counts our own output"
NO_BASELINE = "Utgångsläge saknades"


def answer_o1(lesson: str) -> dict:
    return {
        "objective_note": "Only o1.kr3 measures the winter season; the rest are a wish and a "
        "task. Add a KR on winter bookings with a start and a target.",
        "missing": ["guests booking winter stays"],
        "key_results": [
            {
                "index": 0,
                "verdict": "rewrite",
                "problems": [{"code": "OKR003", "text": "'Increase' with no measure or level."}],
                "rewrite": "Increase winter bookings from ___ to ___ by 2026-12-31",
            },
            {
                "index": 1,
                "verdict": "move_to_initiatives",
                "problems": [{"code": "OKR001", "text": "A landing page is our own output."}],
                "initiative": "Launch a winter campaign landing page",
                "rewrite": "Raise the share of winter landing-page visits that end in a booking "
                "from ___ % to ___ % by 2026-12-31",
                "lessons": [
                    {
                        "id": lesson,
                        "why": "Q3 agreed: a KR that counts our own output "
                        "(pages) becomes an initiative.",
                    }
                ],
            },
            {"index": 2, "verdict": "good", "problems": []},
        ],
    }


def answer_o2(lesson: str) -> dict:
    return {
        "objective_note": "Målet handlar om stugägarnas trygghet, men bara o2.kr2 mäter något.",
        "missing": ["andel stugägare som håller öppet i vinter"],
        "key_results": [
            {
                "index": 0,
                "verdict": "rewrite",
                "problems": [{"code": "OKR003", "text": "'Förbättra' säger inte hur mycket."}],
                "rewrite": "Höj andelen stugägare som är nöjda med vintersupporten från ___ % "
                "till ___ % senast 2026-12-31",
            },
            {
                "index": 1,
                "verdict": "improve",
                "problems": [{"code": "OKR004", "text": "Inget utgångsläge för CSAT."}],
                "rewrite": "Höj CSAT efter supportärenden från ___ % till 90 % senast 2026-12-31",
                "lessons": [
                    {
                        "id": lesson,
                        "why": "Q2 satte ett mål utan utgångsläge och kunde "
                        "inte skilja framsteg från brus.",
                    }
                ],
            },
            {
                "index": 2,
                "verdict": "move_to_initiatives",
                "problems": [{"code": "OKR001", "text": "Webbinarier är en aktivitet."}],
                "initiative": "Hålla 12 webbinarier om vinterförberedelser",
                "rewrite": "Öka andelen stugägare som håller öppet i vinter från ___ % till "
                "___ % senast 2026-12-31",
            },
        ],
    }


def answer_o3() -> dict:
    return {
        "objective_note": "One KR guards checkout speed during the campaign; that is a health "
        "metric, fine as a committed KR.",
        "missing": [],
        "key_results": [
            {
                "index": 0,
                "verdict": "good",
                "problems": [{"code": "OKR005", "text": "Say the quarter's end date in the KR."}],
            }
        ],
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from coach.cli import main

    root = tmp_path_factory.mktemp("replay") / "demo"
    assert main(["demo-workspace", str(root)]) == 0
    return root


def _passage_id(prompt: str, phrase: str) -> str:
    for m in _FENCE.finditer(prompt):
        meta = json.loads(m.group(2))
        if meta["kind"] == "past_passage" and phrase in m.group(3):
            return meta["id"]
    raise AssertionError(f"no passage with {phrase!r} was sent")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_demo_q4_critique_replayed(demo: Path, run_cli, scripted_llm, monkeypatch, lang):
    monkeypatch.setenv("OKR_COACH_MODEL", "openai/scripted")
    monkeypatch.setenv("OKR_COACH_API_BASE", scripted_llm.api_base)
    monkeypatch.setenv("OKR_COACH_LLM_TIMEOUT", "5")
    monkeypatch.setenv("OKR_COACH_LLM_MAX_RETRIES", "0")
    draft = str(demo / "cycles" / "2026-Q4.yaml")
    args = ["--workspace", str(demo), "--lang", lang, "critique", draft, "--no-cache"]
    code, shown, _ = run_cli(*args, "--show-prompt")
    assert code == 0
    prompts = shown.split("# prompt critique v")[1:]
    own_output = _passage_id(prompts[0], OWN_OUTPUT)
    no_baseline = _passage_id(prompts[1], NO_BASELINE)
    scripted_llm.script(
        json_reply(answer_o1(own_output)),
        json_reply(answer_o2(no_baseline)),
        json_reply(answer_o3()),
    )
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert len(scripted_llm.chat_requests()) == 3  # one per objective, no re-ask
    # What was sent, where, and what it cost.
    sent = "sent to" if lang == "en" else "skickat till"
    assert f"{sent} {scripted_llm.api_base}" in err and "15" in err.split(sent)[1].split("\n")[0]
    assert ("LLM: 3 requests" if lang == "en" else "LLM: 3 anrop") in err
    # Blanks are a to-do, never "the rules still find OKR002/003/004".
    still = "the rules still find" if lang == "en" else "reglerna hittar fortfarande"
    assert not re.search(rf"{still}: [^\n]*OKR00[234]", out)
    assert out.count("to fill in" if lang == "en" else "att fylla i") == 5  # each rewrite
    # The Swedish objective's rewrites stay Swedish whatever the UI language.
    assert "Höj CSAT efter supportärenden från ___ % till 90 % senast 2026-12-31" in out
    # A task becomes an initiative, and the lesson that says so is shown with text and why.
    assert ("as an initiative" if lang == "en" else "som initiativ") in out
    assert OWN_OUTPUT in out and "Q3 agreed: a KR that counts our own output" in out
    assert "retros/2026-Q3.md:53" in out and "retro" in out
    assert NO_BASELINE in out and "retros/2026-Q2.md" in out
    # OKR005 was not raised by the rules (the cycle gives the period): the model's view only.
    view = "the model's view" if lang == "en" else "modellens bedömning"
    assert re.search(rf"OKR005 Say the quarter's end date in the KR\. \({view}", out)

"""Lessons for a critique come from earlier cycles, never from the file or cycle under review.

Measured on the ingested demo workspace: its 2026-Q4 draft, the Q2/Q3 retros and check-ins.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

_FENCE = re.compile(r"<<<(DATA-[0-9A-FX]+) (\{[^\n]*\})\n(.*?)\n\1>>>", re.DOTALL)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from coach.cli import main

    root = tmp_path_factory.mktemp("grounding") / "demo"
    assert main(["demo-workspace", str(root)]) == 0
    return root


def _passages(prompt_text: str) -> list[tuple[dict, str]]:
    out = []
    for m in _FENCE.finditer(prompt_text):
        meta = json.loads(m.group(2))
        if meta["kind"] == "past_passage":
            out.append((meta, m.group(3)))
    return out


def test_show_prompt_on_the_q4_draft_grounds_on_earlier_retros_and_checkins(
    demo: Path, run_cli
) -> None:
    draft = demo / "cycles" / "2026-Q4.yaml"
    code, out, err = run_cli("--workspace", str(demo), "critique", str(draft), "--show-prompt")
    assert code == 0, err
    prompts = out.split("# prompt critique v")[1:]
    assert len(prompts) == 3  # one per objective
    for prompt in prompts:
        passages = _passages(prompt)
        assert passages, "every objective gets lessons"
        for meta, _ in passages:
            assert meta["source"] != "cycles/2026-Q4.yaml" and meta.get("cycle") != "2026-Q4"
            assert meta.get("why"), "each passage says why it applies"
        kinds = {meta["doc_kind"] for meta, _ in passages}
        assert kinds & {"retro", "checkin"}, f"no earlier retro or check-in: {kinds}"
    # The Q3 retro's "carry into Q4" (our own output becomes an initiative) reaches objective 1
    # and the Q2 retro's missing baseline reaches the Swedish objective 2.
    assert any("counts our own output" in text for _, text in _passages(prompts[0]))
    assert any("Utgångsläge saknades" in text for _, text in _passages(prompts[1]))


def test_a_cycle_that_is_ingested_is_not_its_own_lesson(demo: Path) -> None:
    """Even with the draft itself in memory, none of its passages (nor a later cycle's) come
    back; the helpers decide what counts as the same file and an earlier cycle."""
    from coach.critique import _not_earlier, _same_file

    assert _same_file("cycles/2026-Q4.yaml", str(demo / "cycles" / "2026-Q4.yaml"))
    assert not _same_file("cycles/2026-Q3.yaml", str(demo / "cycles" / "2026-Q4.yaml"))
    assert _not_earlier("2026-Q4", "2026-Q4") and _not_earlier("2027-Q1", "2026-Q4")
    assert not _not_earlier("2026-Q3", "2026-Q4") and not _not_earlier("2026-H1", "2026-Q4")

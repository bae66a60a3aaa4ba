"""Check-ins (append-only, editable with a record), safe writes, and carrying KRs forward."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import coach.lifecycle as lifecycle
from coach.errors import InputError, StaleFileError
from coach.files import read_okr_file
from coach.lifecycle import add_checkin, apply_checkin, carry_candidates, carry_forward
from coach.models import CheckIn, Cycle, KeyResult, Objective
from coach.workspace import Workspace


def _cycle(status: str = "active") -> Cycle:
    return Cycle(
        cycle="2026-Q1",
        status=status,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        objectives=[
            Objective(
                id="o1",
                title="Happier owners",
                key_results=[
                    KeyResult(
                        id="o1.kr1",
                        text="Raise CSAT from 70 % to 80 %",
                        baseline=70,
                        target=80,
                        kind="aspirational",
                        checkins=[CheckIn(date=date(2026, 1, 16), value=72)],
                    ),
                    KeyResult(id="o1.kr2", text="Cut churn from 5 % to 3 %", baseline=5, target=3),
                ],
            )
        ],
    )


def test_checkins_are_inserted_in_date_order_never_replacing() -> None:
    c = _cycle()
    r1 = apply_checkin(c, "o1.kr1", value=75, day=date(2026, 1, 30), note="better")
    r0 = apply_checkin(c, "o1.kr1", value=71, day=date(2026, 1, 9), confidence=0.5)
    kr = c.find_kr("o1.kr1")
    assert [x.value for x in kr.checkins] == [71, 72, 75]
    assert (r1.number, r0.number) == (2, 1) and kr.latest_value == 75
    assert not r1.edited and kr.changes == []


def test_edit_corrects_one_checkin_and_records_why() -> None:
    c = _cycle()
    r = apply_checkin(c, "o1.kr1", edit=1, value=73, why="typo in the dashboard export")
    kr = c.find_kr("o1.kr1")
    assert r.edited and len(kr.checkins) == 1 and kr.checkins[0].value == 73
    change = kr.changes[-1]
    assert change.field == "checkins[1]" and change.old == {"value": 72.0}
    assert change.new == {"value": 73.0} and change.why == "typo in the dashboard export"
    with pytest.raises(InputError, match="from 1 to 1"):
        apply_checkin(c, "o1.kr1", edit=3, value=1)
    with pytest.raises(InputError, match="no check-ins to edit"):
        apply_checkin(c, "o1.kr2", edit=1, value=1)


def test_bad_checkins_are_refused_with_a_clear_message() -> None:
    c = _cycle()
    with pytest.raises(InputError, match=r"no key result 'o9.kr1'.*o1.kr1, o1.kr2"):
        apply_checkin(c, "o9.kr1", value=1)
    with pytest.raises(InputError, match="confidence"):
        apply_checkin(c, "o1.kr1", value=1, confidence=1.7)
    with pytest.raises(InputError, match="needs at least"):
        apply_checkin(c, "o1.kr1")
    with pytest.raises(InputError, match="closed"):
        apply_checkin(_cycle("closed"), "o1.kr1", value=1)


def test_first_checkin_activates_a_draft_and_warns_outside_the_cycle() -> None:
    c = _cycle("draft")
    r = apply_checkin(c, "o1.kr2", value=4.5, day=date(2026, 5, 1))
    assert c.status.value == "active"
    assert any("now active" in n for n in r.notes) and any("outside" in n for n in r.notes)


def test_add_checkin_writes_the_file_and_keeps_history(demo_workspace: Path) -> None:
    ws = Workspace(demo_workspace)
    add_checkin(ws, "2026-Q4", "o1.kr3", value=38, confidence=0.6, day=date(2026, 10, 9))
    add_checkin(ws, "2026-Q4", "o1.kr3", value=41, note="winter filter", day=date(2026, 10, 23))
    kr = read_okr_file(ws.cycle_path("2026-Q4")).cycle.find_kr("o1.kr3")
    assert [(c.value, c.note) for c in kr.checkins] == [(38, ""), (41, "winter filter")]


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(
    demo_workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(demo_workspace)
    path = ws.cycle_path("2026-Q4")
    real = lifecycle.apply_checkin

    def someone_else_saves_first(cycle, kr_id, **kw):
        path.write_text(path.read_text(encoding="utf-8") + "# edited elsewhere\n", "utf-8")
        return real(cycle, kr_id, **kw)

    monkeypatch.setattr(lifecycle, "apply_checkin", someone_else_saves_first)
    with pytest.raises(StaleFileError, match="changed on disk"):
        add_checkin(ws, "2026-Q4", "o1.kr3", value=40)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("# edited elsewhere\n") and "value: 40" not in text


def test_carry_forward_asks_only_for_unfinished_aspirational_krs() -> None:
    prev = _cycle("closed")
    prev.objectives[0].key_results.append(
        KeyResult(
            id="o1.kr3", text="Done stretch", baseline=0, target=5, current=5, kind="aspirational"
        )
    )
    asked: list[str] = []

    def confirm(obj, kr, score) -> bool:
        asked.append(kr.id)
        return True

    new = Cycle(cycle="2026-Q2", objectives=[Objective(title="Something else")])
    carried = carry_forward(prev, new, confirm)
    assert asked == ["o1.kr1"]  # kr2 has no kind, kr3 reached its target
    assert [k.id for k in carried] == ["o2.kr1"]
    copy = new.find_kr("o2.kr1")
    assert copy.baseline == 72 and copy.target == 80 and copy.checkins == []
    assert copy.changes[0].field == "carried_from" and copy.changes[0].old == "2026-Q1 o1.kr1"
    # The original is untouched.
    assert prev.find_kr("o1.kr1").baseline == 70 and len(prev.find_kr("o1.kr1").checkins) == 1


def test_carry_forward_respects_no() -> None:
    new = Cycle(cycle="2026-Q2")
    assert carry_forward(_cycle("closed"), new, lambda *a: False) == [] and new.objectives == []
    assert len(carry_candidates(_cycle("closed"))) == 1

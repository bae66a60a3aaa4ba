"""Scoring maths: progress, the three scoring models, expectations by kind, calibration."""

from __future__ import annotations

from datetime import date

import pytest

from coach.config import ScoringSettings
from coach.errors import ConfigError
from coach.models import CheckIn, Cycle, KeyResult, Objective
from coach.scoring import (
    calibrate,
    resolve_bands,
    score_cycle,
    score_kr,
    score_objective,
    value_series,
)


def kr(**kw) -> KeyResult:
    kw.setdefault("text", "a key result")
    return KeyResult(**kw)


def test_sources_example_seven_of_ten_customers_is_seventy_percent() -> None:
    s = score_kr(kr(text="Win 10 enterprise customers", target=10, current=7, direction="up"))
    assert s.percent_of_target == pytest.approx(0.7)
    assert s.progress == pytest.approx(0.7)
    assert s.basis == "percent_of_target"
    assert s.band == "achieved"  # 0.7 sits on the achieved boundary of the default bands
    assert s.achieved is False  # binary model: not all the way
    assert s.difference == pytest.approx(3)
    assert "no baseline" in s.assumptions[0] and "7 of 10" in s.assumptions[0]


def test_up_kr_with_baseline() -> None:
    s = score_kr(kr(baseline=2.1, target=3.0, current=2.7, direction="up"))
    assert s.progress == pytest.approx(0.6 / 0.9)
    assert s.band == "partial" and s.assumptions == []


def test_decreasing_metric_sources_response_time_minus_30_percent() -> None:
    # Response time -30 %: from 4 h to 2.8 h; at 3.4 h half the way is done.
    s = score_kr(kr(baseline=4, target=2.8, current=3.4, direction="down"))
    assert s.progress == pytest.approx(0.5)
    assert s.percent_of_target is None  # current/target means nothing when lower is better
    assert s.achieved is False
    done = score_kr(kr(baseline=4, target=2.8, current=2.5, direction="down"))
    assert done.progress == 1.0 and done.achieved is True and done.raw_progress > 1


def test_values_past_target_and_below_baseline_are_clamped() -> None:
    past = score_kr(kr(baseline=10, target=20, current=35))
    assert past.raw_progress == pytest.approx(2.5) and past.progress == 1.0 and past.achieved
    worse = score_kr(kr(baseline=10, target=20, current=4))
    assert worse.raw_progress == pytest.approx(-0.6) and worse.progress == 0.0
    assert worse.band == "fail"
    # Direction was not given: inferred from baseline and target, and said so.
    assert "direction not given" in past.assumptions[0]


def test_baseline_equal_to_target_is_scored_reached_or_not() -> None:
    held = score_kr(kr(baseline=150, target=150, current=140, direction="down"))
    assert held.progress == 1.0 and held.basis == "threshold"
    assert "baseline equals target" in held.assumptions[-1]
    missed = score_kr(kr(baseline=150, target=150, current=160, direction="down"))
    assert missed.progress == 0.0 and missed.achieved is False


def test_missing_values_and_missing_target_are_not_scored_as_zero() -> None:
    no_value = score_kr(kr(baseline=1, target=2))
    assert no_value.progress is None and no_value.band is None and not no_value.scored
    assert no_value.assumptions[-1] == "no check-in value yet"
    no_target = score_kr(kr(text="Increase winter bookings", current=5))
    assert no_target.progress is None and "no target" in no_target.assumptions[0]
    # An objective's score ignores unscored KRs instead of counting them as failures.
    obj = Objective(
        id="o1",
        title="t",
        key_results=[kr(id="o1.kr1", baseline=0, target=10, current=8), kr(id="o1.kr2")],
    )
    o = score_objective(obj)
    assert o.score == pytest.approx(0.8) and o.unscored == ["o1.kr2"]


def test_last_checkin_value_wins_over_current_field_and_series_is_sorted() -> None:
    k = kr(
        baseline=0,
        target=10,
        current=1,
        checkins=[
            CheckIn(date=date(2026, 1, 9), value=3, confidence=0.6),
            CheckIn(date=date(2026, 1, 23), note="no value this week"),
            CheckIn(date=date(2026, 1, 16), value=5),
        ],
    )
    s = score_kr(k)
    assert s.current == 5 and s.progress == pytest.approx(0.5) and s.confidence == 0.6
    assert value_series(k) == [(date(2026, 1, 9), 3.0), (date(2026, 1, 16), 5.0)]


def test_down_kr_without_baseline_starts_from_first_checkin() -> None:
    k = kr(
        target=30,
        direction="down",
        checkins=[
            CheckIn(date=date(2026, 1, 9), value=50),
            CheckIn(date=date(2026, 2, 9), value=40),
        ],
    )
    s = score_kr(k)
    assert s.progress == pytest.approx(0.5) and s.basis == "first_checkin"
    assert "first check-in (50 on 2026-01-09)" in s.assumptions[0]


def test_hold_kr_and_zero_target() -> None:
    hold = score_kr(kr(target=150, current=154, direction="hold"))
    assert hold.progress == 1.0 and "within 5 %" in hold.assumptions[0]
    assert score_kr(kr(target=150, current=180, direction="hold")).progress == 0.0
    zero = score_kr(kr(text="Zero open incidents", target=0, current=0))
    assert zero.progress == 1.0 and zero.percent_of_target is None


def test_committed_expected_at_one_and_aspirational_against_seventy() -> None:
    c = score_kr(kr(kind="committed", baseline=0, target=10, current=9))
    assert c.expected == 1.0 and c.flag == "committed_missed"
    assert score_kr(kr(kind="committed", baseline=0, target=10, current=10)).flag is None
    a_ok = score_kr(kr(kind="aspirational", baseline=0, target=10, current=7))
    assert a_ok.expected == 0.7 and a_ok.flag is None
    assert score_kr(kr(kind="aspirational", baseline=0, target=10, current=6)).flag == (
        "aspirational_short"
    )
    assert score_kr(kr(kind="aspirational", baseline=0, target=10, current=10)).flag == (
        "aspirational_maxed"
    )


def test_bands_are_configurable_and_validated() -> None:
    strict = ScoringSettings(bands={"partial": 0.5, "achieved": 0.8})
    s = score_kr(kr(baseline=0, target=10, current=7), strict)
    assert s.band == "partial"
    assert score_kr(kr(baseline=0, target=10, current=4), strict).band == "fail"
    with pytest.raises(ConfigError, match="partial < achieved"):
        resolve_bands({"partial": 0.8, "achieved": 0.5})
    with pytest.raises(ConfigError, match="unknown band"):
        resolve_bands({"partial": 0.4, "great": 0.9})


def test_objective_weighted_mean_and_cycle_mean() -> None:
    o1 = Objective(
        id="o1",
        title="one",
        key_results=[
            kr(id="o1.kr1", baseline=0, target=10, current=10, weight=3),
            kr(id="o1.kr2", baseline=0, target=10, current=2, weight=1),
        ],
    )
    o2 = Objective(
        id="o2", title="two", key_results=[kr(id="o2.kr1", baseline=0, target=4, current=1)]
    )
    c = score_cycle(Cycle(cycle="2026-Q1", objectives=[o1, o2]))
    assert c.objectives[0].score == pytest.approx((3 * 1.0 + 1 * 0.2) / 4)
    assert c.score == pytest.approx((0.8 + 0.25) / 2)
    assert c.band == "partial"


def test_swedish_assumptions() -> None:
    s = score_kr(kr(target=10, current=7), lang="sv")
    assert s.assumptions[0].startswith("inget utgångsläge") and "7 av 10" in s.assumptions[0]


def _cycle(cid: str, kind: str, pairs: list[tuple[float, float, float]]) -> Cycle:
    krs = [
        kr(id=f"o1.kr{i}", kind=kind, baseline=b, target=t, current=c)
        for i, (b, t, c) in enumerate(pairs, start=1)
    ]
    return Cycle(
        cycle=cid, status="closed", objectives=[Objective(id="o1", title="x", key_results=krs)]
    )


def test_calibration_flags_sandbagging_and_overreach_with_numbers() -> None:
    easy = [_cycle("2025-Q3", "aspirational", [(0, 10, 10), (0, 10, 12)]),
            _cycle("2025-Q4", "aspirational", [(0, 10, 11), (5, 1, 1)])]  # fmt: skip
    cal = calibrate(easy)
    asp = next(k for k in cal.kinds if k.kind.value == "aspirational")
    assert asp.verdict == "sandbagging" and asp.n == 4 and asp.mean == pytest.approx(1.0)
    assert asp.cycles == ["2025-Q3", "2025-Q4"] and "1.00" in asp.message
    assert [k.kind.value for k in cal.flagged] == ["aspirational"]

    hard = [_cycle("2025-Q4", "committed", [(0, 10, 1), (0, 10, 3), (0, 10, 2)])]
    com = next(k for k in calibrate(hard).kinds if k.kind.value == "committed")
    assert com.verdict == "overreach" and com.mean == pytest.approx(0.2)


def test_committed_at_one_is_only_sandbagging_when_targets_are_overshot() -> None:
    on_target = [_cycle("2025-Q4", "committed", [(0, 10, 10), (0, 10, 10), (0, 10, 10)])]
    assert calibrate(on_target).kinds[0].verdict == "calibrated"
    overshoot = [_cycle("2025-Q4", "committed", [(0, 10, 15), (0, 10, 14), (0, 10, 13)])]
    k = calibrate(overshoot).kinds[0]
    assert k.verdict == "sandbagging" and k.median_raw_progress == pytest.approx(1.4)


def test_calibration_needs_enough_krs() -> None:
    cal = calibrate([_cycle("2025-Q4", "aspirational", [(0, 10, 10)])])
    asp = next(k for k in cal.kinds if k.kind.value == "aspirational")
    assert asp.verdict == "too_few" and asp.n == 1 and not cal.flagged


def test_demo_history_scores_as_the_retros_say(demo_workspace) -> None:
    from coach.workspace import Workspace

    ws = Workspace(demo_workspace)
    q2, q3 = ws.load_cycle("2026-Q2"), ws.load_cycle("2026-Q3")
    s3 = score_cycle(q3)
    by_id = {k.kr_id: k for k in s3.all_krs()}
    assert by_id["o1.kr1"].progress == pytest.approx(0.5)
    assert by_id["o2.kr4"].progress == pytest.approx(4 / 13)
    cal = {k.kind.value: k for k in calibrate([q2, q3]).kinds}
    assert round(cal["committed"].mean, 2) == 0.93 and round(cal["aspirational"].mean, 2) == 0.48

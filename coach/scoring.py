"""Progress and scoring maths for key results, objectives and cycles (pure, no I/O).

Progress is ``(current − baseline) / (target − baseline)`` clamped to 0–1, which also works for
"lower is better" KRs because numerator and denominator turn negative together. An ``up`` KR
with no baseline falls back to ``current / target`` (the sources' "7 of 10 → 70 %"), and every
fallback is written into ``assumptions`` so nobody mistakes a guess for a measurement.

Three scoring models from the sources are reported side by side: binary (achieved or not),
graded 0.0–1.0 with configurable bands, and percentage of target. Committed KRs are expected at
1.0, aspirational ones at about 0.7.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from coach.config import ScoringSettings
from coach.errors import ConfigError
from coach.models import Commitment, Cycle, Direction, KeyResult, Objective

Band = Literal["fail", "partial", "achieved"]
Basis = Literal["progress", "percent_of_target", "first_checkin", "threshold"]

ASPIRATIONAL_AIM = 0.7
# A committed KR is "met" at 1.0; float noise from check-in values must not turn 1.0 into 0.9999.
_EPS = 1e-9
RATIO_LIMIT = 1e9  # a KR a billion times past its target is past any useful reading
# Calibration: how many KRs of a kind before a pattern is worth flagging.
MIN_CALIBRATION_KRS = 3
SANDBAG_MEAN = 0.95
OVERREACH_MEAN = 0.3
# Committed KRs are meant to land at 1.0; only a habit of overshooting the target says "too safe".
COMMITTED_OVERSHOOT = 1.2

_TEXT: dict[str, dict[str, str]] = {
    "no_target": {
        "en": "no target, so it cannot be scored; add the number that means done",
        "sv": "inget målvärde, så det går inte att poängsätta; lägg till siffran som betyder klart",
    },
    "no_value": {
        "en": "no check-in value yet",
        "sv": "inget incheckat värde ännu",
    },
    "no_baseline_zero": {
        "en": "no baseline: assumed 0, so progress is the share of the target reached "
        "({current:g} of {target:g})",
        "sv": "inget utgångsläge: antog 0, så framsteget är andelen av målet som nåtts "
        "({current:g} av {target:g})",
    },
    "no_baseline_first": {
        "en": "no baseline: used the first check-in ({value:g} on {day}) as the starting point",
        "sv": "inget utgångsläge: använde första incheckningen ({value:g} den {day}) som "
        "startpunkt",
    },
    "no_baseline_threshold": {
        "en": "no baseline: scored only as reached or not reached",
        "sv": "inget utgångsläge: bedömt bara som nått eller inte nått",
    },
    "flat": {
        "en": "baseline equals target: scored as reached or not reached",
        "sv": "utgångsläge och mål är lika: bedömt som nått eller inte nått",
    },
    "hold": {
        "en": "a 'hold' KR: reached when the value stays within 5 % of the target",
        "sv": "ett 'håll'-KR: nått när värdet ligger inom 5 % av målet",
    },
    "direction_guess": {
        "en": "direction not given: taken as '{direction}' from baseline and target",
        "sv": "riktning saknas: tolkad som '{direction}' utifrån utgångsläge och mål",
    },
    "zero_target": {
        "en": "target is 0 with no baseline: scored only as reached or not reached",
        "sv": "målet är 0 utan utgångsläge: bedömt bara som nått eller inte nått",
    },
}


def _t(key: str, lang: str, **kw: object) -> str:
    table = _TEXT[key]
    return table.get(lang, table["en"]).format(**kw)


class KrScore(BaseModel):
    """Every tracking field the sources name for one KR, plus the three scoring models."""

    kr_id: str | None
    text: str
    kind: Commitment | None = None
    direction: Direction | None = None
    unit: str | None = None
    weight: float = 1.0
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    difference: float | None = Field(default=None, description="target − current")
    raw_progress: float | None = Field(default=None, description="unclamped, >1 past the target")
    progress: float | None = Field(default=None, description="0–1, the graded score")
    percent_of_target: float | None = Field(default=None, description="current / target, up KRs")
    basis: Basis | None = None
    achieved: bool | None = Field(default=None, description="binary model")
    band: Band | None = None
    expected: float | None = Field(default=None, description="1.0 committed, ~0.7 aspirational")
    flag: str | None = Field(
        default=None, description="committed_missed | aspirational_short | aspirational_maxed"
    )
    confidence: float | None = None
    checkins: int = 0
    assumptions: list[str] = Field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.progress is not None


class ObjectiveScore(BaseModel):
    objective_id: str | None
    title: str
    score: float | None = Field(default=None, description="weighted mean of scored KRs")
    band: Band | None = None
    key_results: list[KrScore] = Field(default_factory=list)
    unscored: list[str] = Field(default_factory=list, description="KR ids without a score")


class CycleScore(BaseModel):
    cycle: str | None
    team: str | None = None
    status: str | None = None
    score: float | None = Field(default=None, description="mean of the objective scores")
    band: Band | None = None
    bands: dict[str, float]
    objectives: list[ObjectiveScore] = Field(default_factory=list)

    def all_krs(self) -> list[KrScore]:
        return [k for o in self.objectives for k in o.key_results]


def resolve_bands(bands: ScoringSettings | Mapping[str, float] | None) -> dict[str, float]:
    """Validated ``{"partial": p, "achieved": a}`` with 0 < p < a <= 1."""
    if bands is None:
        raw: Mapping[str, float] = ScoringSettings().bands
    elif isinstance(bands, ScoringSettings):
        raw = bands.bands
    else:
        raw = bands
    unknown = set(raw) - {"partial", "achieved"}
    if unknown:
        raise ConfigError(
            f"[scoring] bands: unknown band {', '.join(sorted(unknown))}; use partial and achieved"
        )
    out = {"partial": float(raw.get("partial", 0.4)), "achieved": float(raw.get("achieved", 0.7))}
    if not 0.0 < out["partial"] < out["achieved"] <= 1.0:
        raise ConfigError(
            "[scoring] bands: need 0 < partial < achieved <= 1, got "
            f"partial = {out['partial']:g}, achieved = {out['achieved']:g}"
        )
    return out


def band_of(score: float, bands: Mapping[str, float]) -> Band:
    if score + _EPS >= bands["achieved"]:
        return "achieved"
    if score + _EPS >= bands["partial"]:
        return "partial"
    return "fail"


def _direction(kr: KeyResult, lang: str, notes: list[str]) -> Direction | None:
    if kr.direction is not None:
        return kr.direction
    if kr.baseline is not None and kr.target is not None and kr.baseline != kr.target:
        guess = Direction.down if kr.target < kr.baseline else Direction.up
        notes.append(_t("direction_guess", lang, direction=guess.value))
        return guess
    return None


def _reached(current: float, target: float, direction: Direction | None) -> bool:
    if direction == Direction.down:
        return current <= target + _EPS
    if direction == Direction.hold:
        return abs(current - target) <= 0.05 * abs(target) + _EPS
    return current + _EPS >= target


def _ratio(num: float, den: float) -> float:
    """``num / den`` kept finite: a tiny denominator (target 1e-300) must not give infinity,
    which would poison sums and make JSON output invalid."""
    return max(-RATIO_LIMIT, min(RATIO_LIMIT, num / den))


def _progress(
    kr: KeyResult, current: float, direction: Direction | None, lang: str, notes: list[str]
) -> tuple[float, Basis]:
    """Unclamped progress and what it was measured against."""
    target = kr.target
    assert target is not None
    if direction == Direction.hold:
        notes.append(_t("hold", lang))
        return (1.0 if _reached(current, target, direction) else 0.0), "threshold"
    baseline = kr.baseline
    if baseline is None:
        first = next((c for c in kr.checkins if c.value is not None), None)
        if direction != Direction.down and target != 0:
            notes.append(_t("no_baseline_zero", lang, current=current, target=target))
            return _ratio(current, target), "percent_of_target"
        if first is not None and first.value != target and len(kr.checkins) > 1:
            notes.append(_t("no_baseline_first", lang, value=first.value, day=first.date))
            return _ratio(current - first.value, target - first.value), "first_checkin"
        notes.append(_t("zero_target" if target == 0 else "no_baseline_threshold", lang))
        return (1.0 if _reached(current, target, direction) else 0.0), "threshold"
    if baseline == target:
        notes.append(_t("flat", lang))
        return (1.0 if _reached(current, target, direction) else 0.0), "threshold"
    return _ratio(current - baseline, target - baseline), "progress"


def score_kr(
    kr: KeyResult,
    bands: ScoringSettings | Mapping[str, float] | None = None,
    lang: str = "en",
) -> KrScore:
    """Score one KR from its last check-in value (else ``current``)."""
    b = resolve_bands(bands)
    notes: list[str] = []
    direction = _direction(kr, lang, notes)
    current = kr.latest_value
    last_conf = next(
        (c.confidence for c in reversed(kr.checkins) if c.confidence is not None), None
    )
    result = KrScore(
        kr_id=kr.id,
        text=kr.text,
        kind=kr.kind,
        direction=direction,
        unit=kr.unit,
        weight=kr.weight,
        baseline=kr.baseline,
        target=kr.target,
        current=current,
        confidence=last_conf if last_conf is not None else kr.confidence,
        checkins=len(kr.checkins),
        expected={Commitment.committed: 1.0, Commitment.aspirational: ASPIRATIONAL_AIM}.get(
            kr.kind  # type: ignore[arg-type]
        ),
    )
    if kr.target is None:
        result.assumptions = [*notes, _t("no_target", lang)]
        return result
    if current is None:
        result.assumptions = [*notes, _t("no_value", lang)]
        return result
    result.difference = kr.target - current
    if direction != Direction.down and kr.target != 0:
        result.percent_of_target = _ratio(current, kr.target)
    raw, basis = _progress(kr, current, direction, lang, notes)
    result.raw_progress = raw
    result.basis = basis
    result.progress = min(1.0, max(0.0, raw))
    result.achieved = _reached(current, kr.target, direction)
    result.band = band_of(result.progress, b)
    if kr.kind == Commitment.committed and result.progress < 1.0 - _EPS:
        result.flag = "committed_missed"
    elif kr.kind == Commitment.aspirational:
        if result.progress + _EPS < ASPIRATIONAL_AIM:
            result.flag = "aspirational_short"
        elif result.progress >= 1.0 - _EPS:
            result.flag = "aspirational_maxed"
    result.assumptions = notes
    return result


def _weighted_mean(scores: Iterable[KrScore]) -> float | None:
    pairs = [(s.progress, s.weight) for s in scores if s.progress is not None]
    total = sum(w for _, w in pairs)
    return sum(p * w for p, w in pairs) / total if total else None


def score_objective(
    objective: Objective,
    bands: ScoringSettings | Mapping[str, float] | None = None,
    lang: str = "en",
) -> ObjectiveScore:
    """Weighted mean of the KRs that can be scored; the others are listed, not counted as 0."""
    b = resolve_bands(bands)
    krs = [score_kr(kr, b, lang) for kr in objective.key_results]
    mean = _weighted_mean(krs)
    return ObjectiveScore(
        objective_id=objective.id,
        title=objective.title,
        score=mean,
        band=band_of(mean, b) if mean is not None else None,
        key_results=krs,
        unscored=[k.kr_id or k.text for k in krs if not k.scored],
    )


def score_cycle(
    cycle: Cycle,
    bands: ScoringSettings | Mapping[str, float] | None = None,
    lang: str = "en",
) -> CycleScore:
    """Every objective scored; the cycle score is the plain mean of the objective scores."""
    b = resolve_bands(bands)
    objectives = [score_objective(o, b, lang) for o in cycle.objectives]
    scored = [o.score for o in objectives if o.score is not None]
    mean = statistics.fmean(scored) if scored else None
    return CycleScore(
        cycle=cycle.cycle,
        team=cycle.team,
        status=cycle.status.value,
        score=mean,
        band=band_of(mean, b) if mean is not None else None,
        bands=b,
        objectives=objectives,
    )


# ------------------------------------------------------------------------------- calibration


class KindCalibration(BaseModel):
    """How one kind of KR (committed or aspirational) scored across past cycles."""

    kind: Commitment
    n: int
    cycles: list[str]
    mean: float | None = None
    median_raw_progress: float | None = None
    share_at_one: float | None = Field(default=None, description="share of KRs scored 1.0")
    verdict: Literal["sandbagging", "overreach", "calibrated", "too_few"]
    message: str


class Calibration(BaseModel):
    kinds: list[KindCalibration]

    @property
    def flagged(self) -> list[KindCalibration]:
        return [k for k in self.kinds if k.verdict in ("sandbagging", "overreach")]


_CAL: dict[str, dict[str, str]] = {
    "too_few": {
        "en": "{kind}: only {n} scored KR(s) in {cycles}; too few to judge calibration",
        "sv": "{kind}: bara {n} poängsatta KR i {cycles}; för få för att bedöma kalibreringen",
    },
    "sandbagging": {
        "en": "{kind}: mean {mean:.2f} over {n} KRs in {cycles} ({at_one:.0%} scored 1.0); "
        "targets look too safe. Set them where success is uncertain",
        "sv": "{kind}: snitt {mean:.2f} över {n} KR i {cycles} ({at_one:.0%} fick 1,0); målen "
        "verkar för försiktiga. Sätt dem där det är osäkert om ni lyckas",
    },
    "overreach": {
        "en": "{kind}: mean {mean:.2f} over {n} KRs in {cycles}; targets are out of reach. "
        "Pick fewer KRs or targets the team can move",
        "sv": "{kind}: snitt {mean:.2f} över {n} KR i {cycles}; målen ligger utom räckhåll. "
        "Välj färre KR eller mål som teamet kan påverka",
    },
    "calibrated": {
        "en": "{kind}: mean {mean:.2f} over {n} KRs in {cycles} (aim {aim}); looks calibrated",
        "sv": "{kind}: snitt {mean:.2f} över {n} KR i {cycles} (riktmärke {aim}); ser "
        "kalibrerat ut",
    },
}


def calibrate(
    cycles: Iterable[Cycle],
    bands: ScoringSettings | Mapping[str, float] | None = None,
    lang: str = "en",
) -> Calibration:
    """Flag sandbagging (always ~1.0) or overreach (≤ 0.3) per committed/aspirational type.

    Committed KRs are *meant* to reach 1.0, so for them sandbagging needs more than a high mean:
    the median KR must also overshoot its target by 20 % of the span or more.
    """
    b = resolve_bands(bands)
    by_kind: dict[Commitment, list[tuple[str, KrScore]]] = {k: [] for k in Commitment}
    for cycle in cycles:
        for s in score_cycle(cycle, b, lang).all_krs():
            if s.kind is not None and s.progress is not None:
                by_kind[s.kind].append((cycle.cycle or "?", s))
    out = []
    for kind, rows in by_kind.items():
        cycle_ids = sorted({c for c, _ in rows})
        label = (
            kind.value
            if lang == "en"
            else {"committed": "åtaganden", "aspirational": "ambitiösa"}[kind.value]
        )
        ctx = {"kind": label, "n": len(rows), "cycles": ", ".join(cycle_ids) or "-"}
        if len(rows) < MIN_CALIBRATION_KRS:
            out.append(
                KindCalibration(
                    kind=kind,
                    n=len(rows),
                    cycles=cycle_ids,
                    verdict="too_few",
                    message=_CAL["too_few"].get(lang, _CAL["too_few"]["en"]).format(**ctx),
                )
            )
            continue
        scores = [s.progress for _, s in rows if s.progress is not None]
        raws = [s.raw_progress for _, s in rows if s.raw_progress is not None]
        mean = statistics.fmean(scores)
        median_raw = statistics.median(raws)
        at_one = sum(1 for p in scores if p >= 1.0 - _EPS) / len(scores)
        aim = 1.0 if kind == Commitment.committed else ASPIRATIONAL_AIM
        if mean <= OVERREACH_MEAN:
            verdict = "overreach"
        elif mean >= SANDBAG_MEAN and (
            kind == Commitment.aspirational or median_raw >= COMMITTED_OVERSHOOT
        ):
            verdict = "sandbagging"
        else:
            verdict = "calibrated"
        table = _CAL[verdict]
        out.append(
            KindCalibration(
                kind=kind,
                n=len(rows),
                cycles=cycle_ids,
                mean=mean,
                median_raw_progress=median_raw if math.isfinite(median_raw) else None,
                share_at_one=at_one,
                verdict=verdict,  # type: ignore[arg-type]
                message=table.get(lang, table["en"]).format(
                    **ctx, mean=mean, at_one=at_one, aim=aim
                ),
            )
        )
    return Calibration(kinds=out)


def value_series(kr: KeyResult) -> list[tuple[date, float]]:
    """Check-in values in date order (for sparklines and burn-up charts)."""
    return sorted((c.date, c.value) for c in kr.checkins if c.value is not None)

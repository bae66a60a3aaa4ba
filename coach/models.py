"""Domain model shared by every part of okr-coach.

Pydantic v2 models for the cycle file (see ``docs/cycle-file.md``) and the result types that
rules, KPI suggestions, memory and the LLM layer hand to each other. Everything round-trips to
JSON; ``Cycle.model_json_schema()`` is the published schema of the OKR file.
"""

from __future__ import annotations

import math
import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 1

CYCLE_ID_PATTERN = r"^\d{4}(-(Q[1-4]|H[12]|T[1-3]|M(0[1-9]|1[0-2])|W\d{2}|FY|Y))?$"


class Direction(StrEnum):
    up = "up"
    down = "down"
    hold = "hold"


class Commitment(StrEnum):
    committed = "committed"
    aspirational = "aspirational"


class Level(StrEnum):
    company = "company"
    team = "team"
    project = "project"
    individual = "individual"


class CycleStatus(StrEnum):
    draft = "draft"
    active = "active"
    closed = "closed"


class Language(StrEnum):
    sv = "sv"
    en = "en"
    auto = "auto"


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class _Model(BaseModel):
    """Strict base: unknown keys are errors, so a typo like ``taget`` is reported, not lost."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, validate_assignment=True, defer_build=True
    )


# Numbers in a cycle file are amounts people track: NaN, infinity and 1e308 are typos or attacks.
# Bounding them keeps every sum, difference and ratio in scoring finite (and JSON output valid).
MAX_ABS_NUMBER = 1e15
MAX_WEIGHT = 1e6


def _bounded(x: float) -> float:
    if abs(x) > MAX_ABS_NUMBER:
        raise ValueError(f"is too large (at most {MAX_ABS_NUMBER:.0e} in absolute value)")
    return x


Number = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_bounded)]
Confidence = Annotated[
    float,
    Field(ge=0.0, le=1.0, allow_inf_nan=False, description="0 = no confidence, 1 = certain"),
]


def _finite_plain(v: Any) -> Any:
    """Reject NaN/infinity anywhere inside a free-form value (``Change.old``/``new``)."""
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("must be a finite number (not NaN or infinity)")
    if isinstance(v, dict):
        for x in v.values():
            _finite_plain(x)
    elif isinstance(v, list | tuple):
        for x in v:
            _finite_plain(x)
    return v


PlainValue = Annotated[Any, AfterValidator(_finite_plain)]


class CheckIn(_Model):
    """One check-in on a key result; the history is append-only."""

    date: date
    value: Number | None = None
    confidence: Confidence | None = None
    note: str = ""
    blockers: str = ""


class Change(_Model):
    """A mid-cycle change to a key result, with the reason (kept for organisational learning)."""

    date: date
    field: str
    old: PlainValue = None
    new: PlainValue = None
    why: str


class KeyResult(_Model):
    """A measurable result: where we are (baseline) and where we are going (target)."""

    id: str | None = None
    text: str = Field(min_length=1)
    metric: str | None = None
    baseline: Number | None = None
    target: Number | None = None
    unit: str | None = None
    direction: Direction | None = None
    deadline: str | None = Field(
        default=None, description="ISO date (2026-06-30) or period (2026-Q2, Q2, H1, FY26)"
    )
    owner: str | None = None
    kind: Commitment | None = None
    weight: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, allow_inf_nan=False)
    current: Number | None = None
    confidence: Confidence | None = None
    kpis: list[str] = Field(default_factory=list)
    checkins: list[CheckIn] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)

    @field_validator("text")
    @classmethod
    def _strip_text(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("a key result needs some text")
        return v

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline_to_str(cls, v: Any) -> Any:
        return v.isoformat() if isinstance(v, date) else v

    @property
    def latest_value(self) -> float | None:
        """The last check-in's value, else ``current`` (the conventions' definition)."""
        for c in reversed(self.checkins):
            if c.value is not None:
                return c.value
        return self.current


# The scalar KR fields a person may give beside the text (Markdown detail lines, CSV columns).
KR_DETAIL_FIELDS: tuple[str, ...] = tuple(
    name for name in KeyResult.model_fields if name not in ("text", "checkins", "changes")
)


class Initiative(_Model):
    """Work done to move key results: tasks belong here, not in KRs."""

    id: str | None = None
    title: str = Field(min_length=1)
    owner: str | None = None
    key_results: list[str] = Field(default_factory=list, description="ids of the KRs it drives")
    status: str | None = None


class Objective(_Model):
    """A qualitative, inspiring statement of what to achieve and why (no number in it)."""

    id: str | None = None
    title: str = Field(min_length=1)
    description: str | None = None
    why_now: str | None = None
    owner: str | None = None
    kind: Commitment | None = None
    parent: str | None = Field(default=None, description="id of an objective this aligns to")
    key_results: list[KeyResult] = Field(default_factory=list)
    initiatives: list[Initiative] = Field(default_factory=list)

    @field_validator("key_results", mode="before")
    @classmethod
    def _plain_string_krs(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"text": x} if isinstance(x, str) else x for x in v]
        return v

    @field_validator("initiatives", mode="before")
    @classmethod
    def _plain_string_initiatives(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"title": x} if isinstance(x, str) else x for x in v]
        return v


class KpiRef(_Model):
    """A team-defined KPI (catalog KPIs are referenced by their catalog id directly)."""

    id: str
    name: str
    unit: str | None = None
    source: str | None = None
    direction: str | None = None


class Cycle(_Model):
    """One OKR cycle (usually a quarter): the content of one cycle file."""

    schema_version: int = SCHEMA_VERSION
    cycle: str | None = Field(default=None, description="cycle id such as 2026-Q1")
    status: CycleStatus = CycleStatus.draft
    start: date | None = None
    end: date | None = None
    team: str | None = None
    level: Level | None = None
    language: Language = Language.auto
    strategy: str | None = None
    objectives: list[Objective] = Field(default_factory=list)
    kpis: list[KpiRef] = Field(default_factory=list)

    @field_validator("cycle", mode="before")
    @classmethod
    def _cycle_id(cls, v: Any) -> Any:
        if v is None:
            return v
        v = str(v).strip()
        if not re.match(CYCLE_ID_PATTERN, v):
            raise ValueError(f"cycle id {v!r} should look like 2026-Q1, 2026-H2 or 2026")
        return v

    @field_validator("objectives")
    @classmethod
    def _unique_ids(cls, objectives: list[Objective]) -> list[Objective]:
        """Ids are the keys check-ins, ``parent`` and ``--kr`` use: two things with one id would
        make a check-in land on whichever comes first, so a file with a repeated id is refused."""
        seen: dict[str, str] = {}
        for oi, obj in enumerate(objectives, start=1):
            places = [(obj.id, f"objective {oi}")] + [
                (kr.id, f"key result {oi}.{ki}") for ki, kr in enumerate(obj.key_results, start=1)
            ]
            for ident, place in places:
                if ident is None:
                    continue
                if ident in seen:
                    raise ValueError(
                        f"id {ident!r} is used twice ({seen[ident]} and {place}); "
                        "give one of them another id"
                    )
                seen[ident] = place
        return objectives

    @model_validator(mode="after")
    def _dates_in_order(self) -> Cycle:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"the cycle ends ({self.end}) before it starts ({self.start})")
        return self

    def iter_krs(self):
        """Yield ``(objective_index, kr_index, objective, kr)`` for every key result."""
        for oi, obj in enumerate(self.objectives):
            for ki, kr in enumerate(obj.key_results):
                yield oi, ki, obj, kr

    def find_kr(self, kr_id: str) -> KeyResult | None:
        for _, _, _, kr in self.iter_krs():
            if kr.id == kr_id:
                return kr
        return None


def assign_ids(cycle: Cycle) -> Cycle:
    """Give every objective and KR a stable id (``o1``, ``o1.kr2``), never reusing one.

    Existing ids are kept; new ones continue after the highest number already used, so an id
    that was deleted is not handed out again while a higher one exists.
    """

    def next_n(existing: list[str | None], pattern: str) -> int:
        nums = [int(m.group(1)) for e in existing if e and (m := re.fullmatch(pattern, e))]
        return max(nums, default=0) + 1

    n_obj = next_n([o.id for o in cycle.objectives], r"o(\d+)")
    for obj in cycle.objectives:
        if not obj.id:
            obj.id = f"o{n_obj}"
            n_obj += 1
        n_kr = next_n([k.id for k in obj.key_results], re.escape(obj.id) + r"\.kr(\d+)")
        for kr in obj.key_results:
            if not kr.id:
                kr.id = f"{obj.id}.kr{n_kr}"
                n_kr += 1
        n_in = next_n([i.id for i in obj.initiatives], re.escape(obj.id) + r"\.i(\d+)")
        for ini in obj.initiatives:
            if not ini.id:
                ini.id = f"{obj.id}.i{n_in}"
                n_in += 1
    return cycle


# ---------------------------------------------------------------- results shared by the parts


class Location(_Model):
    """Where a finding points: a line in the file and/or the objective/KR it concerns."""

    path: str | None = None
    line: int | None = None
    objective_index: int | None = None
    kr_index: int | None = None
    kr_id: str | None = None


class Finding(_Model):
    """One problem a rule found. ``suggestion`` is concrete text; numbers are never invented."""

    code: str = Field(pattern=r"^OKR\d{3}$")
    category: str
    severity: Severity
    message: str
    fix_title: str | None = None
    suggestion: str | None = None
    location: Location = Field(default_factory=Location)


class SuggestionKind(StrEnum):
    rewrite = "rewrite"
    skeleton = "skeleton"
    move_to_initiatives = "move_to_initiatives"
    fill_field = "fill_field"
    attach_kpi = "attach_kpi"
    split = "split"


class Suggestion(_Model):
    """A proposed change the user can accept or reject (from rules, KPIs or the LLM)."""

    kind: SuggestionKind
    title: str
    text: str | None = None
    target_kr: str | None = Field(default=None, description="id of the KR it applies to")
    fields: dict[str, Any] = Field(default_factory=dict)
    source: str = Field(default="rules", description="rules | kpis | llm | memory")
    codes: list[str] = Field(default_factory=list, description="rule codes it answers")


class Passage(_Model):
    """A retrieved piece of a past-cycle document, citable as ``[n]``."""

    n: int = Field(ge=1, description="citation number within one answer")
    id: str = Field(description="chunk id: hash of source, position and text")
    source: str = Field(description="path relative to the workspace or the ingested folder")
    heading_path: list[str] = Field(default_factory=list)
    lines: tuple[int, int] | None = None
    cycle: str | None = None
    team: str | None = None
    kind: str | None = None
    date: str | None = None
    language: str | None = None
    score: float = Field(ge=0.0, le=1.0, description="relevance, higher is better")
    text: str
    why: str | None = Field(default=None, description="one line: why it applies here")

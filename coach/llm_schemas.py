"""The output model of every LLM task (``extra="forbid"``), validated before anything is shown.

Validators read a context the caller passes to ``model_validate(..., context=...)``:
``rule_codes`` (the KR-level rule codes: an objective or set rule never applies to a KR),
``kpi_ids`` (the KPI candidates shown), ``passage_ids`` and
``passage_ns`` (what was retrieved and shown), ``n_krs`` (KRs in the objective under review),
``allowed_numbers`` (numbers present in the input: the model may repeat them, never invent).
A missing context key skips that check (used when a template is rendered for show only).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def numbers_in(text: str) -> set[str]:
    """Numbers in a text, normalised so that ``3,5`` and ``3.5`` compare equal."""
    return {n.replace(",", ".") for n in _NUMBER.findall(text or "")}


def _ctx(info: ValidationInfo, key: str) -> Any:
    return (info.context or {}).get(key)


# A normaliser ("per 100 active bookings", "per 1 000 bokningar") is part of the unit, not a
# baseline or target the model could invent.
_NORMALISER = re.compile(r"\b(?:per|på|av)\s+\d{1,3}(?:[ ,.]?000)*(?!\s*%)\b", re.IGNORECASE)


def _check_numbers(text: str, info: ValidationInfo) -> str:
    allowed = _ctx(info, "allowed_numbers")
    if allowed is None:
        return text
    invented = sorted(numbers_in(_NORMALISER.sub(" ", text)) - set(allowed))
    if invented:
        raise ValueError(
            f"contains numbers that are not in the input ({', '.join(invented)}); leave "
            "baselines and targets as ___ for the team to fill in"
        )
    return text


def _check_passages(ids: list[str], info: ValidationInfo) -> list[str]:
    known = _ctx(info, "passage_ids")
    if known is not None:
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ValueError(f"cites passage ids that were not provided: {', '.join(unknown)}")
    return ids


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(_Out):
    code: str | None = Field(
        default=None, description="rule code (like OKR003) when a listed rule matches, else null"
    )
    text: str = Field(min_length=1, description="the problem in one sentence")

    @field_validator("code")
    @classmethod
    def _known_code(cls, v: str | None, info: ValidationInfo) -> str | None:
        known = _ctx(info, "rule_codes")
        if v is not None and known is not None and v not in known:
            raise ValueError(f"{v!r} is not a code from the KR rule list; use one of those or null")
        return v


class KpiPick(_Out):
    kpi_id: str = Field(description="id from the KPI candidates")
    why: str = Field(min_length=1)

    @field_validator("kpi_id")
    @classmethod
    def _known_kpi(cls, v: str, info: ValidationInfo) -> str:
        known = _ctx(info, "kpi_ids")
        if known is not None and v not in known:
            raise ValueError(f"{v!r} is not among the KPI candidates shown; pick one of those")
        return v


class LessonCite(_Out):
    id: str = Field(description="id of a passage shown")
    why: str = Field(min_length=3, description="what the lesson means for this KR")


class KrCritique(_Out):
    index: int = Field(ge=0, description="0-based position of the KR in the objective")
    verdict: Literal["good", "improve", "rewrite", "move_to_initiatives"]
    problems: list[Problem] = Field(default_factory=list)
    rewrite: str | None = Field(
        default=None, description="a better KR text; numbers not in the input are written ___"
    )
    initiative: str | None = Field(
        default=None, description="for move_to_initiatives: the task written as an initiative"
    )
    kpis: list[KpiPick] = Field(default_factory=list, max_length=3)
    lessons: list[LessonCite] = Field(default_factory=list, description="cited past passages")

    @field_validator("rewrite")
    @classmethod
    def _rewrite_numbers(cls, v: str | None, info: ValidationInfo) -> str | None:
        return v if v is None else _check_numbers(v, info)

    @field_validator("lessons")
    @classmethod
    def _lessons_known(cls, v: list[LessonCite], info: ValidationInfo) -> list[LessonCite]:
        _check_passages([c.id for c in v], info)
        return v


class ObjectiveCritique(_Out):
    objective_note: str = Field(min_length=1, description="coverage and alignment of the KRs")
    missing: list[str] = Field(default_factory=list, description="result areas with no KR")
    key_results: list[KrCritique]

    @model_validator(mode="after")
    def _every_kr_once(self, info: ValidationInfo) -> ObjectiveCritique:
        n = _ctx(info, "n_krs")
        if n is not None:
            got = sorted(k.index for k in self.key_results)
            if got != list(range(n)):
                raise ValueError(
                    f"key_results must review each KR exactly once, indexes 0..{n - 1}; got {got}"
                )
        return self


class ObjectiveDraft(_Out):
    title: str = Field(min_length=3, description="qualitative, no numbers")
    why_now: str = Field(min_length=3)
    lessons: list[str] = Field(default_factory=list)

    @field_validator("title")
    @classmethod
    def _no_numbers(cls, v: str) -> str:
        if numbers_in(v):
            raise ValueError("an objective is qualitative: keep numbers for the key results")
        return v

    @field_validator("lessons")
    @classmethod
    def _lessons_known(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _check_passages(v, info)


class DraftObjectives(_Out):
    candidates: list[ObjectiveDraft] = Field(min_length=2, max_length=4)


class KrDraft(_Out):
    text: str = Field(min_length=5, description="outcome KR; from ___ to ___ for unknown numbers")
    metric: str = Field(min_length=2)
    unit: str | None = None
    direction: Literal["up", "down", "hold"]
    why: str = Field(min_length=3)
    kpi_id: str | None = None

    @field_validator("text")
    @classmethod
    def _text_numbers(cls, v: str, info: ValidationInfo) -> str:
        return _check_numbers(v, info)

    @field_validator("kpi_id")
    @classmethod
    def _known_kpi(cls, v: str | None, info: ValidationInfo) -> str | None:
        known = _ctx(info, "kpi_ids")
        if v is not None and known is not None and v not in known:
            raise ValueError(f"unknown KPI id {v!r}")
        return v


class DraftKrs(_Out):
    candidates: list[KrDraft] = Field(min_length=3, max_length=5)


class Rewrite(_Out):
    text: str = Field(min_length=5)
    why: str = Field(min_length=3)
    codes: list[str] = Field(default_factory=list, description="rule codes the rewrite answers")

    @field_validator("text")
    @classmethod
    def _text_numbers(cls, v: str, info: ValidationInfo) -> str:
        return _check_numbers(v, info)

    @field_validator("codes")
    @classmethod
    def _known_codes(cls, v: list[str], info: ValidationInfo) -> list[str]:
        known = _ctx(info, "rule_codes")
        if known is not None and (bad := [c for c in v if c not in known]):
            raise ValueError(f"unknown rule codes: {', '.join(bad)}")
        return v


class Answer(_Out):
    answer: str = Field(min_length=1, description="the answer, citing passages as [n]")
    cites: list[str] = Field(default_factory=list, description="ids of the passages cited")

    @field_validator("cites")
    @classmethod
    def _cites_known(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _check_passages(v, info)

    @model_validator(mode="after")
    def _markers_exist(self, info: ValidationInfo) -> Answer:
        ns = _ctx(info, "passage_ns")
        if ns is not None:
            bad = sorted({int(m) for m in re.findall(r"\[(\d+)\]", self.answer)} - set(ns))
            if bad:
                raise ValueError(f"cites [{'], ['.join(map(str, bad))}] but no such passage")
        return self


_CHECKIN_REF = re.compile(r"\[([A-Za-z0-9_.-]+#\d+)\]")


class RetroSummary(BaseModel):
    """What the LLM may add to a retro: a grounded narrative, citing check-ins as [o1.kr2#3]."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(min_length=1, max_length=2000, description="3-6 sentences")
    went_well: list[str] = Field(default_factory=list, max_length=5)
    to_improve: list[str] = Field(default_factory=list, max_length=5)

    @field_validator("summary", "went_well", "to_improve")
    @classmethod
    def _grounded(cls, v: str | list[str], info: ValidationInfo) -> str | list[str]:
        ctx = info.context or {}
        refs, allowed = ctx.get("checkin_refs"), ctx.get("allowed_numbers")
        for text in [v] if isinstance(v, str) else v:
            if refs is not None:
                unknown = sorted(set(_CHECKIN_REF.findall(text)) - set(refs))
                if unknown:
                    raise ValueError(f"cites check-ins that do not exist: {', '.join(unknown)}")
            if allowed is not None:
                invented = sorted(numbers_in(_CHECKIN_REF.sub("", text)) - set(allowed))
                if invented:
                    raise ValueError(
                        f"uses numbers that are not in the cycle data ({', '.join(invented)})"
                    )
        if info.field_name == "summary" and refs and not _CHECKIN_REF.search(str(v)):
            raise ValueError("the summary must cite at least one check-in, like [o1.kr1#2]")
        return v


SCHEMAS: dict[str, type[BaseModel]] = {
    m.__name__: m
    for m in (ObjectiveCritique, DraftObjectives, DraftKrs, Rewrite, Answer, RetroSummary)
}

"""What a rule check receives and returns. Family modules register checks with ``@check``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coach.config import RulesSettings, Settings
from coach.models import Cycle, KeyResult, Objective
from coach.rules.analysis import KrAnalysis


@dataclass
class Hit:
    """One problem found; ``values`` fill the rule's message and suggestion templates."""

    values: dict[str, Any] = field(default_factory=dict)
    objective_index: int | None = None  # set-level rules point at a KR or objective
    kr_index: int | None = None


@dataclass
class KrContext:
    analysis: KrAnalysis
    lang: str  # language of messages
    index: int = 0
    kr: KeyResult | None = None  # None when checking bare text
    objective: Objective | None = None
    objective_title: str | None = None
    cycle: Cycle | None = None

    @property
    def text(self) -> str:
        return self.analysis.facts.original.strip()


@dataclass
class ObjectiveContext:
    objective: Objective
    index: int
    krs: list[KrContext]
    settings: RulesSettings
    lang: str
    title_analysis: KrAnalysis | None = None
    # the whole configuration, for rules that use the embedding backend (None = its default)
    app_settings: Settings | None = None


@dataclass
class SetContext:
    cycle: Cycle
    objectives: list[ObjectiveContext]
    settings: RulesSettings
    lang: str


CheckFn = Callable[[Any], "Hit | list[Hit] | None"]
CHECKS: dict[str, CheckFn] = {}


def check(code: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS[code] = fn
        return fn

    return register

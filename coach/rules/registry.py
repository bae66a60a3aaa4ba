"""The rule registry: stable codes mapped to rules whose metadata, messages, docs and examples
live in ``rules.yaml`` (data, both languages) and whose checks live in one module per family.

``RULES`` (code -> :class:`Rule`) and :func:`get_rule` are the public interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.models import Severity
from coach.rules import completeness, cycle_set, measurability, objectives, outcome, shape
from coach.rules.base import CHECKS, CheckFn

RULES_FILE = Path(__file__).resolve().parent / "rules.yaml"
DOC_FIELDS = ("message", "fix_title", "suggestion", "what", "why", "example", "instead")
SCOPES = ("kr", "objective", "set")
_FAMILIES = (completeness, cycle_set, measurability, objectives, outcome, shape)  # register checks


@dataclass(frozen=True)
class RuleDocs:
    message: str
    fix_title: str
    suggestion: str
    what: str
    why: str
    example: str
    instead: str

    def __str__(self) -> str:
        return f"{self.what}\n\n{self.why}\n\n{self.example}\n→ {self.instead}"


class _Blank(dict):
    """Missing template fields stay visible as ``{name}`` instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass
class Rule:
    code: str
    name: str
    category: str
    severity: Severity
    scope: str
    docs: dict[str, RuleDocs]
    should_flag: dict[str, list[Any]] = field(default_factory=dict)
    should_pass: dict[str, list[Any]] = field(default_factory=dict)
    preview: bool = False
    check: CheckFn | None = None

    def text(self, lang: str) -> RuleDocs:
        return self.docs.get(lang) or self.docs["en"]

    def render(self, field_name: str, lang: str, values: dict[str, Any] | None = None) -> str:
        template = getattr(self.text(lang), field_name)
        return template.format_map(_Blank(values or {}))

    def render_finding(
        self, lang: str, values: dict[str, Any] | None = None
    ) -> tuple[str, str, str]:
        """Message, fix title and suggestion: ``render`` for each, the docs looked up once."""
        docs = self.text(lang)
        blank = _Blank(values or {})
        return docs.message.format_map(blank), docs.fix_title, docs.suggestion.format_map(blank)


def _load() -> dict[str, Rule]:
    from coach.files.yaml_io import load_data

    raw: dict[str, Any] = load_data(RULES_FILE.read_text(encoding="utf-8"), str(RULES_FILE))
    rules: dict[str, Rule] = {}
    for code, spec in raw.items():
        docs = {
            lang: RuleDocs(**{f: str(spec[lang].get(f, "")) for f in DOC_FIELDS})
            for lang in ("en", "sv")
            if lang in spec
        }
        rules[code] = Rule(
            code=code,
            name=spec["name"],
            category=spec["category"],
            severity=Severity(spec["severity"]),
            scope=spec["scope"],
            docs=docs,
            should_flag=spec.get("should_flag") or {},
            should_pass=spec.get("should_pass") or {},
            preview=bool(spec.get("preview", False)),
            check=CHECKS.get(code),
        )
    return dict(sorted(rules.items()))


RULES: dict[str, Rule] = _load()


def get_rule(code: str) -> Rule:
    """The rule with this code (case-insensitive); KeyError with a readable message if unknown."""
    rule = RULES.get(code.strip().upper())
    if rule is None:
        raise KeyError(f"unknown rule {code!r}; `okr-coach rules` lists them")
    return rule


def rules_by_scope(scope: str) -> list[Rule]:
    return [r for r in RULES.values() if r.scope == scope]

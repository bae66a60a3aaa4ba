"""Turn pydantic validation errors into sentences that name the place in the file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from coach.errors import InputError
from coach.files.gate import clip

_SHOWN = 5  # problems spelled out in the one-line message; the rest are counted

_FRIENDLY = {
    "extra_forbidden": "unknown field (check the spelling; see `okr-coach schema`)",
    "missing": "is required here",
    "float_parsing": "should be a number",
    "float_type": "should be a number",
    "finite_number": "must be a finite number (not NaN or infinity)",
    "int_parsing": "should be a whole number",
    "date_from_datetime_parsing": "should be a date like 2026-03-31",
    "date_parsing": "should be a date like 2026-03-31",
    "date_type": "should be a date like 2026-03-31",
    "enum": "has a value that is not allowed",
    "string_too_short": "must not be empty",
    "less_than_equal": "is too large",
    "greater_than_equal": "is too small",
    "greater_than": "must be greater than zero",
    "list_type": "should be a list",
    "model_type": "should be a mapping of fields",
    "model_attributes_type": "should be a mapping of fields",
    "string_type": "should be text",
}


def dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def human_errors(
    err: ValidationError,
    path: str,
    locate: Callable[[tuple[Any, ...]], int | None] | None = None,
) -> InputError:
    """One InputError, on one line, listing the problems, each with its line when we can find it."""
    parts: list[str] = []
    for e in err.errors(include_url=False):
        loc = tuple(p for p in e["loc"] if p not in ("function-before", "function-after"))
        friendly = _FRIENDLY.get(e["type"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "enum" and "expected" in e.get("ctx", {}):
            friendly = f"must be one of {e['ctx']['expected']}"
        text = friendly if friendly and e["type"] != "value_error" else msg
        line = locate(loc) if locate else None
        given = e.get("input")
        shown = (
            f" (got {clip(given)})"
            if isinstance(given, str | int | float) and e["type"] != "missing"
            else ""
        )
        where = f"line {line}: " if line else ""
        parts.append(" ".join(f"{where}{dotted(loc)} {text}{shown}".split()))
    n = len(parts)
    head = "1 problem" if n == 1 else f"{n} problems"
    more = f"; and {n - _SHOWN} more" if n > _SHOWN else ""
    return InputError(f"{head} in the OKR file: " + "; ".join(parts[:_SHOWN]) + more, path, None)

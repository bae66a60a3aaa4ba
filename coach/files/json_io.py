"""JSON cycle files: plain data, with what json.loads lets through refused.

json.loads keeps the last of two equal keys (a second ``objectives`` would silently win; YAML
refuses this, so JSON does too), recurses once per nesting level and converts any integer
literal (Python refuses past 4,300 digits with a traceback). The input gate's checks run first.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring
from typing import Any

from coach.errors import InputError
from coach.files.gate import check_json_depth, check_number_literal, clip


class _DuplicateKey(Exception):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def load_json(text: str, name: str) -> Any:
    """Plain data from JSON text. Raises InputError naming the file and, when known, the line."""
    check_json_depth(text, name)

    def number(literal: str, convert: Any) -> Any:
        check_number_literal(literal, name, _line_of_literal(text, literal))
        return convert(literal)

    try:
        return json.loads(
            text,
            object_pairs_hook=_unique,
            parse_int=lambda s: number(s, int),
            parse_float=lambda s: number(s, float),
        )
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg}", name, e.lineno) from None
    except _DuplicateKey as e:
        key, line = _first_duplicate(text) or (str(e), None)
        raise InputError(f"invalid JSON: duplicate key {clip(key)}", name, line) from None


def _line_of_literal(text: str, literal: str) -> int | None:
    pos = text.find(literal)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


_STRUCTURAL = re.compile(r'["{}\[\],]')


def _first_duplicate(text: str) -> tuple[str, int] | None:
    """The first key repeated inside one object, with its line (run only after a duplicate was
    found, so a slow walk costs nothing on good files)."""
    stack: list[set[str] | None] = []  # a set of keys per open object, None per array
    expect_key = False
    pos = 0
    while m := _STRUCTURAL.search(text, pos):
        c, i = m.group(), m.start()
        if c == '"':
            try:
                s, pos = scanstring(text, i + 1)
            except ValueError:
                return None
            keys = stack[-1] if stack else None
            if keys is not None and expect_key:
                if s in keys:
                    return s, text.count("\n", 0, i) + 1
                keys.add(s)
                expect_key = False
            continue
        if c == "{":
            stack.append(set())
            expect_key = True
        elif c == "[":
            stack.append(None)
            expect_key = False
        elif c in "]}":
            if stack:
                stack.pop()
            expect_key = False
        else:  # a comma: the next string in an object is a key
            expect_key = bool(stack) and stack[-1] is not None
        pos = i + 1
    return None

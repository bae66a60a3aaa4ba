"""Rewrite an existing YAML cycle file in place: new values, the user's comments and layout kept.

A check-in or a TUI save changes a few values; re-dumping the whole model would drop every
comment (including ``# okr-coach: ignore OKR004``), refold long text and turn ``34`` into
``34.0``. Instead we load the old file with ruamel's round-trip loader, update it to match the
new document (objectives, KRs and initiatives matched by ``id``, else by position; unchanged
scalars keep their original form), and dump it back.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq


def round_trip_yaml() -> YAML:
    y = YAML(typ="rt")
    y.width = 100
    y.indent(mapping=2, sequence=4, offset=2)
    y.preserve_quotes = True
    return y


def _keep_old_scalar(old: Any, new: Any) -> bool:
    """True when the old scalar means the same value (keep its quoting, folding, int form)."""
    if hasattr(old, "isoformat") and hasattr(new, "isoformat"):
        return old.isoformat() == new.isoformat()
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    return isinstance(old, str) and isinstance(new, str) and old == new


def _merge(old: Any, new: Any) -> Any:
    """``new`` expressed on top of ``old``: containers updated in place, scalars kept if equal."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merge(old[key], value) if key in old else value
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        by_id = {
            item["id"]: item
            for item in old
            if isinstance(item, CommentedMap) and isinstance(item.get("id"), str)
        }
        merged = []
        for i, value in enumerate(new):
            match = by_id.get(value.get("id")) if isinstance(value, dict) else None
            if match is None and i < len(old) and not by_id:
                match = old[i]
            merged.append(_merge(match, value) if match is not None else value)
        if len(merged) == len(old) and all(a is b for a, b in zip(merged, old, strict=True)):
            return old
        old[:] = merged
        return old
    if isinstance(old, dict | list) or isinstance(new, dict | list):
        return new
    return old if _keep_old_scalar(old, new) else new


def merge_into_yaml(old_text: str, new_doc: dict[str, Any]) -> str | None:
    """The old file's text updated to ``new_doc``; None when the old text is not a mapping."""
    y = round_trip_yaml()
    try:
        old = y.load(old_text)
    except Exception:  # an unreadable old file is simply replaced by a fresh dump
        return None
    if not isinstance(old, CommentedMap):
        return None
    merged = _merge(old, new_doc)
    buf = io.StringIO()
    y.dump(merged, buf)
    return buf.getvalue()

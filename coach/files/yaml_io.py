"""YAML cycle files: read with line numbers (for findings) and safe types only; write tidily."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from coach.errors import InputError


def _yaml() -> YAML:
    # Round-trip mode keeps line numbers and comments; it builds no arbitrary Python objects
    # (python/object tags are refused), unlike PyYAML's unsafe loader.
    y = YAML(typ="rt")
    y.allow_duplicate_keys = False
    return y


def load_yaml(text: str, path: str) -> Any:
    try:
        return _yaml().load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        problem = (e.problem or e.context or "invalid YAML").strip()
        if "constructor" in problem or "tag" in problem:
            problem = f"unsupported YAML tag ({problem}); only plain data is accepted"
        raise InputError(f"invalid YAML: {problem}", path, line) from None
    except YAMLError as e:
        raise InputError(f"invalid YAML: {e}", path) from None


_PLAIN_TAGS = {None, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"}


def _tag(node: Any) -> str | None:
    """The explicit tag on a container, if it is anything but plain map/seq."""
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag)
    return None if value in _PLAIN_TAGS else str(value).replace("tag:yaml.org,2002:", "!!")


def to_plain(node: Any, path: str = "<input>") -> Any:
    """ruamel's commented containers and scalar wrappers -> plain dict/list/str/float/date.

    Explicit tags (``!!python/object``, ``!custom``) are refused: an OKR file is plain data.
    """
    if isinstance(node, TaggedScalar) or (isinstance(node, dict | list) and _tag(node)):
        raise InputError(
            f"unsupported YAML tag {_tag(node) or ''}; only plain data is accepted".replace(
                "  ", " "
            ),
            path,
        )
    if isinstance(node, dict):
        return {str(k): to_plain(v, path) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v, path) for v in node]
    if isinstance(node, dt.datetime):
        return node.date() if (node.hour, node.minute, node.second) == (0, 0, 0) else node
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    raise InputError(f"unsupported value of type {type(node).__name__}")


def line_of(root: Any, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the node at ``loc`` (a pydantic error location), or of its nearest parent."""
    node, best = root, None
    for part in loc:
        try:
            if isinstance(node, CommentedMap) and part in node:
                best = node.lc.key(part)[0] + 1
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                best = node.lc.item(part)[0] + 1
            else:
                break
        except (TypeError, KeyError, IndexError):  # no position recorded for this node
            break
        node = node[part]
    return best


def collect_lines(root: Any) -> dict[str, int]:
    """Lines of the cycle, each objective and each KR (keys as in LoadedFile.lines)."""
    lines: dict[str, int] = {"cycle": 1}
    if not isinstance(root, CommentedMap):
        return lines
    objs = root.get("objectives")
    if not isinstance(objs, CommentedSeq):
        return lines
    for oi, obj in enumerate(objs):
        if objs.lc.data is None or oi not in objs.lc.data:
            break
        lines[f"o{oi}"] = objs.lc.item(oi)[0] + 1
        if not isinstance(obj, CommentedMap):
            continue
        krs = obj.get("key_results")
        if isinstance(krs, CommentedSeq) and krs.lc.data is not None:
            for ki in range(len(krs)):
                lines[f"o{oi}.k{ki}"] = krs.lc.item(ki)[0] + 1
    return lines


_DATE_KEYS = {"start", "end", "date", "deadline"}


def _dates_unquoted(node: Any, key: str | None = None) -> Any:
    """ISO date strings under date keys become dates, so YAML shows them unquoted."""
    if isinstance(node, dict):
        return {k: _dates_unquoted(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_dates_unquoted(v) for v in node]
    if key in _DATE_KEYS and isinstance(node, str):
        try:
            return dt.date.fromisoformat(node)
        except ValueError:
            return node
    return node


def dump_yaml(data: dict[str, Any]) -> str:
    y = YAML(typ="rt")
    y.default_flow_style = False
    y.width = 100
    y.indent(mapping=2, sequence=4, offset=2)
    y.allow_unicode = True
    buf = io.StringIO()
    y.dump(_dates_unquoted(data), buf)
    return buf.getvalue()

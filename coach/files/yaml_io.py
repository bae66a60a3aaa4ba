"""YAML cycle files: read with line numbers (for findings) and plain data only; write tidily.

Reading composes the node graph with libyaml (PyYAML's C loader, ~30x faster than a pure-Python
round-trip loader) and builds plain values from the nodes ourselves, so every value keeps its
line and no tag can construct a Python object. Inline ``# okr-coach: ignore`` comments are read
from the text itself (coach.files.loaded.parse_suppressions).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from coach.errors import InputError
from coach.files.gate import check_number_literal, check_yaml_depth, clip

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_T}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_NUMBER_TAGS = {f"{_T}int", f"{_T}float"}
_scalars = yaml.constructor.SafeConstructor()


def load_yaml(text: str, path: str) -> yaml.Node | None:
    """Compose the YAML node graph (no Python objects built yet), after the depth check."""
    check_yaml_depth(text, path, _Loader)
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        problem = (e.problem or e.context or "invalid YAML").strip()
        raise InputError(f"invalid YAML: {problem}", path, line) from None
    except yaml.reader.ReaderError as e:  # a character YAML forbids, e.g. ESC or BEL
        line = text.count("\n", 0, e.position) + 1 if isinstance(e.position, int) else None
        char = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "?")
        raise InputError(
            f"invalid YAML: control character U+{char:04X} is not allowed", path, line
        ) from None
    except yaml.YAMLError as e:
        raise InputError(f"invalid YAML: {' '.join(str(e).split())}", path) from None


def to_plain(node: yaml.Node | None, path: str = "<input>") -> Any:
    """Nodes -> plain dict/list/str/int/float/bool/date. Refuses tags and duplicate keys.

    Aliases share nodes; converted nodes are memoised, so an alias bomb costs linear time.
    """
    memo: dict[int, Any] = {}

    def refuse(n: yaml.Node, why: str) -> InputError:
        return InputError(why, path, n.start_mark.line + 1)

    def conv(n: yaml.Node) -> Any:
        if id(n) in memo:
            return memo[id(n)]
        if isinstance(n, yaml.MappingNode):
            if n.tag != f"{_T}map":
                raise refuse(n, f"unsupported YAML tag {n.tag}; only plain data is accepted")
            out: dict[str, Any] = {}
            memo[id(n)] = out
            for k, v in n.value:
                if k.tag == f"{_T}merge":
                    raise refuse(k, "YAML merge keys (<<) are not supported; write the fields out")
                key = conv(k)
                if not isinstance(key, str | int | float | bool) or isinstance(key, bool):
                    raise refuse(k, "mapping keys must be plain text")
                key = str(key)
                if key in out:
                    raise refuse(k, f"invalid YAML: duplicate key {key!r}")
                out[key] = conv(v)
            return out
        if isinstance(n, yaml.SequenceNode):
            if n.tag != f"{_T}seq":
                raise refuse(n, f"unsupported YAML tag {n.tag}; only plain data is accepted")
            lst: list[Any] = []
            memo[id(n)] = lst
            lst.extend(conv(v) for v in n.value)
            return lst
        if n.tag not in _SCALAR_TAGS:
            raise refuse(n, f"unsupported YAML tag {n.tag}; only plain data is accepted")
        if _yaml11_only(n):
            memo[id(n)] = n.value  # YAML 1.2 reading: `no`, `on`, `1:30` stay text
            return n.value
        if n.tag in _NUMBER_TAGS:
            check_number_literal(n.value, path, n.start_mark.line + 1)
        try:
            value = _scalars.construct_object(n, deep=True)
        except (yaml.constructor.ConstructorError, ValueError):
            raise refuse(n, f"cannot read the value {clip(n.value)}") from None
        if isinstance(value, dt.datetime):
            value = value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
        memo[id(n)] = value
        return value

    return None if node is None else conv(node)


def _yaml11_only(n: yaml.ScalarNode) -> bool:
    """Plain scalars that only YAML 1.1 reads as non-text: yes/no/on/off (bool) and
    sexagesimal numbers (``1:30`` = 90). YAML 1.2, which people expect, keeps them as text:
    an owner called "No" or a lexicon word "on" must not turn into a boolean."""
    if n.style:  # quoted: already text
        return False
    if n.tag == f"{_T}bool":
        return n.value.lower() not in ("true", "false")
    if n.tag in (f"{_T}int", f"{_T}float"):
        return ":" in n.value
    return False


def load_data(text: str, path: str) -> Any:
    """Plain data from a YAML data file (catalog, lexicon, glossary, rule docs, front matter):
    libyaml speed, YAML 1.2 scalars, duplicate keys and tags refused with the line."""
    return to_plain(load_yaml(text, path), path)


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == part:
                return k, v
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item, item
    return None


def line_of(root: Any, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the node at ``loc`` (a pydantic error location), or of its nearest parent."""
    node, best = root, None
    for part in loc:
        found = _child(node, part)
        if found is None:
            break
        marker, node = found
        best = marker.start_mark.line + 1
    return best


def collect_lines(root: Any) -> dict[str, int]:
    """Lines of the cycle, each objective and each KR (keys as in LoadedFile.lines)."""
    lines: dict[str, int] = {"cycle": 1}
    objs = _child(root, "objectives")
    if objs is None or not isinstance(objs[1], yaml.SequenceNode):
        return lines
    for oi, obj in enumerate(objs[1].value):
        lines[f"o{oi}"] = obj.start_mark.line + 1
        krs = _child(obj, "key_results")
        if krs is not None and isinstance(krs[1], yaml.SequenceNode):
            for ki, kr in enumerate(krs[1].value):
                lines[f"o{oi}.k{ki}"] = kr.start_mark.line + 1
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


def yaml_ready(data: dict[str, Any]) -> dict[str, Any]:
    """Plain data as YAML should show it (dates unquoted)."""
    return _dates_unquoted(data)


class _IndentedDumper(yaml.SafeDumper):
    """Lists indented under their key, the layout coach.files.yaml_merge writes too."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def dump_yaml(data: dict[str, Any]) -> str:
    """Canonical YAML for a new file (or one without comments to keep)."""
    return yaml.dump(
        yaml_ready(data),
        Dumper=_IndentedDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
        indent=2,
    )

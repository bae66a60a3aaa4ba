"""Markdown for humans: ``# Objective`` headings, ``- `` KR bullets, optional field lines.

```
---
cycle: 2026-Q1        # optional YAML front matter with the cycle's own fields
---
# Win the mid-market
Owner: Anna
Why now: ...

- Win 15 new customers in segment X this quarter
  - owner: Anna
  - baseline: 3

Initiatives:
- Partner campaign
```
KR detail lines (``  - key: value``) carry the scalar KR fields; check-in history is not kept in
Markdown (use YAML for the full record).
"""

from __future__ import annotations

import re
from typing import Any

from coach.errors import InputError
from coach.files.gate import check_number_literal
from coach.files.yaml_io import dump_yaml, load_data
from coach.models import KR_DETAIL_FIELDS

_OBJ_FIELDS = {
    "owner": "owner",
    "ägare": "owner",
    "why now": "why_now",
    "varför nu": "why_now",
    "description": "description",
    "beskrivning": "description",
    "kind": "kind",
    "parent": "parent",
    "id": "id",
}
# Swedish names for the KR detail lines a person might type (`  - ägare: Anna`).
_KR_ALIASES = {
    "ägare": "owner",
    "mått": "metric",
    "utgångsläge": "baseline",
    "utgångsvärde": "baseline",
    "målvärde": "target",
    "enhet": "unit",
    "riktning": "direction",
    "senast": "deadline",
    "typ": "kind",
    "vikt": "weight",
    "nuläge": "current",
    "konfidens": "confidence",
    "nyckeltal": "kpis",
}
_NUMERIC = {"baseline", "target", "weight", "current", "confidence"}
_INITIATIVES = re.compile(r"^(initiatives|initiativ)\s*:\s*$", re.I)
_FIELD = re.compile(r"^([A-Za-zÅÄÖåäö ]{2,20}):\s*(.*)$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SUB = re.compile(r"^\s{2,}[-*+]\s+([A-Za-z_åäöÅÄÖ]+):\s*(.*)$")


def _scalar(v: str, key: str = "", path: str = "", line: int | None = None) -> Any:
    v = v.strip()
    if v == "":
        return None
    if re.fullmatch(r"[-+\d.,\s\u00a0]+", v):
        check_number_literal(v, path, line)
    if key in _NUMERIC:  # as in CSV: a decimal comma and spaces between thousands are fine
        n = v.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if re.fullmatch(r"[-+]?\d+(\.\d+)?", n):
            return float(n)
        return v
    return float(v) if re.fullmatch(r"-?\d+(\.\d+)?", v) else v


def parse_markdown(text: str, path: str) -> tuple[dict[str, Any], dict[str, int]]:
    doc: dict[str, Any] = {}
    lines_map: dict[str, int] = {"cycle": 1}
    rows = text.split("\n")
    start = 0
    if rows and rows[0].strip() == "---":
        try:
            end = next(i for i in range(1, len(rows)) if rows[i].strip() == "---")
        except StopIteration:
            raise InputError("front matter starts with --- but never ends", path, 1) from None
        front = load_data("\n".join(rows[1:end]), path)
        if front is not None and not isinstance(front, dict):
            raise InputError("front matter should be YAML fields", path, 2)
        doc.update(front or {})
        start = end + 1
    objectives: list[dict[str, Any]] = []
    obj: dict[str, Any] | None = None
    kr: dict[str, Any] | None = None
    in_initiatives = False
    fence: str | None = None  # the ``` or ~~~ run that opened a code block
    in_comment = False
    for n in range(start, len(rows)):
        line, lineno = rows[n], n + 1
        stripped = line.strip()
        # Code blocks and HTML comments are not content: a heading inside one is no objective.
        if fence is not None:
            if stripped.startswith(fence) and not stripped.lstrip(fence[0]):
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        if m := _FENCE.match(line):
            fence = m.group(1)
            continue
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped[4:]
            continue
        if not stripped:
            continue
        if m := re.match(r"^#{1,3}\s+(.*)$", line):
            title = re.sub(r"^(objective|mål|objektiv)\s*\d*\s*[:.]\s*", "", m.group(1), flags=re.I)
            obj = {"title": title.strip(), "key_results": [], "initiatives": []}
            objectives.append(obj)
            lines_map[f"o{len(objectives) - 1}"] = lineno
            kr, in_initiatives = None, False
            continue
        if obj is None:
            if _BULLET.match(stripped) and not line[:1].isspace():
                raise InputError(
                    "a key result bullet before any objective heading; put `# Objective` above it",
                    path,
                    lineno,
                )
            if m := _FIELD.match(stripped):
                key = m.group(1).strip().lower()
                if key == "strategy" or key == "strategi":
                    doc["strategy"] = m.group(2).strip()
            continue
        if _INITIATIVES.match(stripped):
            in_initiatives, kr = True, None
            continue
        sub = _SUB.match(line)
        key = sub.group(1).lower() if sub else ""
        key = _KR_ALIASES.get(key, key)
        if sub and kr is not None and key in KR_DETAIL_FIELDS:
            value = sub.group(2)
            kr[key] = (
                [s.strip() for s in value.split(",") if s.strip()]
                if key == "kpis"
                else _scalar(value, key, path, lineno)
            )
            continue
        if m := _BULLET.match(stripped):
            if line[:1].isspace():
                continue  # nested bullets that are not KR fields: notes, ignored
            if in_initiatives:
                obj["initiatives"].append(m.group(1).strip())
            else:
                kr = {"text": m.group(1).strip()}
                obj["key_results"].append(kr)
                lines_map[f"o{len(objectives) - 1}.k{len(obj['key_results']) - 1}"] = lineno
            continue
        if (m := _FIELD.match(stripped)) and m.group(1).strip().lower() in _OBJ_FIELDS:
            obj[_OBJ_FIELDS[m.group(1).strip().lower()]] = m.group(2).strip()
            continue
        if kr is None and not in_initiatives:
            obj["description"] = ((obj.get("description") or "") + " " + stripped).strip()
    for o in objectives:
        if not o["initiatives"]:
            del o["initiatives"]
    doc["objectives"] = objectives
    return doc, lines_map


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return str(v)


def dump_markdown(doc: dict[str, Any]) -> str:
    front = {k: v for k, v in doc.items() if k not in ("objectives",) and v not in (None, [], "")}
    out: list[str] = []
    if front:
        out += ["---", dump_yaml(front).rstrip("\n"), "---", ""]
    for obj in doc.get("objectives", []):
        out.append(f"# {obj['title']}")
        for key, label in (
            ("id", "Id"),
            ("owner", "Owner"),
            ("why_now", "Why now"),
            ("kind", "Kind"),
            ("parent", "Parent"),
            ("description", "Description"),
        ):
            if obj.get(key):
                out.append(f"{label}: {obj[key]}")
        out.append("")
        for kr in obj.get("key_results", []):
            out.append(f"- {kr['text']}")
            for key in KR_DETAIL_FIELDS:
                v = kr.get(key)
                if v not in (None, [], "") and not (key == "weight" and v == 1.0):
                    out.append(f"  - {key}: {_fmt(v)}")
        if obj.get("initiatives"):
            out += ["", "Initiatives:"]
            out += [f"- {i['title'] if isinstance(i, dict) else i}" for i in obj["initiatives"]]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"

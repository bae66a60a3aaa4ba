"""CSV for spreadsheet users: one row per key result (objective columns repeat)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from coach.errors import InputError
from coach.files.gate import check_number_literal, clip
from coach.models import KR_DETAIL_FIELDS

OBJECTIVE_COLUMNS = ["objective_id", "objective", "objective_owner"]
KR_COLUMNS = ["kr_id", "key_result", *(f for f in KR_DETAIL_FIELDS if f != "id")]
COLUMNS = ["cycle", *OBJECTIVE_COLUMNS, *KR_COLUMNS]
_NUMERIC = {"baseline", "target", "weight", "current", "confidence"}
_RENAME = {"kr_id": "id", "key_result": "text"}
# Swedish headers a person might type are accepted too.
_ALIASES = {
    "mål": "objective",
    "nyckelresultat": "key_result",
    "ägare": "owner",
    "kr": "key_result",
}


def _number(v: str, path: str, line: int, col: str) -> float:
    check_number_literal(v, path, line)
    try:
        return float(v.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise InputError(f"column {col!r} should be a number, got {clip(v)}", path, line) from None


def parse_csv(text: str, path: str) -> tuple[dict[str, Any], dict[str, int]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        return _rows(reader, path)
    except csv.Error as e:  # e.g. a field over csv.field_size_limit() (128 KB)
        # line_num counts the lines of the records read whole: the bad one starts after them
        raise InputError(f"invalid CSV: {e}", path, reader.line_num + 1) from None


def _rows(reader: csv.DictReader[str], path: str) -> tuple[dict[str, Any], dict[str, int]]:
    if not reader.fieldnames:
        raise InputError("the CSV file is empty (no header row)", path, 1)
    headers = {h: _ALIASES.get(h.strip().lower(), h.strip().lower()) for h in reader.fieldnames}
    if "objective" not in headers.values():
        raise InputError(
            "the CSV needs an 'objective' column (and usually 'key_result'); "
            f"found {clip(', '.join(reader.fieldnames))}",
            path,
            1,
        )
    doc: dict[str, Any] = {}
    objectives: list[dict[str, Any]] = []
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    lines_map: dict[str, int] = {"cycle": 1}
    for row in reader:
        line = reader.line_num
        r = {headers[k]: unguard_cell((v or "").strip()) for k, v in row.items() if k is not None}
        if not any(r.values()):
            continue
        if r.get("cycle"):
            doc.setdefault("cycle", r["cycle"])
        title = r.get("objective", "")
        if not title:
            raise InputError("row has a key result but no objective", path, line)
        key = (r.get("objective_id", ""), title)
        obj = by_key.get(key)
        if obj is None:
            obj = {"title": title, "key_results": []}
            if r.get("objective_id"):
                obj["id"] = r["objective_id"]
            if r.get("objective_owner"):
                obj["owner"] = r["objective_owner"]
            by_key[key] = obj
            objectives.append(obj)
            lines_map[f"o{len(objectives) - 1}"] = line
        if not r.get("key_result"):
            continue
        kr: dict[str, Any] = {}
        for col in KR_COLUMNS:
            v = r.get(col, "")
            if not v:
                continue
            if col in _NUMERIC:
                kr[col] = _number(v, path, line, col)
            elif col == "kpis":
                kr[col] = [s.strip() for s in v.replace(";", ",").split(",") if s.strip()]
            else:
                kr[_RENAME.get(col, col)] = v
        obj["key_results"].append(kr)
        lines_map[f"o{len(objectives) - 1}.k{len(obj['key_results']) - 1}"] = line
    doc["objectives"] = objectives
    return doc, lines_map


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…),
# =cmd|…): OWASP's advice is a leading single quote, which shows the text as typed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def guard_cell(text: str) -> str:
    """``text`` made inert for a spreadsheet; a plain number such as -5 stays a number."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unguard_cell(text: str) -> str:
    """The inverse of :func:`guard_cell`, so our own export reads back as the original text.
    (A cell typed as ``'=x`` by hand loses its quote too: the quote is the spreadsheet's
    own "this is text" mark, not part of the text.)"""
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, list):
        return guard_cell(";".join(str(x) for x in v))
    return guard_cell(str(v))


def dump_csv(doc: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for obj in doc.get("objectives", []):
        base = [doc.get("cycle"), obj.get("id"), obj["title"], obj.get("owner")]
        krs = obj.get("key_results") or [None]
        for kr in krs:
            if kr is None:
                w.writerow([_cell(v) for v in base] + [""] * len(KR_COLUMNS))
                continue
            vals = [kr.get(_RENAME.get(c, c)) for c in KR_COLUMNS]
            w.writerow([_cell(v) for v in base + vals])
    return buf.getvalue()

"""Read and write OKR files in every supported format (YAML canonical; JSON, Markdown, CSV).

``read_okr_file(path)`` -> :class:`LoadedFile` (cycle + line numbers + suppressions);
``write_okr_file(path, cycle)`` writes atomically in the format the extension names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coach.errors import InputError, StaleFileError
from coach.files.atomic import atomic_write_text
from coach.files.decode import read_text
from coach.files.gate import read_input_bytes, read_stdin_bytes
from coach.files.loaded import LoadedFile, digest, parse_suppressions
from coach.files.migrate import migrate
from coach.files.validation import human_errors
from coach.models import Cycle

FORMATS = ("yaml", "json", "md", "csv")
_COMMENT = re.compile(r"(^|\s)#", re.M)
_EXT = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
}

__all__ = [
    "FORMATS",
    "LoadedFile",
    "cycle_to_doc",
    "dumps",
    "format_for",
    "read_okr_file",
    "read_okr_text",
    "write_okr_file",
]


def format_for(path: str | Path, explicit: str | None = None) -> str:
    if explicit:
        fmt = {"yml": "yaml", "markdown": "md"}.get(explicit, explicit)
        if fmt not in FORMATS:
            raise InputError(f"unknown format {explicit!r}; use one of {', '.join(FORMATS)}")
        return fmt
    fmt = _EXT.get(Path(str(path)).suffix.lower())
    if fmt is None:
        raise InputError(
            "cannot tell the format from the file name; use .yaml, .json, .md or .csv "
            "(or --input-format)",
            str(path),
        )
    return fmt


def sniff_format(text: str) -> str:
    """Guess the format of stdin: JSON object, Markdown heading, CSV header, else YAML."""
    head = text.lstrip()
    if head.startswith("{"):
        return "json"
    lines = head.split("\n")
    if lines[0].strip() == "---":  # YAML front matter, then Markdown headings?
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            body = [ln for ln in lines[end + 1 :] if ln.strip()]
            if body and body[0].startswith("#"):
                return "md"
    first = lines[0]
    if first.startswith("# ") or first.startswith("## "):
        # A YAML file may open with a comment; its top-level keys give it away.
        yaml_keys = re.compile(r"^(objectives|schema_version|cycle|status)\s*:")
        return "yaml" if any(yaml_keys.match(ln) for ln in lines) else "md"
    low = first.lower()
    has_sep = "," in first or ";" in first or "\t" in first
    if ("objective" in low or "mål" in low) and has_sep and ":" not in first:
        return "csv"
    return "yaml"


def _parse(text: str, fmt: str, name: str) -> tuple[Any, dict[str, int], Any]:
    """Return (plain document, lines map, locator for validation errors)."""
    if fmt == "yaml":
        from coach.files.yaml_io import collect_lines, line_of, load_yaml, to_plain

        root = load_yaml(text, name)
        doc = to_plain(root, name) if root is not None else None
        return doc, collect_lines(root), (lambda loc: line_of(root, loc))
    if fmt == "json":
        from coach.files.json_io import load_json

        return load_json(text, name), {}, None
    if fmt == "md":
        from coach.files.markdown_io import parse_markdown

        doc, lines = parse_markdown(text, name)
        return doc, lines, _locator(lines)
    from coach.files.csv_io import parse_csv

    doc, lines = parse_csv(text, name)
    return doc, lines, _locator(lines)


def _locator(lines: dict[str, int]) -> Any:
    """Line of a validation error in Markdown/CSV: its KR's bullet or row, else its objective's."""

    def locate(loc: tuple[Any, ...]) -> int | None:
        if len(loc) < 2 or loc[0] != "objectives" or not isinstance(loc[1], int):
            return None
        if len(loc) >= 4 and loc[2] == "key_results" and isinstance(loc[3], int):
            line = lines.get(f"o{loc[1]}.k{loc[3]}")
            if line:
                return line
        return lines.get(f"o{loc[1]}")

    return locate


def read_okr_text(text: str, fmt: str, name: str = "<stdin>", sha: str | None = None) -> LoadedFile:
    doc, lines, locate = _parse(text, fmt, name)
    if doc is None:
        raise InputError("the file is empty; it needs at least `objectives:`", name, 1)
    if not isinstance(doc, dict):
        raise InputError(
            "the top level should be a mapping with `objectives:` (see `okr-coach schema`)",
            name,
            1,
        )
    doc, notes = migrate(doc, name)
    try:
        cycle = Cycle.model_validate(doc)
    except ValidationError as e:
        raise human_errors(e, name, locate) from None
    return LoadedFile(
        path=name,
        format=fmt,
        cycle=cycle,
        lines=lines,
        suppressions=parse_suppressions(text) if fmt in ("yaml", "md") else {},
        notes=notes,
        sha256=sha,
    )


def read_okr_file(path: str | Path, input_format: str | None = None) -> LoadedFile:
    """Read an OKR file (``-`` = stdin). Raises InputError naming the file and line."""
    name = str(path)
    if name == "-":
        data = read_stdin_bytes()
        text = read_text("<stdin>", data)
        fmt = format_for(name, input_format) if input_format else sniff_format(text)
        return read_okr_text(text, fmt, "<stdin>", digest(data))
    fmt = format_for(name, input_format)
    data = read_input_bytes(name)
    return read_okr_text(read_text(name, data), fmt, name, digest(data))


def cycle_to_doc(cycle: Cycle) -> dict[str, Any]:
    """The cycle as plain JSON-able data without empty fields, in the schema's key order."""
    doc = _prune(cycle.model_dump(mode="json", exclude={"objectives"}))
    doc["objectives"] = [_obj_doc(o) for o in cycle.objectives]
    return _whole_numbers(doc)


def _whole_numbers(node: Any) -> Any:
    """34.0 -> 34, so files show numbers the way people write them."""
    if isinstance(node, dict):
        return {k: _whole_numbers(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_whole_numbers(v) for v in node]
    if isinstance(node, float) and node.is_integer() and abs(node) < 1e15:
        return int(node)
    return node


def _prune(d: dict[str, Any]) -> dict[str, Any]:
    """Drop empty fields, also inside list items (a check-in without blockers has none)."""
    return {
        k: [_prune(x) if isinstance(x, dict) else x for x in v] if isinstance(v, list) else v
        for k, v in d.items()
        if v is not None and v != [] and v != ""
    }


def _obj_doc(obj: Any) -> dict[str, Any]:
    o = _prune(obj.model_dump(mode="json", exclude={"key_results", "initiatives"}))
    o["key_results"] = [
        {
            k: v
            for k, v in _prune(kr.model_dump(mode="json")).items()
            if not (k == "weight" and v == 1.0)
        }
        for kr in obj.key_results
    ]
    if obj.initiatives:
        o["initiatives"] = [_prune(i.model_dump(mode="json")) for i in obj.initiatives]
    return o


def dumps(cycle: Cycle, fmt: str) -> str:
    doc = cycle_to_doc(cycle)
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    if fmt == "yaml":
        from coach.files.yaml_io import dump_yaml

        return dump_yaml(doc)
    if fmt == "md":
        from coach.files.markdown_io import dump_markdown

        return dump_markdown(doc)
    if fmt == "csv":
        from coach.files.csv_io import dump_csv

        return dump_csv(doc)
    raise InputError(f"unknown format {fmt!r}")


def write_okr_file(
    path: str | Path,
    cycle: Cycle,
    fmt: str | None = None,
    expected_sha256: str | None = None,
) -> str:
    """Write atomically. With ``expected_sha256``, refuse if the file changed since it was read.

    Returns the sha256 of what was written, to pass as ``expected_sha256`` next time.
    """
    p = Path(path)
    fmt = format_for(p, fmt)
    if expected_sha256 is not None and p.exists() and digest(p.read_bytes()) != expected_sha256:
        raise StaleFileError(
            f"{p} changed on disk since it was opened; reload it (your changes are kept in "
            "memory) or save under another name"
        )
    text = None
    if fmt == "yaml" and p.is_file():
        # Keep the user's comments (and `# okr-coach: ignore` lines) and layout.
        from coach.files.yaml_io import yaml_ready
        from coach.files.yaml_merge import merge_into_yaml

        old = p.read_text(encoding="utf-8-sig", errors="replace")
        # The round-trip merge is slow (~10 ms per KB); only pay for it when there are
        # comments to keep. Files without comments get the same layout from a fresh dump.
        if _COMMENT.search(old):
            text = merge_into_yaml(old, yaml_ready(cycle_to_doc(cycle)))
    if text is None:
        text = dumps(cycle, fmt)
    atomic_write_text(p, text)
    return digest(text.encode("utf-8"))

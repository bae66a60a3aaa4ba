"""Markdown and plain text: headings, paragraphs, list items and tables with line spans."""

from __future__ import annotations

import re

from coach.ingest.document import Block

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_FRONT_KEY = re.compile(r"^([A-Za-zåäöÅÄÖ_]+)\s*:\s*(.+?)\s*$")

# Front matter keys we understand, in English and Swedish.
FRONT_MATTER_KEYS = {
    "cycle": "cycle",
    "cykel": "cycle",
    "period": "cycle",
    "team": "team",
    "kind": "kind",
    "typ": "kind",
    "date": "date",
    "datum": "date",
    "language": "language",
    "språk": "language",
}


def split_front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """``---`` delimited ``key: value`` lines at the top; returns (meta, first body index)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for i in range(1, min(len(lines), 60)):
        if lines[i].strip() in ("---", "..."):
            return meta, i + 1
        m = _FRONT_KEY.match(lines[i])
        if m and m.group(1).lower() in FRONT_MATTER_KEYS:
            meta[FRONT_MATTER_KEYS[m.group(1).lower()]] = m.group(2).strip().strip("\"'")
    return {}, 0  # no closing line: it was a thematic break, not front matter


def _clean_inline(text: str) -> str:
    """Drop the markup a reader does not see: emphasis, inline code ticks, link targets."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    return text.strip()


def parse_markdown(text: str) -> tuple[list[Block], dict[str, str]]:
    lines = text.split("\n")
    meta, start = split_front_matter(lines)
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []  # (level, title)
    buf: list[str] = []
    buf_kind = "para"
    buf_start = 0

    def heading_path() -> tuple[str, ...]:
        return tuple(t for _, t in path)

    def flush(end: int) -> None:
        nonlocal buf
        body = " ".join(s.strip() for s in buf if s.strip())
        if body:
            kind = "item" if buf_kind == "item" else "para"
            blocks.append(Block(kind, _clean_inline(body), heading_path(), (buf_start, end)))
        buf = []

    def set_heading(level: int, title: str, lineno: int) -> None:
        while path and path[-1][0] >= level:
            path.pop()
        title = _clean_inline(title)
        path.append((level, title))
        blocks.append(Block("heading", title, heading_path(), (lineno, lineno), level=level))

    i = start
    in_fence = False
    while i < len(lines):
        line, lineno = lines[i], i + 1
        if _FENCE.match(line):
            if not in_fence:
                flush(lineno - 1)
                buf_kind, buf_start = "para", lineno + 1
            else:
                flush(lineno - 1)
            in_fence = not in_fence
            i += 1
            continue
        if in_fence:
            buf.append(line)
            i += 1
            continue
        m = _ATX.match(line)
        if m:
            flush(lineno - 1)
            set_heading(len(m.group(1)), m.group(2), lineno)
            i += 1
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and not buf and _SETEXT.match(nxt) and not _ITEM.match(line):
            flush(lineno - 1)
            set_heading(1 if nxt.strip().startswith("=") else 2, line, lineno)
            i += 2
            continue
        if not line.strip():
            flush(lineno - 1)
            i += 1
            continue
        if _TABLE_RULE.match(line):  # the |---|---| line under a table header carries nothing
            i += 1
            continue
        m = _ITEM.match(line)
        if m:
            flush(lineno - 1)
            buf_kind, buf_start = "item", lineno
            buf.append(m.group(1))
            i += 1
            continue
        if line.lstrip().startswith("|"):
            line = " ; ".join(c.strip() for c in line.strip().strip("|").split("|"))
        if not buf:
            buf_kind, buf_start = "para", lineno
        buf.append(line)
        i += 1
    flush(len(lines))
    return blocks, meta


def parse_plain_text(text: str) -> list[Block]:
    """Paragraphs separated by blank lines; a short line ending in ':' heads what follows."""
    blocks: list[Block] = []
    heading: tuple[str, ...] = ()
    buf: list[str] = []
    start = 0
    lines = text.split("\n")
    for n, line in enumerate([*lines, ""], start=1):
        if line.strip():
            if not buf:
                start = n
            buf.append(line.strip())
            continue
        if not buf:
            continue
        body = " ".join(buf)
        if len(buf) == 1 and body.endswith(":") and len(body) <= 60:
            heading = (body.rstrip(":").strip(),)
            blocks.append(Block("heading", heading[0], heading, (start, start), level=1))
        else:
            blocks.append(Block("para", body, heading, (start, n - 1)))
        buf = []
    return blocks

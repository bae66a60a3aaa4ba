"""What every reader produces: a document as a list of structural blocks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    """One structural unit of a document.

    ``kind``: ``heading`` (sets the heading path, never a chunk of its own), ``para``,
    ``item`` (list item), ``record`` (a CSV row or an OKR record: always a chunk of its own).
    ``lines`` is the 1-based inclusive line span in the source, when the format has lines.
    ``meta`` overrides document metadata for this block (an OKR check-in has its own date).
    """

    kind: str
    text: str
    heading_path: tuple[str, ...] = ()
    lines: tuple[int, int] | None = None
    level: int = 0
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Document:
    path: str
    format: str
    blocks: list[Block] = field(default_factory=list)
    # cycle, team, kind, date, language found in the file itself (front matter, OKR fields)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

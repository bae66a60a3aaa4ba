"""Structure-aware chunking: keep sections together, split long text with overlap.

Blocks under the same heading path are packed into one chunk up to ``target_chars``; a block
longer than ``max_chars`` is cut at sentence boundaries into windows that share one sentence
with their neighbour, so an answer straddling the cut is still found whole in one window.
Records (CSV rows, OKR items) are always chunks of their own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from coach.ingest.document import Block, Document

TARGET_CHARS = 700
MAX_CHARS = 1200
OVERLAP_SENTENCES = 1

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'(\[A-ZÅÄÖ0-9])")


@dataclass
class Chunk:
    id: str
    text: str
    position: int
    heading_path: tuple[str, ...] = ()
    lines: tuple[int, int] | None = None
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def indexed_text(self) -> str:
        """What the embedder and BM25 see: the headings give a short passage its context."""
        return " › ".join(self.heading_path) + "\n" + self.text if self.heading_path else self.text


def chunk_id(source: str, position: int, text: str) -> str:
    """Content hash of the source, the chunk's position in it and its text."""
    digest = hashlib.sha256(f"{source}\x1f{position}\x1f{text}".encode()).hexdigest()
    return digest[:32]


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _windows(text: str, max_chars: int, overlap: int) -> list[str]:
    sentences = split_sentences(text)
    # A sentence longer than the window is cut at spaces.
    pieces: list[str] = []
    for s in sentences:
        while len(s) > max_chars:
            cut = s.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            pieces.append(s[:cut].strip())
            s = s[cut:].strip()
        if s:
            pieces.append(s)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        j, size = i, 0
        while j < len(pieces) and (j == i or size + len(pieces[j]) + 1 <= max_chars):
            size += len(pieces[j]) + 1
            j += 1
        out.append(" ".join(pieces[i:j]))
        if j >= len(pieces):
            break
        i = max(j - overlap, i + 1)
    return out


def _merge_lines(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), max(a[1], b[1]))


def chunk_document(
    doc: Document,
    source: str,
    target_chars: int = TARGET_CHARS,
    max_chars: int = MAX_CHARS,
    overlap: int = OVERLAP_SENTENCES,
) -> list[Chunk]:
    pending: list[tuple[str, tuple[str, ...], tuple[int, int] | None, dict[str, str]]] = []
    group: list[Block] = []

    def flush_group() -> None:
        if not group:
            return
        text = "\n".join(b.text for b in group)
        lines = None
        for b in group:
            lines = _merge_lines(lines, b.lines)
        pending.append((text, group[0].heading_path, lines, {}))
        group.clear()

    for block in doc.blocks:
        if block.kind == "heading":
            flush_group()
            continue
        if block.kind == "record":
            flush_group()
            pending.append((block.text, block.heading_path, block.lines, dict(block.meta)))
            continue
        if len(block.text) > max_chars:
            flush_group()
            for piece in _windows(block.text, max_chars, overlap):
                pending.append((piece, block.heading_path, block.lines, dict(block.meta)))
            continue
        if group and (
            block.heading_path != group[0].heading_path
            or sum(len(b.text) + 1 for b in group) + len(block.text) > target_chars
        ):
            flush_group()
        group.append(block)
    flush_group()

    chunks: list[Chunk] = []
    for position, (text, heading, lines, meta) in enumerate(pending):
        chunks.append(Chunk(chunk_id(source, position, text), text, position, heading, lines, meta))
    return chunks

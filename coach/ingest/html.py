"""HTML with the standard library's parser: headings, paragraphs, list items, table rows."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from coach.ingest.document import Block

_BLOCK_TAGS = {"p", "li", "tr", "blockquote", "pre", "dd", "dt", "figcaption", "div", "section"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.path: list[tuple[int, str]] = []
        self.buf: list[str] = []
        self.kind = "para"
        self.start_line = 1
        self.skip_depth = 0
        self.heading_level = 0

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        self.buf = []
        if not text:
            return
        end = self.getpos()[0]
        if self.heading_level:
            while self.path and self.path[-1][0] >= self.heading_level:
                self.path.pop()
            self.path.append((self.heading_level, text))
            hp = tuple(t for _, t in self.path)
            self.blocks.append(
                Block("heading", text, hp, (self.start_line, end), level=self.heading_level)
            )
            return
        hp = tuple(t for _, t in self.path)
        self.blocks.append(Block(self.kind, text, hp, (self.start_line, end)))

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
            return
        if tag in _HEADINGS or tag in _BLOCK_TAGS:
            self._flush()
            self.heading_level = _HEADINGS.get(tag, 0)
            self.kind = "item" if tag == "li" else "para"
            self.start_line = self.getpos()[0]
        elif tag in ("td", "th") and self.buf:
            self.buf.append(" ; ")
        elif tag == "br":
            self.buf.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in _HEADINGS or tag in _BLOCK_TAGS:
            self._flush()
            self.heading_level = 0
            self.kind = "para"

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if not self.buf or not "".join(self.buf).strip():
            self.start_line = self.getpos()[0]
        self.buf.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def parse_html(text: str) -> list[Block]:
    collector = _Collector()
    collector.feed(text)
    collector.close()
    return collector.blocks

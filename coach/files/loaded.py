"""The result of reading an OKR file: the cycle plus what the rules need to point at lines."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from coach.models import Cycle

SUPPRESS_RE = re.compile(r"#\s*okr-coach:\s*ignore(?P<file>-file)?\b(?P<codes>[\sA-Z0-9,]*)")


def parse_suppressions(text: str) -> dict[int, set[str]]:
    """Map line number (1-based) -> rule codes ignored there; line 0 holds file-wide codes.

    ``# okr-coach: ignore OKR004`` on a line silences OKR004 for whatever starts on that line;
    ``# okr-coach: ignore`` alone silences every rule there; ``ignore-file`` applies everywhere.
    """
    out: dict[int, set[str]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        m = SUPPRESS_RE.search(line)
        if not m:
            continue
        codes = set(re.findall(r"OKR\d{3}", m.group("codes") or "")) or {"*"}
        out.setdefault(0 if m.group("file") else n, set()).update(codes)
    return out


@dataclass
class LoadedFile:
    path: str
    format: str
    cycle: Cycle
    # "o0" -> line of objective 0; "o0.k1" -> line of its KR 1 (indices, 0-based; lines 1-based)
    lines: dict[str, int] = field(default_factory=dict)
    suppressions: dict[int, set[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. schema migration notes
    sha256: str | None = None  # of the bytes read, to detect changes on disk before writing

    def line_of(
        self, objective_index: int | None = None, kr_index: int | None = None
    ) -> int | None:
        if objective_index is None:
            return self.lines.get("cycle")
        if kr_index is None:
            return self.lines.get(f"o{objective_index}")
        return self.lines.get(f"o{objective_index}.k{kr_index}")

    def is_suppressed(self, code: str, line: int | None) -> bool:
        for key in (0, line):
            codes = self.suppressions.get(key) if key is not None else None
            if codes and (code in codes or "*" in codes):
                return True
        return False


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

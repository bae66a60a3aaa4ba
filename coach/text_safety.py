"""Make untrusted text (model answers, file contents, file names) safe to show in a terminal.

A model or a shared file can carry escape sequences that clear the screen, set the window
title, plant a hidden OSC-8 link or rewrite what is already shown, and Unicode format
characters that hide or reorder text (bidi overrides, zero-width and tag characters). Text
shown to a person goes through :func:`terminal_safe`; JSON output keeps the exact text.
"""

from __future__ import annotations

import re
import unicodedata

# Whole escape sequences first, so their parameters do not survive as visible junk:
# CSI (ESC [ or C1 0x9b), OSC/DCS/SOS/PM/APC strings (ended by BEL or ST, or by the end of
# the text), then any other two-character escape.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -/]*[0-~]?",
    re.DOTALL,
)
# Controls other than \n and \t: C0 (with CR, which can overwrite a line), DEL and C1.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Zero-width joiners stay: emoji and some scripts need them, and they hide nothing.
_KEEP_FORMAT = {"\u200c", "\u200d"}


def _visible_format(c: str) -> str:
    if c in "\u2028\u2029":  # line and paragraph separators: an honest line break
        return "\n"
    if c in _KEEP_FORMAT or unicodedata.category(c) != "Cf":
        return c
    return ""  # bidi overrides and isolates, zero-width space, BOM, tag characters, …


def terminal_safe(text: str) -> str:
    """``text`` without escape sequences, control characters (except newline and tab) or
    invisible format characters (bidi overrides U+202A–202E and U+2066–2069, zero-width
    spaces, Unicode tag characters)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, kept cheap
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text.replace("\r\n", "\n"))
    if text.isascii():
        return text
    return "".join(_visible_format(c) if not c.isprintable() else c for c in text)

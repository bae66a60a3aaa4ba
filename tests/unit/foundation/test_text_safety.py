"""terminal_safe: what a terminal would act on is removed, the readable text stays."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from coach.text_safety import terminal_safe


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, åäö and emoji 👩‍💻", "plain text, åäö and emoji 👩‍💻"),
        ("line one\n\tindented", "line one\n\tindented"),
        ("\x1b[2J\x1b[Hcleared", "cleared"),  # CSI: clear screen, cursor home
        ("\x1b]0;new title\x07after", "after"),  # OSC window title, BEL-terminated
        ("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC-8 link
        ("\x1b[8mhidden\x1b[0m shown", "hidden shown"),  # conceal: the text becomes visible
        ("\x9b31mred\x9d2;t\x9c", "red"),  # 8-bit C1 CSI and OSC
        ("\x1bPdevice control\x1b\\x", "x"),  # DCS string
        ("over\rwrite", "overwrite"),  # a bare CR could overwrite what was shown
        ("a\r\nb", "a\nb"),
        ("bell\x07 back\x08space\x00nul\x7fdel", "bell backspacenuldel"),
        ("\u202eevil\u202c and \u2066isolate\u2069", "evil and isolate"),  # bidi controls
        ("zero\u200bwidth\ufeff bom\u00ad", "zerowidth bom"),
        ("tags: \U000e0049\U000e0047\U000e004eok", "tags: ok"),  # ASCII smuggling in tags
        ("para\u2028sep", "para\nsep"),
        ("unterminated \x1b]0;title", "unterminated "),
        ("[link=https://evil.example]x[/link] [/]", "[link=https://evil.example]x[/link] [/]"),
    ],
)
def test_terminal_safe(raw: str, shown: str) -> None:
    assert terminal_safe(raw) == shown


def test_rich_alone_would_pass_escape_sequences_through() -> None:
    """Why the TUI sanitises: a Rich Text keeps ESC and bidi overrides (it drops only a few
    C0 controls such as BEL), so they would reach the terminal's screen buffer."""
    raw = "a\x1b]0;title\x07b\x1b[2Jc\u202ed"
    assert "\x1b" in Text(raw).plain and "\u202e" in Text(raw).plain
    console = Console(file=io.StringIO(), force_terminal=True, width=80)
    console.print(Text(terminal_safe(raw)))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "title" not in out and "\u202e" not in out and "2J" not in out

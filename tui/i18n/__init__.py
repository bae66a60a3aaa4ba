"""UI message catalogs (``en.toml``, ``sv.toml``): every string the TUI shows comes from here.

Keys are dotted (``kr.owner``); values may use ``{name}`` placeholders. A key missing in one
language falls back to English, then to the key itself, so a gap is visible but never a crash.
A count of one reads ``<key>_one`` when the catalog has it ("1 error", not "1 errors").
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "sv")
_DIR = Path(__file__).parent


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """The flattened catalog of one language."""
    with (_DIR / f"{lang}.toml").open("rb") as fh:
        return _flatten(tomllib.load(fh))


class Translator:
    """``t("kr.objective", n=1, total=3)`` in the current language; switch with ``translator.lang = "sv"``."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang if lang in LANGUAGES else "en"

    def __call__(self, key: str, **values: Any) -> str:
        if values.get("n") == 1:
            key = key + "_one" if (key + "_one") in catalog("en") else key
        text = catalog(self.lang).get(key) or catalog("en").get(key) or key
        if values:
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def other(self) -> str:
        return "sv" if self.lang == "en" else "en"

"""Which language the user reads: --lang > OKR_COACH_LANG/toml > the OKR file's > the locale."""

from __future__ import annotations

import locale
import os

SUPPORTED = ("en", "sv")


def locale_language() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "sv" if value.lower().startswith("sv") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "sv" if loc.lower().startswith("sv") else "en"


def ui_language(setting: str | None, file_language: str | None = None) -> str:
    """Resolve ``auto``: the file's language when it names one, else the locale."""
    if setting in SUPPORTED:
        return setting
    if file_language in SUPPORTED:
        return file_language
    return locale_language()

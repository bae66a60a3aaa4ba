"""What every command handler receives: parsed settings (lazily), output helpers, language."""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # imported lazily: building settings models costs ~0.2 s, --help needs none
    from coach.config import Settings
    from coach.workspace import Workspace


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def sanitize(text: str) -> str:
    """Text from files and users is data: control characters (escape sequences) never reach
    the terminal."""
    return _CONTROL.sub(" ", text)


@dataclass
class CliContext:
    args: argparse.Namespace
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)

    @cached_property
    def settings(self) -> Settings:
        from coach.config import load_settings

        flags: dict[str, Any] = {}
        if getattr(self.args, "lang", None):
            flags["language"] = self.args.lang
        if getattr(self.args, "model", None):
            flags["llm.model"] = self.args.model
        return load_settings(getattr(self.args, "workspace", None), flags)

    @property
    def workspace(self) -> Workspace:
        from coach.workspace import Workspace

        return Workspace(self.settings.workspace)

    def lang(self, file_language: str | None = None) -> str:
        from coach.i18n import ui_language

        return ui_language(self.settings.language, file_language)

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def err(self, text: str) -> None:
        print(text, file=self.stderr)

    def out_json(self, data: Any) -> None:
        # allow_nan=False: NaN/Infinity are not JSON; models refuse them, so this never fires
        # on valid input, and a bug shows as an error rather than as output others cannot parse.
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str, allow_nan=False)
        self.stdout.write(text + "\n")

"""What every command handler receives: parsed settings (lazily), output helpers, language."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TextIO

from coach.text_safety import terminal_safe

if TYPE_CHECKING:  # imported lazily: building settings models costs ~0.2 s, --help needs none
    from coach.config import Settings
    from coach.workspace import Workspace


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

    # Text lines carry model answers, file contents and file names: never let them drive the
    # terminal (escape sequences, bidi overrides). JSON output keeps the exact text.
    def out(self, text: str = "") -> None:
        print(terminal_safe(text), file=self.stdout)

    def err(self, text: str) -> None:
        print(terminal_safe(text), file=self.stderr)

    def out_styled(self, text: str) -> None:
        """A line with our own colour codes; every untrusted part is already terminal_safe."""
        print(text, file=self.stdout)

    def write_document(self, text: str) -> None:
        """A whole document (report, retro) on stdout, made safe like any other text."""
        self.stdout.write(terminal_safe(text))

    def out_json(self, data: Any) -> None:
        # allow_nan=False: NaN/Infinity are not JSON; models refuse them, so this never fires
        # on valid input, and a bug shows as an error rather than as output others cannot parse.
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str, allow_nan=False)
        self.stdout.write(text + "\n")

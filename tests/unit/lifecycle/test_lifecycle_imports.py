"""Lifecycle modules stay light: no matplotlib, litellm, chromadb or textual at import."""

from __future__ import annotations

import json
import subprocess
import sys


def test_importing_lifecycle_modules_loads_no_heavy_packages() -> None:
    code = (
        "import sys, json; import coach.scoring, coach.lifecycle, coach.report, "
        "coach.cli.lifecycle_cmd; heavy = ['matplotlib', 'litellm', 'chromadb', 'textual', "
        "'tui']; print(json.dumps([m for m in heavy if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []

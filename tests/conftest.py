"""Test isolation: no network, nothing written outside temp dirs (HOME and caches redirected)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Set before anything imports litellm, chromadb, wordllama or onnxruntime.
_SANDBOX = Path(tempfile.mkdtemp(prefix="okr-coach-tests-"))
atexit.register(shutil.rmtree, _SANDBOX, ignore_errors=True)
for _var, _sub in {
    "HOME": "home",
    "XDG_CACHE_HOME": "cache",
    "XDG_DATA_HOME": "data",
    "XDG_CONFIG_HOME": "config",
    "HF_HOME": "hf",
    "OKR_COACH_HOME": "workspace",
}.items():
    os.environ[_var] = str(_SANDBOX / _sub)
    (_SANDBOX / _sub).mkdir(parents=True, exist_ok=True)
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
for _var in ("OKR_COACH_MODEL", "OKR_COACH_API_BASE", "OKR_COACH_LANG", "OPENAI_API_KEY"):
    os.environ.pop(_var, None)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty, initialised workspace in a temp dir."""
    from coach.workspace import init_workspace

    return init_workspace(tmp_path / "ws").root


@pytest.fixture
def demo_workspace(tmp_path: Path) -> Path:
    """A private copy of the bundled demo workspace."""
    from coach.workspace import copy_demo

    return copy_demo(tmp_path / "demo").root


@pytest.fixture
def run_cli(capsys):
    """Run the CLI in-process; returns (exit_code, stdout, stderr)."""
    from coach.cli import main

    def _run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as e:
            code = int(e.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return _run

"""A non-editable install carries prompts/, knowledge/ and the demo, and runs from anywhere.

Builds the wheel, installs it into a fresh venv (dependencies borrowed from the test venv via a
.pth file, so no download), then runs the installed console script outside the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA_DIRS = {
    "knowledge": ROOT / "knowledge",
    "prompts": ROOT / "prompts",
    "coach/demo": ROOT / "coach" / "demo",
}


def _run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp / "dist"),
            str(ROOT),
        ],
        cwd=tmp,
    )
    wheel = next((tmp / "dist").glob("okr_coach-*.whl"))
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    new_site = Path(
        subprocess.check_output(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            text=True,
        ).strip()
    )
    (new_site / "_deps_from_test_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        cwd=tmp,
    )
    return venv


def test_installed_package_runs_outside_the_source_tree(installed: Path, tmp_path: Path):
    env = {**os.environ, "OKR_COACH_HOME": str(tmp_path / "ws")}
    out = _run([str(installed / "bin" / "okr-coach"), "--version"], cwd=tmp_path, env=env).stdout
    assert out.startswith("okr-coach 0.")
    where = _run(
        [str(installed / "bin" / "python"), "-c", "import coach; print(coach.__file__)"],
        cwd=tmp_path,
        env=env,
    ).stdout
    assert str(installed) in where, f"coach was imported from the source tree: {where}"
    _run(
        [str(installed / "bin" / "okr-coach"), "demo-workspace", str(tmp_path / "demo")],
        cwd=tmp_path,
        env=env,
    )
    assert any((tmp_path / "demo" / "cycles").glob("*.yaml"))


def test_every_data_file_is_in_the_wheel(installed: Path, tmp_path: Path):
    site = Path(
        _run(
            [
                str(installed / "bin" / "python"),
                "-c",
                "import coach, pathlib; print(pathlib.Path(coach.__file__).parents[1])",
            ],
            cwd=tmp_path,
        ).stdout.strip()
    )
    missing = [
        str(p.relative_to(ROOT))
        for src in DATA_DIRS.values()
        for p in src.rglob("*")
        if p.is_file()
        and p.suffix in {".yaml", ".md", ".json", ".tcss", ".toml", ".csv", ".txt"}
        and "__pycache__" not in p.parts
        and not (site / p.relative_to(ROOT)).exists()
    ]
    assert not missing, f"not installed by the wheel: {missing}"

"""The lock is closed over the project's dependencies and the venv holds exactly the lock.

The install never resolves (``pip install --no-deps --require-hashes``), so a package missing
from the lock would only show up on a fresh machine; these tests catch it here.
"""

from __future__ import annotations

from pathlib import Path

from coach.lock_check import check_environment, lock_path, read_lock

LOCK = Path(__file__).resolve().parents[3] / "requirements.lock"


def test_lock_is_found_beside_the_source_tree():
    assert lock_path() == LOCK


def test_every_pin_has_hashes_and_litellm_is_pinned_to_the_vetted_release():
    pins = read_lock(LOCK)
    assert all(p.hashes > 0 for p in pins.values()), [p.name for p in pins.values() if not p.hashes]
    assert pins["litellm"].version == "1.106.2"
    # The extra that broke installs with pip 23.2.1: it must be locked, never resolved.
    assert "uvicorn" in pins and "httptools" in pins


def test_venv_matches_a_closed_lock():
    assert check_environment(LOCK) == []


def _without(name: str, tmp_path: Path) -> Path:
    """A copy of the real lock with one pin (and its hash lines) removed."""
    out, skipping = [], False
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace():
            skipping = line.lower().startswith(f"{name}==")
        if not skipping:
            out.append(line)
    path = tmp_path / "requirements.lock"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_a_lock_missing_a_transitive_dependency_is_reported(tmp_path):
    problems = check_environment(_without("idna", tmp_path))
    assert "idna" in " ".join(problems)
    assert any("installed but not in the lock" in p for p in problems)
    assert any("needs idna" in p and "does not contain" in p for p in problems)


def test_a_lock_at_another_version_is_reported(tmp_path):
    text = LOCK.read_text(encoding="utf-8")
    version = read_lock(LOCK)["pyyaml"].version
    path = tmp_path / "requirements.lock"
    path.write_text(text.replace(f"pyyaml=={version} ", "pyyaml==0.1 ", 1), encoding="utf-8")
    problems = check_environment(path)
    assert f"pyyaml {version} is installed, the lock says 0.1" in problems
    assert any("needs pyyaml" in p and "the lock has 0.1" in p for p in problems)


def test_a_pin_without_hashes_is_reported(tmp_path):
    path = tmp_path / "requirements.lock"
    path.write_text("six==1.17.0\n", encoding="utf-8")
    assert "six==1.17.0 (line 1) has no --hash" in check_environment(path)


def test_doctor_names_a_mismatch(run_cli, workspace, monkeypatch, tmp_path):
    from coach import lock_check

    monkeypatch.setattr(lock_check, "lock_path", lambda: _without("idna", tmp_path))
    code, out, _ = run_cli("--workspace", str(workspace), "doctor")
    assert code == 1
    line = next(x for x in out.splitlines() if " install " in x)
    assert line.startswith("FAIL") and "idna" in line and "make venv" in line

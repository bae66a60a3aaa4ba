"""Compare the installed packages with ``requirements.lock``.

The install never resolves (``pip install --no-deps --require-hashes``), so the lock must be
closed over everything the project needs. This module checks that, for the test suite and for
``okr-coach doctor``: every pin carries hashes, every applicable pin is installed at its version,
nothing unlocked is installed, and every requirement of the project and of each locked package
(with the extras asked for) is met by a pin.
"""

from __future__ import annotations

import importlib.metadata as md
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PROJECT = "okr-coach"
PROJECT_EXTRAS = frozenset({"dev"})
# Installed by `python -m venv` itself, never by the lock.
INSTALLER_TOOLS = frozenset({"pip"})

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?\s*$")


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: str | None
    hashes: int
    line: int

    def applies(self) -> bool:
        return self.marker is None or Marker(self.marker).evaluate()


def lock_path() -> Path | None:
    """The lock beside the source tree this package runs from (absent in a wheel install)."""
    path = Path(__file__).resolve().parent.parent / "requirements.lock"
    return path if path.is_file() else None


def read_lock(path: Path) -> dict[str, Pin]:
    """Pins by canonical name. A name pinned twice under different markers keeps the one that
    applies here."""
    pins: dict[str, Pin] = {}
    current: tuple[str, str, str | None, int] | None = None
    hashes = 0

    def flush() -> None:
        if current is None:
            return
        name, version, marker, line = current
        pin = Pin(name, version, marker, hashes, line)
        if name not in pins or (pin.applies() and not pins[name].applies()):
            pins[name] = pin

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _PIN.match(line)
        if m and not raw[0].isspace():
            flush()
            current = (canonicalize_name(m[1]), m[2], m[3], n)
            hashes = 0
        elif line.startswith("--hash="):
            hashes += 1
    flush()
    return pins


def _installed() -> dict[str, md.Distribution]:
    found: dict[str, md.Distribution] = {}
    for dist in md.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(canonicalize_name(name), dist)
    return found


def _applies(req: Requirement, extras: frozenset[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({"extra": e}) for e in (extras | {""}))


def check_environment(lock: Path) -> list[str]:
    """Problems, one readable line each; empty when the venv matches a closed lock."""
    pins = read_lock(lock)
    installed = _installed()
    problems: list[str] = []
    for pin in pins.values():
        if pin.hashes == 0:
            problems.append(f"{pin.name}=={pin.version} (line {pin.line}) has no --hash")
        if not pin.applies():
            continue
        dist = installed.get(pin.name)
        if dist is None:
            problems.append(f"{pin.name}=={pin.version} is locked but not installed")
        elif Version(dist.version) != Version(pin.version):
            problems.append(f"{pin.name} {dist.version} is installed, the lock says {pin.version}")
    for name, dist in sorted(installed.items()):
        if name not in pins and name != PROJECT and name not in INSTALLER_TOOLS:
            problems.append(f"{name} {dist.version} is installed but not in the lock")

    # Walk the requirement graph from the project (with its dev extra) through every locked
    # package, with the extras each is asked for: each requirement must be met by a pin.
    todo: list[tuple[str, frozenset[str]]] = [(PROJECT, PROJECT_EXTRAS)]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        dist = installed.get(name)
        if dist is None:
            continue  # reported above when it is locked
        for spec in dist.requires or []:
            try:
                req = Requirement(spec)
            except InvalidRequirement:
                problems.append(f"{name}: unreadable requirement {spec!r}")
                continue
            if not _applies(req, extras):
                continue
            dep = canonicalize_name(req.name)
            pin = pins.get(dep)
            if pin is None or not pin.applies():
                problems.append(f"{name} needs {req}, which the lock does not contain")
                continue
            if not req.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{name} needs {req}, the lock has {pin.version}")
            todo.append((dep, frozenset(req.extras)))
    return sorted(set(problems))

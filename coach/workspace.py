"""The workspace folder: cycles (one YAML file each), the vector store, caches and settings.

```
<workspace>/
  okr-coach.toml        settings (no secrets)
  cycles/2026-Q1.yaml   one file per cycle
  retros/2025-Q4.md     retrospectives (ingested into memory)
  docs/                 other notes you ingest
  store/                Chroma store (git-ignored)
  cache/                LLM answers, KPI vectors (git-ignored)
```
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from coach.errors import InputError, OkrCoachError
from coach.files import read_okr_file
from coach.files.atomic import atomic_write_text
from coach.models import CYCLE_ID_PATTERN, Cycle

GITIGNORE = """# okr-coach: keep cycle files in git, not the store or caches
store/
cache/
.okr-coach.lock
.okr-coach.lock.holder
*.tmp
"""

DEFAULT_TOML = """# okr-coach settings for this workspace (no secrets here: keys stay in the environment)
# language = "sv"            # UI language: sv | en | auto

[llm]
# model = "openai/gpt-4o-mini"          # unset = LLM features off
# api_base = "http://127.0.0.1:8080/v1" # any OpenAI-compatible server
# timeout = 60
# max_retries = 2

[embedding]
backend = "wordllama"

[rules]
# ignore = ["OKR009"]
# objectives_max = 5
"""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def cycles_dir(self) -> Path:
        return self.root / "cycles"

    @property
    def retros_dir(self) -> Path:
        return self.root / "retros"

    def memory_sources(self) -> list[Path]:
        """The folders `ingest` reads when given no path: cycles, retrospectives, notes."""
        return [d for d in (self.cycles_dir, self.retros_dir, self.root / "docs") if d.is_dir()]

    def cycle_path(self, cycle_id: str) -> Path:
        """The file of a cycle. The only place a cycle id becomes a path: it is checked here."""
        return self.cycles_dir / f"{check_cycle_id(cycle_id)}.yaml"

    def retro_path(self, cycle_id: str) -> Path:
        return self.retros_dir / f"{check_cycle_id(cycle_id)}.md"

    def cycle_ids(self) -> list[str]:
        """Ids of the cycle files; other YAML files in cycles/ are not cycles and are skipped."""
        if not self.cycles_dir.is_dir():
            return []
        return sorted(p.stem for p in self.cycles_dir.glob("*.yaml") if is_cycle_id(p.stem))

    def load_cycle(self, cycle_id: str) -> Cycle:
        path = self.cycle_path(cycle_id)
        if not path.exists():
            known = ", ".join(self.cycle_ids()) or "none yet"
            raise InputError(f"no cycle {cycle_id!r} in {self.root} (cycles: {known})")
        return read_okr_file(path).cycle

    def current_cycle_id(self) -> str | None:
        """The newest active cycle, else the newest draft, else the newest cycle.

        An active cycle wins over a newer draft: drafting next quarter must not make
        ``checkin`` write to (and activate) the draft while this quarter is running.
        """
        ids = self.cycle_ids()
        newest_draft = None
        for cid in reversed(ids):
            try:
                status = self.load_cycle(cid).status.value
            except OkrCoachError:
                continue
            if status == "active":
                return cid
            if status == "draft" and newest_draft is None:
                newest_draft = cid
        return newest_draft or (ids[-1] if ids else None)


def is_cycle_id(text: str) -> bool:
    return isinstance(text, str) and re.fullmatch(CYCLE_ID_PATTERN, text) is not None


def check_cycle_id(cycle_id: str) -> str:
    """``cycle_id`` if it is a cycle id (2026-Q1, 2026-H2, 2026), else a usage error.

    Cycle ids name files, so ``../x`` or ``/etc/passwd`` must never get this far.
    """
    if not is_cycle_id(cycle_id):
        shown = cycle_id[:80] if isinstance(cycle_id, str) else type(cycle_id).__name__
        raise InputError(f"cycle id {shown!r} should look like 2026-Q1, 2026-H2 or 2026")
    return cycle_id


def init_workspace(root: str | Path) -> Workspace:
    ws = Workspace(Path(root).expanduser())
    try:
        ws.root.mkdir(parents=True, exist_ok=True)
        ws.cycles_dir.mkdir(exist_ok=True)
        ws.retros_dir.mkdir(exist_ok=True)
        if not (ws.root / ".gitignore").exists():
            atomic_write_text(ws.root / ".gitignore", GITIGNORE)
        if not (ws.root / "okr-coach.toml").exists():
            atomic_write_text(ws.root / "okr-coach.toml", DEFAULT_TOML)
    except OSError as e:
        raise OkrCoachError(
            f"cannot create the workspace at {ws.root} ({e.strerror or e}); "
            "pick a folder you can write to"
        ) from None
    return ws


def quarter_of(d: date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def cycle_bounds(cycle_id: str) -> tuple[date | None, date | None]:
    """Start and end dates of a cycle id such as 2026-Q1, 2026-H2 or 2026."""
    m = re.fullmatch(r"(\d{4})(?:-(Q|H)(\d))?", cycle_id)
    if not m:
        return None, None
    year = int(m.group(1))
    if m.group(2) is None:
        return date(year, 1, 1), date(year, 12, 31)
    n = int(m.group(3))
    months = 3 if m.group(2) == "Q" else 6
    start_month = (n - 1) * months + 1
    end_month = start_month + months - 1
    end_day = 31 if end_month in (3, 12) else 30
    return date(year, start_month, 1), date(year, end_month, end_day)


def next_cycle_id(cycle_id: str) -> str:
    m = re.fullmatch(r"(\d{4})-Q([1-4])", cycle_id)
    if not m:
        raise InputError(f"cannot tell which cycle follows {cycle_id!r}; name it with --cycle")
    y, q = int(m.group(1)), int(m.group(2))
    return f"{y + 1}-Q1" if q == 4 else f"{y}-Q{q + 1}"


def demo_source() -> Path:
    """The bundled demo workspace inside the installed package."""
    return Path(str(resources.files("coach") / "demo"))


def copy_demo(target: str | Path) -> Workspace:
    """Copy the bundled demo into ``target`` so the bundled files never change."""
    dest = Path(target)
    if dest.exists() and not dest.is_dir():
        raise OkrCoachError(f"{dest} is a file, not a folder; pick another folder")
    if dest.exists() and any(dest.iterdir()):
        raise OkrCoachError(f"{dest} already exists and is not empty; pick another folder")
    try:
        shutil.copytree(demo_source(), dest, dirs_exist_ok=True)
    except OSError as e:
        raise OkrCoachError(f"cannot copy the demo to {dest} ({e.strerror or e})") from None
    return init_workspace(dest)

"""The coaching session's state (no Textual here): the cycle being edited, where the user is,
and the draft file that autosave writes so that a crash or kill loses nothing.

Drafts live in ``<workspace>/cache/drafts/`` (git-ignored, never the user's cycle file): one
JSON file per cycle or opened file, written atomically, so a kill mid-write leaves either the
previous draft or the new one. Explicit save writes the cycle file under the workspace lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coach.errors import InputError
from coach.files import cycle_to_doc, read_okr_file, write_okr_file
from coach.files.atomic import atomic_write_text
from coach.locking import workspace_lock
from coach.models import Cycle, Initiative, KeyResult, Objective, assign_ids
from coach.workspace import cycle_bounds, init_workspace
from tui.drafts import (  # noqa: F401  (re-exported: the session's draft helpers)
    DRAFT_VERSION,
    draft_cycle_ids,
    draft_path_for,
    has_unsaved_draft,
    read_draft,
)
from tui.steps import STEPS


@dataclass
class Position:
    """Where the user was: the step and the objective/KR in focus."""

    step: str = "strategy"
    objective: int = 0
    kr: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "objective": self.objective, "kr": self.kr}

    @classmethod
    def from_json(cls, data: Any) -> Position:
        if not isinstance(data, dict):
            return cls()
        step = data.get("step") if data.get("step") in STEPS else "strategy"
        return cls(step=step, objective=int(data.get("objective", 0)), kr=int(data.get("kr", 0)))


@dataclass
class Session:
    """One cycle (or OKR file) open in the TUI."""

    workspace: Path
    target: Path
    cycle: Cycle
    sha256: str | None = None
    position: Position = field(default_factory=Position)
    dirty: bool = False
    restored_from_draft: str | None = None  # timestamp of the draft we resumed, if any
    notes: list[str] = field(default_factory=list)

    # ---------------------------------------------------------------- opening

    @classmethod
    def open_cycle(cls, workspace: Path, cycle_id: str) -> Session:
        """Open a workspace cycle, creating it in memory when new; resume its draft if any."""
        ws = init_workspace(workspace)
        path = ws.cycle_path(cycle_id)
        if path.exists():
            return cls.open_file(ws.root, path)
        start, end = cycle_bounds(cycle_id)
        try:
            cycle = Cycle(cycle=cycle_id, start=start, end=end)
        except ValidationError as e:
            msg = e.errors()[0]["msg"].removeprefix("Value error, ")
            raise InputError(msg) from None
        session = cls(workspace=ws.root, target=path, cycle=cycle, dirty=True)
        session._resume_draft()
        return session

    @classmethod
    def open_file(cls, workspace: Path, path: Path) -> Session:
        loaded = read_okr_file(path)
        session = cls(
            workspace=Path(workspace),
            target=Path(path),
            cycle=loaded.cycle,
            sha256=loaded.sha256,
            notes=list(loaded.notes),
        )
        session._resume_draft()
        return session

    # ---------------------------------------------------------------- drafts

    @property
    def draft_path(self) -> Path:
        return draft_path_for(self.workspace, self.target)

    def draft_doc(self) -> dict[str, Any]:
        return {
            "draft_version": DRAFT_VERSION,
            "target": str(self.target),
            "sha256": self.sha256,
            "dirty": self.dirty,
            "saved_at": datetime.now().isoformat(timespec="seconds"),
            "position": self.position.to_json(),
            "cycle": cycle_to_doc(self.cycle),
        }

    def autosave(self) -> Path:
        """Write the draft atomically (the cycle file itself is only written by save())."""
        text = json.dumps(self.draft_doc(), ensure_ascii=False, indent=1)
        atomic_write_text(self.draft_path, text + "\n")
        return self.draft_path

    def _resume_draft(self) -> None:
        draft = read_draft(self.draft_path)
        if draft is None:
            return
        self.position = Position.from_json(draft.get("position"))
        if draft.get("dirty"):
            try:
                self.cycle = Cycle.model_validate(draft["cycle"])
            except (ValidationError, KeyError):
                self.notes.append(f"the draft {self.draft_path} could not be read; it was ignored")
                return
            self.dirty = True
            self.restored_from_draft = str(draft.get("saved_at") or "")

    # ---------------------------------------------------------------- saving

    def save(self) -> Path:
        """Write the cycle file atomically under the workspace lock; refuse if it changed on disk."""
        assign_ids(self.cycle)
        with workspace_lock(self.workspace):
            self.sha256 = write_okr_file(self.target, self.cycle, expected_sha256=self.sha256)
        self.dirty = False
        self.autosave()
        return self.target

    def export(self, path: Path) -> Path:
        """Write a copy in the format the extension names (yaml, json, md, csv)."""
        cycle = assign_ids(self.cycle.model_copy(deep=True))
        write_okr_file(path, cycle)
        return path

    # ---------------------------------------------------------------- editing

    def touch(self) -> None:
        self.dirty = True

    def set_strategy(self, text: str) -> None:
        self.cycle.strategy = text.strip() or None
        self.touch()

    def set_objective_title(self, index: int, title: str) -> Objective | None:
        """Edit or (at index == len) append an objective; empty text never reaches the model."""
        title = title.strip()
        if not title:
            return None
        objectives = self.cycle.objectives
        if index < len(objectives):
            objectives[index].title = title
        else:
            objectives.append(Objective(title=title))
        self.touch()
        return objectives[min(index, len(objectives) - 1)]

    def remove_objective(self, index: int) -> None:
        if 0 <= index < len(self.cycle.objectives):
            del self.cycle.objectives[index]
            self.touch()

    def set_kr_text(self, oi: int, ki: int, text: str) -> KeyResult | None:
        text = text.strip()
        if not text or oi >= len(self.cycle.objectives):
            return None
        krs = self.cycle.objectives[oi].key_results
        if ki < len(krs):
            krs[ki].text = text
        else:
            krs.append(KeyResult(text=text))
        self.touch()
        return krs[min(ki, len(krs) - 1)]

    def set_kr_field(self, oi: int, ki: int, name: str, value: Any) -> None:
        """Set one KR field; raises ValueError with a readable reason when the value is invalid."""
        kr = self.cycle.objectives[oi].key_results[ki]
        if isinstance(value, str):
            value = value.strip() or None
        try:
            setattr(kr, name, value)
        except ValidationError as e:
            raise ValueError(e.errors()[0]["msg"].removeprefix("Value error, ")) from None
        self.touch()

    def remove_kr(self, oi: int, ki: int) -> None:
        krs = self.cycle.objectives[oi].key_results
        if 0 <= ki < len(krs):
            del krs[ki]
            self.touch()

    def move_kr_to_initiatives(self, oi: int, ki: int) -> Initiative | None:
        """An activity is work, not a result: keep it as an initiative of the same objective."""
        obj = self.cycle.objectives[oi]
        if not 0 <= ki < len(obj.key_results):
            return None
        kr = obj.key_results.pop(ki)
        initiative = Initiative(title=kr.text, owner=kr.owner)
        obj.initiatives.append(initiative)
        self.touch()
        return initiative

    def attach_kpi(self, oi: int, ki: int, kpi_id: str) -> bool:
        kr = self.cycle.objectives[oi].key_results[ki]
        if kpi_id in kr.kpis:
            return False
        kr.kpis = [*kr.kpis, kpi_id]
        self.touch()
        return True

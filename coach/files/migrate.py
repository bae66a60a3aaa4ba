"""Schema versions: migrate older cycle files on read, refuse unknown future ones."""

from __future__ import annotations

from typing import Any

from coach.errors import InputError
from coach.files.gate import clip
from coach.models import SCHEMA_VERSION

_RENAMES_V0 = {"okrs": "objectives", "krs": "key_results", "keyResults": "key_results"}


def _v0_to_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (early drafts) used ``okrs``/``krs`` and ``objective`` for the title."""

    def rename(d: dict[str, Any]) -> dict[str, Any]:
        return {_RENAMES_V0.get(k, k): v for k, v in d.items()}

    doc = rename(doc)
    if not isinstance(doc.get("objectives"), list):
        doc["schema_version"] = 1
        return doc  # not a list: validation says so with the line
    objs = []
    for o in doc["objectives"]:
        if isinstance(o, dict):
            o = rename(o)
            if "objective" in o and "title" not in o:
                o["title"] = o.pop("objective")
        objs.append(o)
    if objs:
        doc["objectives"] = objs
    doc["schema_version"] = 1
    return doc


MIGRATIONS = {0: _v0_to_v1}


def migrate(doc: dict[str, Any], path: str) -> tuple[dict[str, Any], list[str]]:
    """Return the document at the current schema version and notes on what was migrated."""
    raw = doc.get("schema_version", SCHEMA_VERSION)
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise InputError(f"schema_version should be a whole number, got {clip(raw)}", path)
    if raw > SCHEMA_VERSION:
        raise InputError(
            f"written for schema_version {raw}, but this okr-coach reads up to "
            f"{SCHEMA_VERSION}; upgrade okr-coach to open it",
            path,
        )
    notes = []
    version = raw
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise InputError(f"schema_version {version} is not supported", path)
        doc = step(doc)
        version += 1
    if raw < SCHEMA_VERSION:
        notes.append(
            f"{path}: migrated from schema_version {raw} to {SCHEMA_VERSION}; "
            "it is saved in the new form the next time it is written"
        )
    return doc, notes

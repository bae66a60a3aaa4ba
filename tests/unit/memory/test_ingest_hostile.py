"""Ingest of hostile folders and files: links out of the folder, FIFOs, devices, bombs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coach.config import Settings


def _ingest_json(run_cli, settings: Settings, *paths: Path) -> tuple[int, dict]:
    code, out, err = run_cli(
        "--workspace", str(settings.workspace), "ingest", *map(str, paths), "--format", "json"
    )
    assert out, err
    return code, json.loads(out)


def test_links_out_of_the_folder_fifos_and_devices_are_skipped_unopened(
    run_cli, embedded_settings: Settings, docs: Path, tmp_path: Path
):
    secret = tmp_path / "outside" / "shadow.txt"
    secret.parent.mkdir()
    secret.write_text("root:$6$supersecrethash:19000:0:99999:7:::\n", encoding="utf-8")
    (docs / "shadow.txt").symlink_to(secret)
    (docs / "up.md").symlink_to(secret.parent / ".." / "outside" / "shadow.txt")
    (docs / "zero.md").symlink_to("/dev/zero")
    (docs / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (docs / "outdir").symlink_to(secret.parent, target_is_directory=True)
    os.mkfifo(docs / "pipe.md")  # opening it for reading would block the ingest forever
    (docs / "inside.md").symlink_to(docs / "retro-2025-Q3.md")  # inside the folder: allowed

    code, data = _ingest_json(run_cli, embedded_settings, docs)

    assert code == 2
    reasons = {Path(s["path"]).name: s["error"] for s in data["skipped"]}
    assert "points outside" in reasons["shadow.txt"]
    assert "points outside" in reasons["up.md"]
    assert "device" in reasons["zero.md"] or "points outside" in reasons["zero.md"]
    assert "broken link" in reasons["dangling.md"]
    assert "points outside" in reasons["outdir"]
    assert "FIFO" in reasons["pipe.md"]
    assert "inside.md" not in reasons and data["files_added"] == 2  # same file, once
    code, out, _ = run_cli(
        "--workspace", str(embedded_settings.workspace), "ask", "root supersecrethash"
    )
    assert "supersecrethash" not in out


def test_a_named_device_or_fifo_is_refused_without_opening(
    run_cli, embedded_settings: Settings, tmp_path: Path
):
    fifo = tmp_path / "named.md"
    os.mkfifo(fifo)
    code, data = _ingest_json(run_cli, embedded_settings, fifo, Path("/dev/zero"))
    assert code == 2
    reasons = [s["error"] for s in data["skipped"]]
    assert any("FIFO" in r for r in reasons) and any("device" in r for r in reasons)


@pytest.mark.parametrize("name", ["inside-dir"])
def test_a_linked_folder_inside_the_folder_is_not_walked_twice(
    run_cli, embedded_settings: Settings, docs: Path, name: str
):
    (docs / "sub").mkdir()
    (docs / "sub" / "notes.md").write_text("# Notes\n\nA lesson on churn.\n", encoding="utf-8")
    (docs / name).symlink_to(docs / "sub", target_is_directory=True)
    code, data = _ingest_json(run_cli, embedded_settings, docs)
    assert data["files_added"] == 3
    assert [Path(s["path"]).name for s in data["skipped"]] == [name]

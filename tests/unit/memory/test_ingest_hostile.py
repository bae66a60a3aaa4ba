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


# ------------------------------------------------------------------- office and PDF bombs

HOSTILE_OFFICE = Path(__file__).resolve().parents[2] / "hostile" / "office"


def _make_hostile():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_hostile_office", HOSTILE_OFFICE / "make_hostile_office.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_office_and_pdf_bombs_are_refused_with_a_reason_and_little_memory(tmp_path: Path):
    """Through the real CLI in a child process, whose peak memory is measured."""
    import subprocess
    import sys

    made = _make_hostile().write_all(tmp_path / "made", inflated_mb=100)
    files = [
        *made.values(),
        *sorted(HOSTILE_OFFICE.glob("*.docx")),
        *sorted(HOSTILE_OFFICE.glob("*.pdf")),
    ]
    probe = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(p.stdout)\n"
    )
    ws = tmp_path / "ws"
    cmd = [sys.executable, "-m", "coach", "--workspace", str(ws), "ingest"]
    proc = subprocess.run(
        [sys.executable, "-c", probe, *cmd, *map(str, files), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    first, _, report = proc.stdout.partition("\n")
    code, peak_kb = map(int, first.split())
    data = json.loads(report)
    assert code == 2 and data["files_added"] == 0
    reasons = {Path(s["path"]).name: s["error"] for s in data["skipped"]}
    assert "document.xml inflates to" in reasons["zip-bomb.docx"]
    assert "decompression bomb" in reasons["stream-bomb.pdf"]
    assert "2500 pages; the limit is 2000" in reasons["many-pages.pdf"]
    assert len(data["skipped"]) == 5
    assert peak_kb < 1_000_000, peak_kb  # the unguarded 1 GB DOCX bomb reached 2.2 GB


def test_a_docx_part_that_inflates_too_many_times_is_refused(tmp_path: Path):
    from coach.errors import InputError
    from coach.ingest import read_document

    path = tmp_path / "ratio.docx"
    path.write_bytes(_make_hostile().docx_bomb(5))  # 5 MB from a few KB: under the size cap
    with pytest.raises(InputError, match=r"document.xml inflates \d+ times; the limit is 100"):
        read_document(path)


def test_text_beyond_the_cap_is_refused(tmp_path: Path, monkeypatch):
    import docx

    from coach.errors import InputError
    from coach.ingest import office, read_document

    path = tmp_path / "long.docx"
    d = docx.Document()
    for i in range(50):
        d.add_paragraph(f"Paragraph {i} about churn and onboarding lessons.")
    d.save(str(path))
    assert read_document(path).blocks  # fine under the real cap
    monkeypatch.setattr(office, "MAX_TEXT_CHARS", 500)
    with pytest.raises(InputError, match="more than 500 characters"):
        read_document(path)

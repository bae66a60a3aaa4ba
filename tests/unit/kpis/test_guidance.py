"""Guidance notes: both languages, same slugs, front matter that rules can link to."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import InputError
from coach.guidance import get_note, list_notes, parse_note

REQUIRED = {
    "scoring-models",
    "check-ins",
    "committed-vs-aspirational",
    "okr-vs-kpi",
    "outcomes-not-activities",
    "baselines",
    "common-traps",
    "leading-vs-lagging",
}


def test_both_languages_have_the_same_notes() -> None:
    en = {n.slug for n in list_notes("en")}
    sv = {n.slug for n in list_notes("sv")}
    assert en == sv
    assert en >= REQUIRED


def test_notes_are_translated_and_have_content() -> None:
    for slug in REQUIRED:
        en, sv = get_note(slug, "en"), get_note(slug, "sv")
        assert en.lang == "en" and sv.lang == "sv"
        assert en.title != sv.title and en.body != sv.body
        assert len(en.body.split()) > 80 and len(sv.body.split()) > 80


def test_links_resolve_with_or_without_prefix() -> None:
    note = get_note("guidance:outcomes-not-activities", "sv")
    assert note is not None and note.title == "Resultat, inte aktiviteter"
    assert note.link == "guidance:outcomes-not-activities"
    assert get_note("outcomes-not-activities", "de").lang == "en"
    assert get_note("guidance:no-such-note") is None


def test_okr_vs_kpi_note_covers_every_framework() -> None:
    body = get_note("okr-vs-kpi", "en").body
    for word in ("KPI", "KRA", "MBO", "SMART"):
        assert word in body


def test_bad_front_matter_is_reported_with_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="front matter"):
        parse_note("# no front matter\n", "en", str(tmp_path / "x.md"))
    with pytest.raises(InputError, match="invalid guidance note"):
        parse_note("---\ntitle: T\n---\nbody\n", "en", "x.md")  # slug missing
    with pytest.raises(InputError, match="x.md"):
        parse_note("---\nslug: Bad Slug\ntitle: T\n---\nbody\n", "en", "x.md")

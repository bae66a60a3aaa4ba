"""Every file format round-trips (Swedish characters included); bad input is refused clearly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coach.errors import InputError, StaleFileError
from coach.files import dumps, read_okr_file, read_okr_text, write_okr_file
from coach.files.atomic import atomic_write_text
from coach.models import CheckIn, Cycle, assign_ids

MINIMAL = """\
cycle: 2026-Q1            # optional
language: sv              # optional: sv | en | auto (default auto)
objectives:
  - title: Vinn mellanmarknaden
    key_results:
      - Få 15 nya kunder i segment X detta kvartal
      - text: Öka konverteringen från 8 % till 12 %
        owner: Anna
"""


def rich_cycle() -> Cycle:
    cycle = Cycle.model_validate(
        {
            "cycle": "2026-Q2",
            "team": "Kundupplevelse",
            "level": "team",
            "language": "sv",
            "strategy": "Färre ärenden, gladare kunder – åäö ÅÄÖ",
            "objectives": [
                {
                    "title": "Kunderna får hjälp på första försöket",
                    "owner": "Åsa Öberg",
                    "why_now": "Kön växer",
                    "key_results": [
                        {
                            "text": "Höj andelen ärenden lösta vid första kontakt från 62 % till 80 %",
                            "metric": "first_contact_resolution",
                            "baseline": 62,
                            "target": 80,
                            "unit": "%",
                            "direction": "up",
                            "deadline": "2026-06-30",
                            "owner": "Björn",
                            "kind": "committed",
                            "weight": 2,
                            "current": 65.5,
                            "kpis": ["fcr", "csat"],
                        },
                        {"text": "Sänk svarstiden från 9 h till 2 h", "direction": "down"},
                    ],
                    "initiatives": ["Chattbot för vanliga frågor", "Bemanning vid toppar"],
                },
                {"title": "Second objective, in English", "key_results": ["Win 15 new customers"]},
            ],
        }
    )
    return assign_ids(cycle)


@pytest.mark.parametrize("fmt", ["yaml", "json", "md", "csv"])
def test_round_trip_keeps_content(tmp_path: Path, fmt: str):
    cycle = rich_cycle()
    path = tmp_path / f"okrs.{fmt}"
    write_okr_file(path, cycle)
    again = read_okr_file(path).cycle
    # CSV keeps one row per KR (no strategy/initiatives); the others keep everything they show
    for o1, o2 in zip(cycle.objectives, again.objectives, strict=True):
        assert o1.title == o2.title
        for k1, k2 in zip(o1.key_results, o2.key_results, strict=True):
            assert (k1.text, k1.owner, k1.baseline, k1.target, k1.id) == (
                k2.text,
                k2.owner,
                k2.baseline,
                k2.target,
                k2.id,
            )
            assert k1.kpis == k2.kpis
        if fmt != "csv":
            assert [i.title for i in o1.initiatives] == [i.title for i in o2.initiatives]
            assert o1.owner == o2.owner
    if fmt in ("yaml", "json"):
        assert again == cycle
    if fmt in ("yaml", "json", "md"):
        assert again.strategy == cycle.strategy and again.team == cycle.team
    # writing what we read gives the same bytes (stable output)
    assert dumps(again, fmt) == path.read_text(encoding="utf-8")


def test_minimal_form_from_the_issue_is_accepted():
    loaded = read_okr_text(MINIMAL, "yaml", "okrs.yaml")
    krs = loaded.cycle.objectives[0].key_results
    assert krs[0].text.startswith("Få 15") and krs[1].owner == "Anna"
    assert loaded.line_of(0, 0) == 6 and loaded.line_of(0, 1) == 7


def test_bom_and_crlf_are_accepted(tmp_path: Path):
    p = tmp_path / "okrs.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode("utf-8"))
    assert read_okr_file(p).cycle.objectives[0].title == "Vinn mellanmarknaden"


@pytest.mark.parametrize(
    ("content", "needle", "line"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary", None),
        ("objectives:\n  - title: Mål för året\n".encode("latin-1"), "not valid UTF-8", 2),
        (b"objectives: [\n", "invalid YAML", 2),
        (b"", "empty", 1),
        (b"- just\n- a list\n", "top level should be a mapping", 1),
        (
            b"objectives:\n  - title: A\n    key_results:\n      - text: x\n        target: ten\n",
            "should be a number",
            5,
        ),
        (b"schema_version: 9\nobjectives: []\n", "upgrade okr-coach", None),
        (b"objectives: []\nobjectives: []\n", "invalid YAML", 2),
    ],
)
def test_bad_input_names_file_and_line(
    tmp_path: Path, content: bytes, needle: str, line: int | None
):
    p = tmp_path / "bad.yaml"
    p.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_okr_file(p)
    assert needle in str(exc.value)
    assert str(p) in str(exc.value)
    if line:
        assert f":{line}:" in str(exc.value) or f"line {line}" in str(exc.value)


def test_huge_file_is_refused_without_reading_it_all(tmp_path: Path):
    p = tmp_path / "huge.yaml"
    with p.open("wb") as fh:
        fh.truncate(6 * 1024 * 1024)
    with pytest.raises(InputError, match="limit is 5 MB"):
        read_okr_file(p)


def test_missing_file_and_unknown_extension(tmp_path: Path):
    with pytest.raises(InputError, match="file not found"):
        read_okr_file(tmp_path / "nope.yaml")
    (tmp_path / "okrs.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the format"):
        read_okr_file(tmp_path / "okrs.txt")


def test_yaml_tags_never_build_python_objects(tmp_path: Path):
    p = tmp_path / "evil.yaml"
    p.write_text("objectives: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_okr_file(p)


def test_csv_errors_and_swedish_headers(tmp_path: Path):
    p = tmp_path / "okrs.csv"
    p.write_text("mål;nyckelresultat;ägare;target\nNöjda kunder;Höj NPS;Åsa;45\n", encoding="utf-8")
    kr = read_okr_file(p).cycle.objectives[0].key_results[0]
    assert (kr.text, kr.owner, kr.target) == ("Höj NPS", "Åsa", 45)
    p.write_text("objective,key_result,target\nA,x,ten\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"okrs.csv:2: column 'target' should be a number"):
        read_okr_file(p)


def test_markdown_import_reads_headings_bullets_owner_and_initiatives():
    md = """# Objective: Delight our customers
Owner: Sam

- Raise NPS from 32 to 45 by the end of Q2
  - owner: Kim
- Cut first-response time from 9 h to 2 h

Initiatives:
- Chatbot for common questions
"""
    cycle = read_okr_text(md, "md", "okrs.md").cycle
    obj = cycle.objectives[0]
    assert obj.title == "Delight our customers" and obj.owner == "Sam"
    assert [k.text for k in obj.key_results][1].startswith("Cut first-response")
    assert obj.key_results[0].owner == "Kim"
    assert obj.initiatives[0].title == "Chatbot for common questions"


def test_migration_from_version_0_is_noted():
    loaded = read_okr_text(
        "schema_version: 0\nokrs:\n  - objective: A\n    krs: [x]\n", "yaml", "old.yaml"
    )
    assert loaded.cycle.objectives[0].key_results[0].text == "x"
    assert "migrated from schema_version 0" in loaded.notes[0]


def test_inline_suppressions_are_read():
    loaded = read_okr_text(
        "# okr-coach: ignore-file OKR009\nobjectives:\n  - title: A\n    key_results:\n"
        "      - x  # okr-coach: ignore OKR004, OKR005\n",
        "yaml",
        "s.yaml",
    )
    assert loaded.is_suppressed("OKR004", 5) and loaded.is_suppressed("OKR009", 2)
    assert not loaded.is_suppressed("OKR001", 5)


def test_write_refuses_a_file_changed_on_disk(tmp_path: Path):
    p = tmp_path / "c.yaml"
    sha = write_okr_file(p, rich_cycle())
    loaded = read_okr_file(p)
    assert loaded.sha256 == sha
    p.write_text(p.read_text(encoding="utf-8") + "# edited elsewhere\n", encoding="utf-8")
    with pytest.raises(StaleFileError, match="changed on disk"):
        write_okr_file(p, loaded.cycle, expected_sha256=loaded.sha256)
    assert p.read_text(encoding="utf-8").endswith("# edited elsewhere\n")


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path, monkeypatch):
    p = tmp_path / "c.yaml"
    atomic_write_text(p, "old\n")

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(p, "new\n")
    assert p.read_text() == "old\n"
    assert [x.name for x in tmp_path.iterdir()] == ["c.yaml"]  # no temp file left behind


def test_atomic_write_gives_new_files_the_usual_permissions(tmp_path: Path):
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.yaml", "x\n")
    finally:
        os.umask(old)
    assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o644


def test_yaml_alias_bomb_is_cheap_and_merge_keys_are_refused(tmp_path: Path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    p = tmp_path / "bomb.yaml"
    p.write_text(bomb + "objectives: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown field"):  # fails on schema, not on memory/time
        read_okr_file(p)
    p.write_text("base: &b {title: A}\nobjectives:\n  - <<: *b\n", encoding="utf-8")
    with pytest.raises(InputError, match="merge keys"):
        read_okr_file(p)


def test_markdown_kr_fields_take_decimal_commas_and_swedish_names():
    md = """---
cycle: 2027-Q1
language: sv
---
# Mål: Nöjdare stugägare
- Sänk svarstiden från 2,5 timmar till 1 timme
  - Ägare: Björn Ärlig
  - utgångsläge: 2,5
  - target: 1
  - enhet: h
  - confidence: 0,6
  - kpis: nps, csat
"""
    kr = read_okr_text(md, "md", "okrs.md").cycle.objectives[0].key_results[0]
    assert (kr.owner, kr.baseline, kr.target, kr.unit, kr.confidence) == (
        "Björn Ärlig",
        2.5,
        1.0,
        "h",
        0.6,
    )
    assert kr.kpis == ["nps", "csat"]


def test_markdown_and_csv_validation_errors_name_the_line():
    md = "# Nöjdare stugägare\n\n- Höj NPS från 22 till 35\n  - confidence: hög\n"
    with pytest.raises(InputError, match=r"line 3: objectives\[0\]\.key_results\[0\]\.confidence"):
        read_okr_text(md, "md", "okrs.md")
    csv_text = "objective,key_result,direction\nA,x,up\nA,y,sideways\n"
    with pytest.raises(InputError, match=r"line 3: objectives\[0\]\.key_results\[1\]\.direction"):
        read_okr_text(csv_text, "csv", "okrs.csv")


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("---\ncycle: 2027-Q1\n---\n\n# Vinn marknaden\n- Få 15 nya kunder\n", "md"),
        ("Mål;Nyckelresultat;Ägare\nVinn marknaden;Få 15 nya kunder;Anna\n", "csv"),
        ("objective\tkey_result\nWin;Get 15 customers\n", "csv"),
        ("---\ncycle: 2027-Q1\nobjectives: []\n", "yaml"),
        ("# a comment\nobjectives: []\n", "yaml"),
        ("# Win the market\nOwner: Sam\n\n- Get 15 customers\n", "md"),
    ],
)
def test_stdin_format_is_sniffed_for_front_matter_and_swedish_csv(text: str, fmt: str):
    from coach.files import sniff_format

    assert sniff_format(text) == fmt


def test_a_yaml_file_that_opens_with_a_comment_is_read_as_yaml_from_stdin():
    from coach.files import sniff_format
    from coach.workspace import demo_source

    text = (demo_source() / "cycles" / "2026-Q4.yaml").read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert sniff_format(text) == "yaml"


def test_checkins_are_written_without_empty_fields():
    cycle = Cycle.model_validate(
        {
            "objectives": [
                {
                    "title": "T",
                    "key_results": [
                        {
                            "text": "Raise NPS from 32 to 45",
                            "checkins": [{"date": "2026-01-10", "value": 35}],
                        }
                    ],
                }
            ]
        }
    )
    text = dumps(cycle, "yaml")
    assert "blockers" not in text and "note:" not in text
    assert read_okr_text(text, "yaml").cycle.objectives[0].key_results[0].checkins[0].value == 35


def test_rewriting_a_yaml_file_keeps_comments_layout_and_number_forms(tmp_path: Path):
    p = tmp_path / "c.yaml"
    p.write_text(
        "# Team Bokning, Q1 draft\n"
        "cycle: 2026-Q1\n"
        "strategy: >-\n"
        "  Winter is our second season:\n"
        "  easy to book, safe to keep open.\n"
        "objectives:\n"
        "  - id: o1\n"
        "    title: Guests plan for winter  # the team's wording\n"
        "    key_results:\n"
        "      - id: o1.kr1\n"
        "        text: Launch a landing page  # okr-coach: ignore OKR001\n"
        "      - id: o1.kr2\n"
        "        text: Grow winter bookings from 120 to 200\n"
        "        baseline: 120\n"
        "        target: 200\n",
        encoding="utf-8",
    )
    loaded = read_okr_file(p)
    cycle = loaded.cycle
    cycle.objectives[0].key_results[1].checkins.append(CheckIn(date="2026-02-01", value=150))
    cycle.objectives[0].key_results.append(
        cycle.objectives[0].key_results[0].model_copy(update={"id": None, "text": "Win 15 cabins"})
    )
    assign_ids(cycle)
    write_okr_file(p, cycle, expected_sha256=loaded.sha256)
    text = p.read_text(encoding="utf-8")
    assert text.startswith("# Team Bokning, Q1 draft\n")
    assert "# the team's wording" in text and "# okr-coach: ignore OKR001" in text
    assert "strategy: >-\n  Winter is our second season:" in text  # folded text kept
    assert "baseline: 120\n" in text and "value: 150\n" in text  # no 120.0
    assert "id: o1.kr3" in text and "Win 15 cabins" in text
    again = read_okr_file(p)
    assert again.cycle == cycle
    assert again.is_suppressed("OKR001", again.line_of(0, 0) + 1)


def test_new_yaml_files_use_the_same_layout_as_rewritten_ones(tmp_path: Path):
    p = tmp_path / "n.yaml"
    write_okr_file(p, rich_cycle())
    first = p.read_text(encoding="utf-8")
    assert "objectives:\n  - id: o1\n" in first and ".0\n" not in first
    write_okr_file(p, read_okr_file(p).cycle)
    assert p.read_text(encoding="utf-8") == first
    # with a comment to keep, the round-trip merge writes the very same layout
    p.write_text("# kept\n" + first, encoding="utf-8")
    write_okr_file(p, read_okr_file(p).cycle)
    assert p.read_text(encoding="utf-8") == "# kept\n" + first


def test_yaml_is_read_as_yaml_1_2_so_words_stay_words():
    loaded = read_okr_text(
        "objectives:\n  - title: Norge\n    owner: No\n    key_results:\n"
        "      - text: on\n        owner: Yes\n        deadline: 1:30\n",
        "yaml",
        "n.yaml",
    )
    obj = loaded.cycle.objectives[0]
    assert obj.owner == "No" and obj.key_results[0].text == "on"
    assert (obj.key_results[0].owner, obj.key_results[0].deadline) == ("Yes", "1:30")

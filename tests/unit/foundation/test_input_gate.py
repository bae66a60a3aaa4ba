"""The input gate (coach/files/gate.py) and what the readers refuse because of it."""

from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coach.config import read_toml
from coach.errors import ConfigError, InputError
from coach.files import read_okr_file, read_okr_text
from coach.files.gate import read_head, read_input_bytes

HOSTILE = Path(__file__).resolve().parents[2] / "hostile"


def _within(seconds: float, fn: Callable[[], Any]) -> Any:
    """Run fn in a thread; fail (instead of hanging the suite) when it blocks."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the test below
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"blocked for more than {seconds} s"
    if "error" in box:
        raise box["error"]
    return box.get("value")


# ------------------------------------------------------------------------- special files


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path):
    fifo = tmp_path / "okrs.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"okrs\.yaml: is a named pipe \(FIFO\)"):
        _within(5, lambda: read_okr_file(fifo))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_symlink_to_a_device_is_refused(tmp_path: Path, device: str):
    link = tmp_path / "okrs.json"
    link.symlink_to(device)
    with pytest.raises(InputError, match="is a device, not a regular file"):
        _within(5, lambda: read_okr_file(link))


def test_a_folder_a_dangling_link_and_a_link_loop_are_refused(tmp_path: Path):
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    with pytest.raises(InputError, match="is a folder"):
        read_okr_file(tmp_path / "dir.yaml")
    with pytest.raises(InputError, match="file not found"):
        read_okr_file(tmp_path / "dangling.yaml")
    with pytest.raises(InputError, match="cannot read the file"):
        read_okr_file(tmp_path / "loop.yaml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_refused(tmp_path: Path):
    p = tmp_path / "secret.yaml"
    p.write_text("objectives: []\n")
    p.chmod(0)
    with pytest.raises(InputError, match="cannot read the file"):
        read_okr_file(p)


def test_the_size_cap_is_checked_before_reading(tmp_path: Path):
    p = tmp_path / "big.yaml"
    with p.open("wb") as fh:
        fh.truncate(1000)
    with pytest.raises(InputError, match="file is 1,000 bytes; the limit is 999 bytes"):
        read_input_bytes(p, max_bytes=999)
    assert len(read_input_bytes(p, max_bytes=1000)) == 1000


class _Endless(io.RawIOBase):
    """Standard input fed from /dev/zero: it never ends."""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        b[:] = b"\0" * len(b)
        return len(b)


def test_endless_stdin_is_read_with_a_bound(monkeypatch: pytest.MonkeyPatch):
    stdin = io.TextIOWrapper(io.BufferedReader(_Endless()))
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(InputError, match="<stdin>: input is larger than the limit of 5 MB"):
        _within(10, lambda: read_okr_file("-"))


def test_peeks_and_drafts_skip_a_fifo(tmp_path: Path):
    from tui.drafts import read_draft
    from tui.listing import peek_status

    fifo = tmp_path / "2026-Q1.yaml"
    os.mkfifo(fifo)
    assert _within(5, lambda: peek_status(fifo)) is None
    assert _within(5, lambda: read_draft(fifo)) is None
    with pytest.raises(InputError, match="named pipe"):
        read_head(fifo, 8)


def test_the_settings_file_goes_through_the_gate(tmp_path: Path):
    assert read_toml(tmp_path / "absent.toml") == {}
    fifo = tmp_path / "okr-coach.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="named pipe"):
        _within(5, lambda: read_toml(fifo))
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        read_toml(deep)
    big = tmp_path / "big.toml"
    big.write_text("# x\n" * 100_000)
    with pytest.raises(ConfigError, match="the limit is 256 KB"):
        read_toml(big)


# ------------------------------------------------------------------------------ nesting


def test_deep_yaml_is_refused_before_composing():
    for text in ("objectives: " + "[" * 1000 + "]" * 1000, "objectives: " + "{a: " * 100 + "1"):
        with pytest.raises(InputError, match="nested more than 64 levels deep"):
            read_okr_text(text, "yaml", "deep.yaml")


def test_yaml_block_nesting_counts_too():
    text = "".join(" " * i + "a:\n" for i in range(100))
    with pytest.raises(InputError, match=r"deep\.yaml:65: nested more than 64"):
        read_okr_text(text, "yaml", "deep.yaml")


def test_a_chain_of_aliases_counts_as_deep_as_the_graph_it_builds():
    with pytest.raises(InputError, match="nested more than 64"):
        read_okr_file(HOSTILE / "yaml" / "alias_chain_deep.yaml")


def test_an_alias_bomb_costs_linear_time():
    with pytest.raises(InputError, match="title should be text"):
        _within(10, lambda: read_okr_file(HOSTILE / "yaml" / "alias_bomb.yaml"))


def test_deep_json_is_refused_and_brackets_in_strings_do_not_count():
    with pytest.raises(InputError, match=r"deep\.json:1: nested more than 64"):
        read_okr_text('{"objectives": ' + "[" * 100_000 + "]" * 100_000 + "}", "json", "deep.json")
    loaded = read_okr_file(HOSTILE / "json" / "brackets_in_strings.json")
    assert loaded.cycle.objectives[0].title.startswith("[{[{")


def test_front_matter_in_markdown_has_the_same_depth_cap():
    with pytest.raises(InputError, match="nested more than 64"):
        read_okr_file(HOSTILE / "markdown" / "front_matter_deep.md")


# ------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("json/huge_int.json", 1),
        ("json/huge_negative_int.json", 1),
        ("json/long_fraction.json", 1),
        ("yaml/huge_int.yaml", 7),
        ("yaml/hex_int.yaml", 7),
        ("markdown/huge_number.md", 6),
        ("csv/huge_number.csv", 2),
    ],
)
def test_a_number_with_thousands_of_digits_is_one_line_naming_file_and_line(name: str, line: int):
    path = HOSTILE / name
    with pytest.raises(InputError) as e:
        read_okr_file(path)
    assert str(e.value).startswith(f"{path}:{line}: a number with ")
    assert "numbers may have at most 30 digits" in str(e.value)
    assert "\n" not in str(e.value) and len(str(e.value)) < 300


# --------------------------------------------------------------------------- JSON keys


def test_json_duplicate_keys_are_refused_with_the_line():
    with pytest.raises(
        InputError, match=r"duplicate_key_top\.json:2: invalid JSON: duplicate key 'objectives'"
    ):
        read_okr_file(HOSTILE / "json" / "duplicate_key_top.json")
    with pytest.raises(InputError, match=r"duplicate_key_nested\.json:2: .*duplicate key 'title'"):
        read_okr_file(HOSTILE / "json" / "duplicate_key_nested.json")
    with pytest.raises(InputError, match="duplicate key 'objectives'"):  # spelled with \\u0065
        read_okr_file(HOSTILE / "json" / "duplicate_key_escaped.json")


def test_the_same_key_in_sibling_objects_is_fine():
    text = '{"objectives": [{"title": "a", "key_results": []}, {"title": "b", "key_results": []}]}'
    assert [o.title for o in read_okr_text(text, "json").cycle.objectives] == ["a", "b"]


# ----------------------------------------------------------------------------- Markdown


@pytest.mark.parametrize(
    "name",
    [
        "heading_in_fence.md",
        "heading_in_tilde_fence.md",
        "heading_in_comment.md",
        "multiline_comment.md",
        "unclosed_fence.md",
        "unclosed_comment.md",
    ],
)
def test_headings_in_code_blocks_and_comments_are_not_objectives(name: str):
    cycle = read_okr_file(HOSTILE / "markdown" / name).cycle
    assert [o.title for o in cycle.objectives] == ["Win the mid-market"]
    assert len(cycle.objectives[0].key_results) == 1


def test_bullets_before_any_heading_are_an_error_naming_the_line():
    path = HOSTILE / "markdown" / "bullets_no_heading.md"
    with pytest.raises(InputError, match=rf"^{path}:3: a key result bullet before any objective"):
        read_okr_file(path)


# ---------------------------------------------------------------------------------- CSV


def test_a_200_kb_csv_field_is_one_line_naming_the_file():
    text = "objective,key_result\nWin," + "x" * 200_000 + "\n"
    with pytest.raises(
        InputError, match=r"^big\.csv:2: invalid CSV: field larger than field limit"
    ):
        read_okr_text(text, "csv", "big.csv")


# ------------------------------------------------------------------------- one line


def test_validation_errors_are_one_line_and_quote_values_briefly():
    text = (
        '{"objectives": [{"title": ' + '"' + "x" * 10 + '", "key_results": {"a": 1}}], "team": 5}'
    )
    with pytest.raises(InputError) as e:
        read_okr_text(text, "json", "t.json")
    assert "\n" not in str(e.value) and "problems in the OKR file" in str(e.value)
    long = (
        '{"objectives": [{"title": "a", "key_results": [{"text": "k", "target": "'
        + "y" * 5000
        + '"}]}]}'
    )
    with pytest.raises(InputError) as e:
        read_okr_text(long, "json", "t.json")
    assert len(str(e.value)) < 300


def test_yaml_control_characters_name_the_line():
    with pytest.raises(InputError, match=r":3: invalid YAML: control character U\+001B"):
        read_okr_file(HOSTILE / "yaml" / "control_chars.yaml")


def test_the_tui_refuses_a_fifo_before_starting(run_cli, tmp_path: Path):
    fifo = tmp_path / "okrs.yaml"
    os.mkfifo(fifo)
    code, _, err = _within(10, lambda: run_cli("tui", str(fifo)))
    assert code == 2
    assert (
        err.strip()
        == f"error: {fifo}: is a named pipe (FIFO), not a regular file; save the content to a file"
    )

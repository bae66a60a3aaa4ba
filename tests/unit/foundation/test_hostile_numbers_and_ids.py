"""Hostile numbers and ids in cycle files: NaN, infinity, 1e308, duplicate ids, path-like cycle ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.errors import InputError
from coach.files import read_okr_file
from coach.lifecycle import apply_checkin
from coach.models import Cycle, KeyResult, Objective
from coach.workspace import Workspace, check_cycle_id


def _strict_json(text: str):
    """json.loads that fails on NaN/Infinity, which Python's parser accepts by default."""

    def refuse(name: str):
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


def _cycle_yaml(kr_fields: str = "", checkin_value: str = "10", weight: str = "1") -> str:
    return f"""schema_version: 1
cycle: 2026-Q2
status: active
objectives:
  - id: o1
    title: Guests love booking with us
    key_results:
      - id: o1.kr1
        text: Raise NPS from 20 to 40
        baseline: 20
        target: 40
        weight: {weight}
        checkins:
          - date: 2026-04-10
            value: {checkin_value}
{kr_fields}"""


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "1e308", "-1e16"])
@pytest.mark.parametrize("field", ["baseline", "target", "current", "checkin", "weight"])
def test_non_finite_or_absurd_numbers_are_refused_naming_file_and_field(
    tmp_path: Path, run_cli, field: str, value: str
) -> None:
    if field == "checkin":
        text = _cycle_yaml(checkin_value=value)
    elif field == "weight":
        text = _cycle_yaml(weight=value)
    elif field == "current":
        text = _cycle_yaml(kr_fields=f"        current: {value}\n")
    else:
        text = _cycle_yaml().replace(
            f"{field}: {20 if field == 'baseline' else 40}", f"{field}: {value}"
        )
    path = tmp_path / "okrs.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("score", str(path), "--format", "json")
    assert code == 2 and out == "" and "Traceback" not in err
    assert str(path) in err
    name = "value" if field == "checkin" else field
    assert f"key_results[0].{'checkins[0].' if field == 'checkin' else ''}{name}" in err
    assert "finite" in err or "too large" in err


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_in_json_input_are_refused(tmp_path: Path, run_cli, literal) -> None:
    path = tmp_path / "okrs.json"
    doc = (
        '{"cycle": "2026-Q2", "objectives": [{"title": "Happy guests", "key_results": '
        f'[{{"text": "Raise NPS to 40", "target": {literal}}}]}}]}}'
    )
    path.write_text(doc, encoding="utf-8")
    code, out, err = run_cli("export", "--file", str(path), "-o", "-", "--format", "json")
    assert code == 2 and out == "" and str(path) in err and "target" in err


def test_checkin_value_on_the_command_line_must_be_finite(demo_workspace: Path, run_cli) -> None:
    path = demo_workspace / "cycles" / "2026-Q4.yaml"
    before = path.read_bytes()
    for bad in ("nan", "inf", "-Infinity", "1e308"):
        code, _, err = run_cli(
            "checkin", "--workspace", str(demo_workspace), "--kr", "o1.kr3", f"--value={bad}"
        )
        assert code == 2 and "not a usable number" in err, (bad, err)
    assert path.read_bytes() == before


def test_tiny_denominators_keep_score_json_finite(tmp_path: Path, run_cli) -> None:
    """target 1e-300 with current 1e15: the ratio overflows a float unless bounded."""
    path = tmp_path / "okrs.yaml"
    path.write_text(
        _cycle_yaml(checkin_value="1e15")
        .replace("baseline: 20", "baseline: 0")
        .replace("target: 40", "target: 1e-300"),
        encoding="utf-8",
    )
    code, out, err = run_cli("score", str(path), "--format", "json")
    assert code == 0, err
    data = _strict_json(out)
    kr = data["objectives"][0]["key_results"][0]
    assert kr["progress"] == 1.0 and kr["raw_progress"] <= 1e9


def test_large_weights_do_not_overflow_the_objective_score(tmp_path: Path, run_cli) -> None:
    krs = "".join(
        f"""      - id: o1.kr{i}
        text: Raise NPS from 20 to 40
        baseline: 20
        target: 40
        current: 30
        weight: 1e6
"""
        for i in range(1, 4)
    )
    path = tmp_path / "okrs.yaml"
    path.write_text(
        "cycle: 2026-Q2\nobjectives:\n  - id: o1\n    title: Guests love us\n"
        f"    key_results:\n{krs}",
        encoding="utf-8",
    )
    code, out, err = run_cli("score", str(path), "--format", "json")
    assert code == 0, err
    assert _strict_json(out)["objectives"][0]["score"] == pytest.approx(0.5)


# ------------------------------------------------------------------------------ duplicate ids


@pytest.mark.parametrize(
    ("first", "second", "ident"),
    [
        ("o1", "o1", "'o1'"),  # the same objective id twice
        ("o1", "o2", "'o1.kr1'"),  # the same KR id under two objectives
    ],
)
def test_a_repeated_id_is_refused_on_load(
    tmp_path: Path, run_cli, first: str, second: str, ident: str
) -> None:
    path = tmp_path / "okrs.yaml"
    kr = "      - id: o1.kr1\n        text: Raise NPS from 20 to 40\n"
    path.write_text(
        f"cycle: 2026-Q2\nobjectives:\n"
        f"  - id: {first}\n    title: Guests love us\n    key_results:\n{kr}"
        f"  - id: {second}\n    title: Owners trust us\n    key_results:\n{kr}",
        encoding="utf-8",
    )
    code, _, err = run_cli("check", str(path))
    assert code == 2 and str(path) in err and f"id {ident} is used twice" in err


def test_a_kr_id_three_times_in_a_workspace_cycle_refuses_the_checkin(
    workspace: Path, run_cli
) -> None:
    path = workspace / "cycles" / "2026-Q2.yaml"
    krs = "      - id: o1.kr1\n        text: Raise NPS from 20 to 40\n" * 3
    path.write_text(
        f"cycle: 2026-Q2\nobjectives:\n  - id: o1\n    title: Guests\n    key_results:\n{krs}",
        encoding="utf-8",
    )
    before = path.read_bytes()
    code, _, err = run_cli(
        "checkin", "--workspace", str(workspace), "--cycle", "2026-Q2", "--kr", "o1.kr1",
        "--value", "30",
    )  # fmt: skip
    assert code == 2 and "'o1.kr1' is used twice" in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_checkin_on_an_ambiguous_id_in_memory_refuses() -> None:
    cycle = Cycle(cycle="2026-Q2", objectives=[Objective(id="o1", title="Guests")])
    # assignment in memory bypasses the file check (as an editor could): apply_checkin guards too
    cycle.objectives[0].key_results = [KeyResult(id="o1.kr1", text="Raise NPS to 40")] * 2
    with pytest.raises(InputError, match="2 key results have the id 'o1.kr1'"):
        apply_checkin(cycle, "o1.kr1", value=30)


# ------------------------------------------------------------------------------- cycle ids


@pytest.mark.parametrize(
    "bad", ["../../x", "../cycles/2026-Q1", "/etc/passwd", "2026-Q1/../../x", "x", "", "2026-Q5"]
)
def test_the_workspace_refuses_a_cycle_id_that_is_not_one(tmp_path: Path, bad: str) -> None:
    ws = Workspace(tmp_path)
    for make_path in (ws.cycle_path, ws.retro_path, ws.load_cycle):
        with pytest.raises(InputError, match="should look like 2026-Q1"):
            make_path(bad)
    assert check_cycle_id("2026-Q1") == "2026-Q1"


def test_checkin_with_a_path_as_cycle_id_touches_nothing_outside(
    workspace: Path, tmp_path: Path, run_cli
) -> None:
    outside = tmp_path / "x.yaml"
    outside.write_text(
        "cycle: 2026-Q2\nobjectives:\n  - id: o1\n    title: Guests\n    key_results:\n"
        "      - id: o1.kr1\n        text: Raise NPS from 20 to 40\n",
        encoding="utf-8",
    )
    before = outside.read_bytes()
    rel = "../../x"  # from <workspace>/cycles/ to tmp_path/x
    assert (workspace / "cycles" / f"{rel}.yaml").resolve() == outside.resolve()
    for argv in (
        ("checkin", "--cycle", rel, "--kr", "o1.kr1", "--value", "30"),
        ("new-cycle", "--cycle", rel),
        ("new-cycle", "--cycle", "../../y"),
        ("score", "--cycle", rel),
        ("report", "--cycle", rel, "-o", "-"),
        ("export", "--cycle", rel, "-o", "-"),
        ("retro", "--cycle", rel, "--no-ingest"),
        ("import", str(outside), "--cycle", "../../z"),
    ):
        code, out, err = run_cli(*argv, "--workspace", str(workspace))
        assert code == 2, (argv, out, err)
        assert "should look like 2026-Q1" in err and "Traceback" not in err, (argv, err)
    assert outside.read_bytes() == before
    assert not (tmp_path / "y.yaml").exists() and not (tmp_path / "z.yaml").exists()


def test_yaml_files_that_are_not_cycles_are_not_listed_as_cycles(workspace: Path) -> None:
    (workspace / "cycles" / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    (workspace / "cycles" / "2026-Q2.yaml").write_text("cycle: 2026-Q2\n", encoding="utf-8")
    assert Workspace(workspace).cycle_ids() == ["2026-Q2"]


def test_values_read_back_from_a_refused_file_are_never_half_written(tmp_path: Path) -> None:
    path = tmp_path / "okrs.yaml"
    path.write_text(_cycle_yaml(kr_fields="        current: .nan\n"), encoding="utf-8")
    with pytest.raises(InputError, match="finite"):
        read_okr_file(path)


def test_the_tui_session_refuses_a_path_as_cycle_id(workspace: Path, tmp_path: Path) -> None:
    from tui.session import Session

    with pytest.raises(InputError, match="should look like 2026-Q1"):
        Session.open_cycle(workspace, "../../x")
    assert not (tmp_path / "x.yaml").exists()

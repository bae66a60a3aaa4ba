"""Property: whatever bytes or text reach the readers, the answer is a Cycle or an
OkrCoachError (one readable line), never another exception, and it comes quickly.

`make test` runs these with the quick "ci" profile, `make fuzz` with the long "fuzz" profile.
"""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from coach.errors import OkrCoachError
from coach.files import FORMATS, read_okr_text, sniff_format
from coach.files.decode import read_text
from coach.models import Cycle

BOUND_S = 20.0  # proves no hang or blow-up; generous because the CI machine is shared


def _read(text: str, fmt: str) -> Cycle | None:
    """The reader's answer: a Cycle, or None for a refusal that is one line naming the input."""
    start = time.perf_counter()
    try:
        cycle = read_okr_text(text, fmt, "fuzz.in").cycle
    except OkrCoachError as e:
        message = str(e)
        assert message.startswith("fuzz.in"), message
        assert "\n" not in message, message
        assert len(message) < 1000, message[:200]
        cycle = None
    elapsed = time.perf_counter() - start
    assert elapsed < BOUND_S, f"{fmt}: {elapsed:.1f} s"
    return cycle


# ------------------------------------------------------------------------- any input


@given(st.binary(max_size=4000))
@example(b"\xef\xbb\xbfobjectives: []\r\n")
@example(b"\xff\xfeo\x00b\x00")
@example(b"objectives: [\x00]")
def test_arbitrary_bytes(data: bytes):
    try:
        text = read_text("fuzz.in", data)
    except OkrCoachError as e:
        assert "\n" not in str(e)
        return
    for fmt in FORMATS:
        _read(text, fmt)
    _read(text, sniff_format(text))


@given(st.text(max_size=2000))
def test_arbitrary_text(text: str):
    for fmt in FORMATS:
        _read(text, fmt)


# ------------------------------------------------------------------ structured, hostile

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["", "no", "on", "1:30", "2026-13-45", "0x1F", ".nan", "~", "!!str", "&a", "*a"]
    ),
)
_KEYS = st.sampled_from(
    ["objectives", "title", "key_results", "text", "target", "baseline", "cycle", "owner", "kpis"]
) | st.text(max_size=12)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=40,
)


def _okr_like() -> st.SearchStrategy[dict[str, Any]]:
    kr = st.one_of(
        st.text(max_size=60),
        st.fixed_dictionaries(
            {"text": st.text(max_size=60)},
            optional={
                "target": _SCALARS,
                "baseline": _SCALARS,
                "current": _SCALARS,
                "weight": _SCALARS,
                "deadline": _SCALARS,
                "kpis": _VALUES,
                "checkins": _VALUES,
            },
        ),
        _VALUES,
    )
    obj = st.fixed_dictionaries(
        {"title": st.text(max_size=40) | _SCALARS, "key_results": st.lists(kr, max_size=4)},
        optional={"id": _SCALARS, "owner": _SCALARS, "initiatives": _VALUES},
    )
    return st.fixed_dictionaries(
        {"objectives": st.lists(obj, max_size=3) | _VALUES},
        optional={"cycle": _SCALARS, "schema_version": _SCALARS, "status": _SCALARS},
    )


def _dump_json(doc: Any) -> str:
    return json.dumps(doc, allow_nan=True, default=str)


@given(_okr_like(), st.integers(min_value=0, max_value=200), st.sampled_from(["[", '{"a": ']))
def test_hostile_json(doc: dict[str, Any], depth: int, opener: str):
    text = _dump_json(doc)
    _read(text, "json")
    closer = "]" if opener == "[" else "}"
    _read(
        text[:-1] + ', "deep": ' + opener * depth + "1" * (opener != "[") + closer * depth + "}",
        "json",
    )
    _read(text[:-1] + ', "objectives": []}', "json")  # a duplicate key after the real one


@given(_okr_like(), st.integers(min_value=0, max_value=150), st.integers(1, 8))
def test_hostile_yaml(doc: dict[str, Any], depth: int, fan: int):
    import yaml

    for flow in (False, True):
        text = yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True)
        _read(text, "yaml")
    _read("x: " + "[" * depth + "]" * depth + "\n" + text, "yaml")
    bomb = (
        "a: &a ["
        + ", ".join(["x"] * fan)
        + "]\n"
        + "".join(
            f"{c}: &{c} [{', '.join(['*' + p] * fan)}]\n"
            for p, c in zip("abcdef", "bcdefg", strict=True)
        )
    )
    _read(bomb + "objectives: *g\n", "yaml")
    _read(text + "objectives: []\n", "yaml")  # a duplicate key
    _read("objectives: !!python/object/apply:os.system [id]\n", "yaml")


_MD_LINES = st.sampled_from(
    [
        "# Win the mid-market",
        "## Objective 2: Grow",
        "- Grow customers from 40 to 60 by 2026-03-31",
        "  - target: 60",
        "  - baseline: " + "9" * 40,
        "  - confidence: hög",
        "  - kpis: a, b",
        "Owner: Anna",
        "Initiatives:",
        "```",
        "~~~",
        "    ```",
        "<!--",
        "-->",
        "<!-- # hidden -->",
        "---",
        "cycle: 2026-Q1",
        "x: [[[[[[",
        "",
        "\t- tabbed",
    ]
)


@given(st.lists(_MD_LINES | st.text(max_size=40), max_size=40))
def test_hostile_markdown(lines: list[str]):
    _read("\n".join(lines), "md")


_CSV_CELLS = st.sampled_from(
    ["Win", "Grow x from 1 to 2", "40", "4" * 40, "1,5", '"', '""', "a\nb", "=1+1", "", ";", "\t"]
) | st.text(max_size=20)
_HEADERS = st.sampled_from(["objective", "key_result", "target", "baseline", "mål", "kr", "weight"])


@given(
    st.lists(_HEADERS, min_size=1, max_size=6),
    st.lists(st.lists(_CSV_CELLS, max_size=7), max_size=8),
    st.sampled_from([",", ";", "\t"]),
)
def test_hostile_csv(headers: list[str], rows: list[list[str]], sep: str):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=sep).writerows([headers, *rows])
    _read(buf.getvalue(), "csv")
    _read(sep.join(headers) + "\n" + sep.join(sum(rows, [])), "csv")  # unquoted, ragged


def _event_depth(text: str) -> int:
    import yaml

    from coach.files.yaml_io import _Loader

    depth = deepest = 0
    for ev in yaml.parse(text, Loader=_Loader):
        if isinstance(ev, yaml.CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(ev, yaml.CollectionEndEvent):
            depth -= 1
    return deepest


@given(_VALUES, st.booleans(), st.integers(min_value=1, max_value=6))
def test_the_cheap_yaml_depth_bound_is_never_below_the_real_depth(
    doc: Any, flow: bool, indent: int
):
    import yaml

    from coach.files.gate import _yaml_depth_bound

    text = yaml.safe_dump(doc, default_flow_style=flow, indent=max(indent, 2), allow_unicode=True)
    assert _yaml_depth_bound(text) >= _event_depth(text)
    compact = text.replace("\n  - ", "\n- ")  # indentless sequences under their key
    try:
        real = _event_depth(compact)
    except yaml.YAMLError:
        return
    assert _yaml_depth_bound(compact) >= real

"""Arbitrary and adversarial text into the KR parser and the rule engine.

Properties: no exception escapes, every call ends within a bound (no super-linear path), and
every number the parser reads is finite. `make test` runs a few dozen examples per property
(profile "ci"); `make fuzz` runs thousands.
"""

from __future__ import annotations

import json
import math
import time

from hypothesis import given
from hypothesis import strategies as st

from coach.engine import check_cycle, check_kr_text
from coach.models import Cycle, KeyResult, Objective
from coach.parse import parse_kr

# Words both languages' KRs are made of, so examples hit the parser's real paths, not only
# its "no number here" exit.
WORDS = [
    "increase",
    "reduce",
    "öka",
    "minska",
    "halvera",
    "double",
    "from",
    "to",
    "till",
    "från",
    "by",
    "senast",
    "until",
    "NPS",
    "churn",
    "revenue",
    "intäkter",
    "ledtiden",
    "kunder",
    "customers",
    "per",
    "month",
    "månad",
    "Q1",
    "Q4",
    "H2",
    "2026-06-30",
    "30 juni",
    "June",
    "%",
    "procent",
    "pp",
    "SEK",
    "MSEK",
    "tkr",
    "kr",
    "$",
    "€",
    "k",
    "M",
    "x",
    "×",
    "gånger",
    "launch",
    "lansera",
    "ship",
    "we will",
    "vi ska",
    "-",
    "−",
    "~",
    ">=",
    "≥",
    "+",
    ",",
    ".",
    "1,200",
    "2,5",
    "20 000",
    "1.5",
    "0",
    "99.9",
    "1e308",
    "9" * 400,
    "NaN",
    "inf",
    "∞",
    "å",
    "ä",
    "ö",
    "é",
    "\u00a0",
    "\u202f",
    "\u200b",
    "\t",
    "\n",
    "🙂",
    "\x1b[31m",
]
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)
TOKEN = st.one_of(st.sampled_from(WORDS), NUMBERS, st.text(max_size=12))
KR_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(TOKEN, max_size=40).map(" ".join),
    # very long: one repeated token, the shape that exposes quadratic regexes
    st.tuples(st.sampled_from(WORDS + ["a", "9", "aaaaheten"]), st.integers(1000, 20000)).map(
        lambda t: ((t[0] + " ") * (t[1] // (len(t[0]) + 1)) if len(t[0]) > 1 else t[0] * t[1])
    ),
)
LANG = st.sampled_from([None, "sv", "en"])

# Generous: the slowest text here takes well under a second; a quadratic path takes minutes.
BOUND_S = 10.0


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    elapsed = time.perf_counter() - t0
    assert elapsed < BOUND_S, f"{fn.__name__} took {elapsed:.1f} s"
    return out


@given(text=KR_TEXT, lang=LANG)
def test_parse_kr_never_raises_and_numbers_are_finite(text: str, lang: str | None) -> None:
    parsed = _timed(parse_kr, text, lang)
    for field in ("baseline", "target"):
        value = getattr(parsed, field)
        assert value is None or math.isfinite(value), (field, value)


@given(text=KR_TEXT, lang=LANG, title=st.one_of(st.none(), KR_TEXT))
def test_check_kr_text_never_raises(text: str, lang: str | None, title: str | None) -> None:
    result = _timed(check_kr_text, text, lang, title)
    for value in result.parsed.values():
        assert not isinstance(value, float) or math.isfinite(value)
    # what the JSON output serialises must be valid JSON (no NaN/Infinity)
    json.dumps(result.model_dump(mode="json"), allow_nan=False)


def _kr(text: str) -> KeyResult | None:
    try:
        return KeyResult(text=text)
    except ValueError:  # blank text is refused by the model, as for a file
        return None


@given(
    titles=st.lists(KR_TEXT.filter(lambda t: t.strip()), min_size=1, max_size=4),
    krs=st.lists(KR_TEXT, max_size=6),
    language=st.sampled_from(["auto", "sv", "en"]),
)
def test_check_cycle_never_raises(titles: list[str], krs: list[str], language: str) -> None:
    key_results = [k for k in map(_kr, krs) if k is not None]
    cycle = Cycle(
        language=language,
        objectives=[Objective(title=t, key_results=key_results) for t in titles],
    )
    result = _timed(check_cycle, cycle)
    assert len(result.objectives) == len(titles)
    json.dumps(result.model_dump(mode="json"), allow_nan=False)

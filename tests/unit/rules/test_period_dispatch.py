"""The first-character dispatch in ``find_periods`` finds exactly what the combined pattern finds."""

from __future__ import annotations

import random

import pytest

from coach.parse import periods

_WORDS = (
    "raise nps from 32 to 45 by the end of q3 öka kundnöjdheten senast 30 juni per month "
    "i månaden within 2 days inom 2 arbetsdagar this quarter detta år last year förra året "
    "2026 2026-06-30 fy26 eoy (q4) h1 / /week p/m weekly monthly visitors ( ) - – é"
).split()


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_dispatch_matches_combined_pattern(lang: str) -> None:
    rx, _ = periods._combined(lang)
    rnd = random.Random(3)
    for _ in range(2000):
        low = "".join(
            rnd.choice(_WORDS) + rnd.choice([" ", " ", "", "/", "-", "(", "\u00a0"])
            for _ in range(rnd.randint(1, 10))
        )
        expected = [(m.start(), m.end(), m.lastgroup) for m in rx.finditer(low)]
        got = [(m.start(), m.end(), m.lastgroup) for m in periods._period_matches(low, lang)]
        assert got == expected, low
    assert periods._dispatch(lang) is not None

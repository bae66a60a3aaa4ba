"""Numbers in key results: decimal comma, thousands separators, k/M/MSEK/tkr, percentages and
percentage points, currencies, number words and multipliers ("double", "halvera").

``find_quantities`` returns every number with its unit and position; deciding which of them is
the target (and which are versions, dates or response windows) is left to the KR parser.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from coach.models import MAX_ABS_NUMBER
from coach.parse.lexicon import _alt, load_lexicon

_NUM = r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:[.,]\d+)?"
_SCALE = {
    "k": 1e3,
    "tusen": 1e3,
    "thousand": 1e3,
    "tkr": 1e3,
    "ksek": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "miljoner": 1e6,
    "miljon": 1e6,
    "msek": 1e6,
    "mkr": 1e6,
    "mnkr": 1e6,
    "bn": 1e9,
    "billion": 1e9,
    "miljarder": 1e9,
    "mdkr": 1e9,
}


_HAS_DIGIT = re.compile(r"\d")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None  # percent, pp, SEK, USD, h, ms, …; None for a plain count
    start: int
    end: int
    raw: str
    word: bool = False  # written as a word ("two", "tio")
    approx_plus: bool = False  # "50k+"


def _usable(value: float) -> float | None:
    """A number a KR can mean; 400 nines or 1e308 are not (and would overflow scoring)."""
    return value if math.isfinite(value) and abs(value) <= MAX_ABS_NUMBER else None


def to_float(raw: str) -> float | None:
    """``"1,200"`` -> 1200, ``"2,5"`` -> 2.5, ``"20 000"`` -> 20000, ``"1.2"`` -> 1.2."""
    if len(raw) > 64:  # no amount people track has more digits; float() of 1 MB is slow too
        return None
    if raw.isascii() and raw.isdigit():  # plain digits, the common case
        return _usable(float(raw))
    s = raw.replace("\u00a0", " ").replace("\u202f", " ").strip()
    if " " in s:
        s = s.replace(" ", "")
    if _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    else:
        s = s.replace(",", ".")
    try:
        return _usable(float(s))
    except ValueError:
        return None


@functools.cache
def _quantity_re(lang: str) -> re.Pattern[str]:
    lex = load_lexicon(lang)
    currencies = {k for k in lex.get("currencies")}
    units = set(lex.get("units")) - {"%"}
    symbol_cur = "|".join(re.escape(c) for c in currencies if not c.isalpha())
    word_cur = _alt([c for c in currencies if c.isalpha()])
    scale = _alt(list(_SCALE))
    # Starts at the sign or the digits (fast to scan); a currency before it is found by
    # _prefix_re on the few characters in front.
    return re.compile(
        rf"(?<![\w.,/-])(?:(?P<sign>[-+−~≈<>≥≤])\s?)?(?P<num>{_NUM})"
        rf"(?:\s?(?P<scale>{scale})(?![a-zåäö]))?(?P<plus>\+)?"
        rf"(?:\s?(?P<pct>%|procent\b|percent\b|per cent\b)|\s?(?P<post>{symbol_cur})"
        rf"|\s(?P<wcur>{word_cur})(?![a-zåäö])|\s?(?P<unit>{_alt(units)})(?![a-zåäö]))?",
        re.I,
    )


_GROUPS = ("num", "scale", "plus", "pct", "post", "wcur", "unit", "sign")
_NUM_START = re.compile(r"(?<![\w.,/-])(?:[-+−~≈<>≥≤]\s?)?\d")


def _scan_numbers(low: str, lang: str) -> list[re.Match[str]]:
    """Run the full quantity pattern only where a number starts (a cheap scan finds those)."""
    rx = _quantity_re(lang)
    out: list[re.Match[str]] = []
    end = 0
    for c in _NUM_START.finditer(low):
        if c.start() < end:
            continue
        m = rx.match(low, c.start())
        if m:
            out.append(m)
            end = m.end()
    return out


@functools.cache
def _prefix_re(lang: str) -> re.Pattern[str]:
    currencies = load_lexicon(lang).get("currencies")
    symbol_cur = "|".join(re.escape(c) for c in currencies if not c.isalpha())
    word_cur = _alt([c for c in currencies if c.isalpha()])
    return re.compile(rf"(?:(?<![\w])(?:{word_cur})\s|(?:{symbol_cur})\s?)$")


@functools.cache
def _word_number_re(lang: str) -> re.Pattern[str]:
    words = load_lexicon(lang).get("number_words")
    return re.compile(rf"(?<![\w-])(?P<w>{_alt(list(words))})(?![\w-])", re.I)


def find_quantities(low: str, lang: str, tokens: frozenset[str] | None = None) -> list[Quantity]:
    """All numbers in lower-cased text, with unit (currency, %, time unit) when one is attached."""
    lex = load_lexicon(lang)
    currencies = lex.get("currencies")
    units = lex.get("units")
    out: list[Quantity] = []
    prefix = _prefix_re(lang)
    digits = _HAS_DIGIT.search(low) is not None
    for m in _scan_numbers(low, lang) if digits else ():
        # One call for all groups (cheaper than one m.group() per name).
        num, scale, plus, pct, post, wcur, unit_word, sign = m.group(*_GROUPS)
        value = to_float(num)
        if value is None:
            continue
        scale = (scale or "").lower()
        if scale:
            value = _usable(value * _SCALE.get(scale, 1.0))
            if value is None:
                continue
        unit: str | None = None
        if pct:
            unit = "percent"
        else:
            pm = prefix.search(low, max(0, m.start() - 6), m.start())
            pre = pm.group(0) if pm else ""
            cur = (pre or post or wcur or "").strip().lower()
            if not cur and scale in ("msek", "mkr", "mnkr", "tkr", "ksek", "mdkr"):
                cur = "sek"
            if cur:
                unit = currencies.get(cur, cur.upper())
            elif unit_word:
                unit = units.get(unit_word.lower(), unit_word.lower())
        pm = pm if unit is not None and not pct else None
        if sign in ("-", "−") and not pm:
            value = -value
        start = pm.start() if pm else m.start()
        end = m.end()
        out.append(
            Quantity(
                value,
                unit,
                pm.start() if pm else m.start("num"),
                end,
                low[start:end].strip(),
                False,
                bool(plus),
            )
        )
    words = lex.get("number_words")
    unit_tail = _unit_tail_re(lang)
    if tokens is not None and not tokens & lex.words["number_words"]:
        out.sort(key=lambda q: q.start)
        return out
    for m in _word_number_re(lang).finditer(low):
        w = m.group("w").lower()
        tail = low[m.end() : m.end() + 24]
        um = unit_tail.match(tail)
        unit = units.get(um.group("u")) if um else None
        end = m.end() + (um.end() if um else 0)
        out.append(Quantity(float(words[w]), unit, m.start(), end, low[m.start() : end], word=True))
    out.sort(key=lambda q: q.start)
    return out


@functools.cache
def _unit_tail_re(lang: str) -> re.Pattern[str]:
    units = load_lexicon(lang).get("units")
    return re.compile(rf"\s(?P<u>{_alt(list(units))})(?![a-zåäö])")


_FACTOR = re.compile(r"\bfactor of (\d+(?:[.,]\d+)?)|\b(\d+(?:[.,]\d+)?)\s?(?:x|×|gånger)\b")


@functools.cache
def _multiplier_re(lang: str) -> tuple[re.Pattern[str], dict[str, float]]:
    mults = {w.lower(): float(f) for w, f in load_lexicon(lang).get("multipliers").items() if f}
    return re.compile(rf"(?<![\w-])(?:{_alt(list(mults))})(?![\w-])"), mults


def find_multiplier(low: str, lang: str) -> float | None:
    """``double`` -> 2.0, ``halvera`` -> 0.5, ``by a factor of 2`` -> 2.0."""
    m = _FACTOR.search(low)
    if m:
        return to_float(m.group(1) or m.group(2))
    rx, mults = _multiplier_re(lang)
    m = rx.search(low)
    if m and low.startswith(" down", m.end()):
        return None  # "double down on …" is an idiom, not a factor
    return mults[m.group(0)] if m else None

"""A KR's deadline phrase as a calendar date, when the phrase names one: "by 2027-03-31",
"by 30 June", "senast 30 juni 2027", "by end of March", "by Q2". A missing year is the first
such date on or after the cycle's start, so "by 30 June" in a Q1 cycle is 30 June of that year.
Anything else ("this quarter", "within 6 months") is not a date: None."""

from __future__ import annotations

import calendar
import re
from datetime import date

from coach.parse.lexicon import load_lexicon

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_QUARTER = re.compile(r"\b(?:q([1-4])|h([12]))(?:\s*[-/ ]?\s*(20\d\d))?\b", re.I)
_WORD = r"[a-zåäö]+\.?"
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|:e|:a)?\s+(?:of\s+)?({_WORD})(?:,?\s+(20\d\d))?", re.I
)
_MONTH_DAY = re.compile(rf"\b({_WORD})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(20\d\d))?", re.I)
_END_OF = re.compile(rf"\b(?:end\s+of|slutet\s+av)\s+({_WORD})(?:\s+(20\d\d))?", re.I)


def _month(word: str, lang: str) -> int | None:
    months = load_lexicon(lang).get("months")
    return months.get(word.lower().rstrip("."))


def _on_or_after(month: int, day: int, year: int | None, start: date | None) -> date | None:
    if year is None:
        year = start.year if start else date.today().year
        if start and (month, day) < (start.month, start.day):
            year += 1
    day = min(day, calendar.monthrange(year, month)[1])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def deadline_date(phrase: str | None, lang: str, start: date | None = None) -> date | None:
    """The date a deadline phrase names, else None; ``start`` (the cycle's) settles the year."""
    if not phrase:
        return None
    text = phrase.strip()
    if m := _ISO.search(text):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if m := _END_OF.search(text):
        month = _month(m[1], lang)
        if month:
            year = int(m[2]) if m[2] else None
            return _on_or_after(month, 31, year, start)
    if m := _DAY_MONTH.search(text):
        month = _month(m[2], lang)
        if month and 1 <= int(m[1]) <= 31:
            return _on_or_after(month, int(m[1]), int(m[3]) if m[3] else None, start)
    if m := _MONTH_DAY.search(text):
        month = _month(m[1], lang)
        if month and 1 <= int(m[2]) <= 31:
            return _on_or_after(month, int(m[2]), int(m[3]) if m[3] else None, start)
    if m := _QUARTER.search(text):
        last_month = int(m[1]) * 3 if m[1] else int(m[2]) * 6
        return _on_or_after(last_month, 31, int(m[3]) if m[3] else None, start)
    return None

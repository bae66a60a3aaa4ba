"""Parsing shared by the rule checks: text cleaning, numbers and units, periods, language.

Public entry points: :func:`parse_kr` (KR text -> :class:`ParsedKr` with the KR field names)
and :func:`detect_language` (``"sv"`` or ``"en"``). :func:`analyse_kr` gives the rules the full
:class:`KrFacts`.
"""

from __future__ import annotations

from coach.parse.kr import KrFacts, ParsedKr, analyse_kr, parse_kr
from coach.parse.language import detect_language

__all__ = ["KrFacts", "ParsedKr", "analyse_kr", "detect_language", "parse_kr"]

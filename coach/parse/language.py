"""Tell Swedish from English by letters (å, ä, ö), frequent function words and the words of
each language's lexicon ("halvera", "ledtiden" are Swedish even without å, ä or ö)."""

from __future__ import annotations

import functools
import re

from coach.parse.lexicon import load_lexicon

_WORD = re.compile(r"[a-zåäöéü]+")
_SV_ENDINGS = re.compile(
    r"(?:[a-zåäö]{3,}(?:tion|het|heten|ningen|ning|andet|arna|erna|orna|tiden|graden))$"
)


@functools.cache
def _vocabulary(lang: str) -> frozenset[str]:
    lex = load_lexicon(lang)
    words: set[str] = set()
    for key, entries in lex.words.items():
        if key in ("units", "currencies", "placeholders", "months"):
            continue
        words.update(w for w in entries if " " not in w and len(w) > 2)
    return frozenset(words)


# Enough text to tell the language of anything people write; more only costs time.
MAX_DETECT_CHARS = 20_000
# The longest ending above plus the three letters before it: all _SV_ENDINGS can see of a word.
_ENDING_WINDOW = 12


@functools.cache
def _only(lang: str) -> frozenset[str]:
    """Words of one language's lexicon that the other's lacks (computed once, not per text)."""
    return _vocabulary(lang) - _vocabulary("en" if lang == "sv" else "sv")


def detect_language(text: str, default: str = "en") -> str:
    """``"sv"`` or ``"en"``. Mixed text goes to whichever language has more evidence."""
    low = (text or "")[:MAX_DETECT_CHARS].lower()
    words = _WORD.findall(low)
    if not words:
        return default
    sv_stop, en_stop = load_lexicon("sv").words["stopwords"], load_lexicon("en").words["stopwords"]
    sv_only, en_only = _only("sv"), _only("en")
    sv_score = 1.5 * sum(ch in "åäö" for ch in low)
    en_score = 0.0
    for w in words:
        sv_score += (w in sv_stop) + 0.75 * (w in sv_only)
        en_score += (w in en_stop) + 0.75 * (w in en_only)
        # Only the word's tail can match (the pattern is anchored at the end); searching the
        # whole word backtracks from every position, quadratic in a very long word.
        if w not in en_only and _SV_ENDINGS.search(w[-_ENDING_WINDOW:]) and not w.endswith("tion"):
            sv_score += 0.25
    if sv_score > en_score:
        return "sv"
    if en_score > sv_score:
        return "en"
    return default

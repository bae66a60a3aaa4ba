"""Tell Swedish from English by letters (å, ä, ö) and frequent function words."""

from __future__ import annotations

import re

from coach.parse.lexicon import load_lexicon

_WORD = re.compile(r"[a-zåäöéü]+")


def detect_language(text: str, default: str = "en") -> str:
    """``"sv"`` or ``"en"``. Mixed text goes to whichever language has more evidence."""
    low = (text or "").lower()
    words = _WORD.findall(low)
    if not words:
        return default
    sv, en = load_lexicon("sv").words["stopwords"], load_lexicon("en").words["stopwords"]
    sv_score = sum(w in sv for w in words) + 1.5 * sum(ch in "åäö" for ch in low)
    en_score = float(sum(w in en for w in words))
    # Words both lists share ("per", "team") cancel out; a tie keeps the default.
    if sv_score > en_score:
        return "sv"
    if en_score > sv_score:
        return "en"
    return default

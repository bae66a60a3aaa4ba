"""The lexicons are data: both languages load, share their keys and their hint ids."""

from __future__ import annotations

from coach.parse.lexicon import load_lexicon
from coach.rules.suggest import outcome_hint

# Keys one language may have alone (Swedish compounds need word endings, English needs none).
LANGUAGE_SPECIFIC = {"metric_stems", "metric_nouns"}


def test_both_lexicons_have_the_same_keys() -> None:
    en, sv = load_lexicon("en").raw, load_lexicon("sv").raw
    assert set(en) - LANGUAGE_SPECIFIC == set(sv) - LANGUAGE_SPECIFIC
    for raw in (en, sv):
        for key, value in raw.items():
            assert value not in (None, [], {}), key


def test_outcome_hints_share_ids_and_translate() -> None:
    en_ids = {h["id"] for h in load_lexicon("en").get("outcome_hints")}
    sv_ids = {h["id"] for h in load_lexicon("sv").get("outcome_hints")}
    assert sv_ids <= en_ids
    hint = outcome_hint("Hålla 12 webbinarier om vintern", "sv", "en")
    assert hint == next(
        h["outcome"] for h in load_lexicon("en").get("outcome_hints") if h["id"] == "content"
    )
    assert "besökare" in outcome_hint("Publicera 10 blogginlägg", "sv")

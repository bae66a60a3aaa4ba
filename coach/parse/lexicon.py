"""Load the per-language lexicons (data files under coach/rules/lexicons/) once per process."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LEXICON_DIR = Path(__file__).resolve().parent.parent / "rules" / "lexicons"
LANGUAGES = ("en", "sv")
_EMPTY: dict[str, Any] = {}


def _alt(words: list[str] | set[str] | frozenset[str]) -> str:
    """A regex alternation that prefers the longest entry, so multi-word phrases win over their
    first word. Built as a prefix tree ("per(?:iod|cent)" rather than "period|percent"): the
    regex engine then rejects a position after one character instead of trying every entry,
    which is most of the cost of the period and lexicon scans. Two entries can match at the
    same place only if one is a prefix of the other, and the tree tries the longer one first,
    so the result is the same as a longest-first list."""
    tree: dict[str, Any] = {}
    for w in set(words):
        if not w:
            continue
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_pattern(tree) if tree else "(?!)"


def _trie_pattern(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:  # the entry may stop here: try the longer continuations first
        return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
    return body


@dataclass
class Lexicon:
    """One language's word lists, plus regexes compiled from them."""

    lang: str
    raw: dict[str, Any]
    words: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, value in self.raw.items():
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                self.words[key] = frozenset(v.lower() for v in value)
            elif isinstance(value, dict):
                self.words[key] = frozenset(str(k).lower() for k in value)

    def has(self, key: str, word: str) -> bool:
        return word in self.words.get(key, frozenset())

    def has_lemma(self, key: str, word: str) -> bool:
        """Like :meth:`has`, also trying simple inflections ("increases", "ökar", "höj")."""
        entries = self.words.get(key)
        if not entries:
            return False
        return any(form in entries for form in lemmas(self.lang, word))

    def lemma_in(self, key: str, word: str) -> str | None:
        """The dictionary form of ``word`` found under ``key`` (a mapping or list), if any."""
        entries = self.words.get(key)
        if not entries:
            return None
        return next((form for form in lemmas(self.lang, word) if form in entries), None)

    def get(self, key: str) -> Any:
        value = self.raw.get(key)
        if value is None and key.endswith("s"):
            return _EMPTY
        return value

    def first_words(self, key: str) -> frozenset[str]:
        """The first word of every entry: a cheap test before running a phrase regex."""
        return _first_words(self.lang, key)

    def stem_match(self, key: str, token: str) -> bool:
        """Swedish compounds: does ``token`` end in one of the stems (``kundnöjdheten``)?"""
        rx = _stem_re(self.lang, key)
        return bool(rx and rx.search(token))


@functools.lru_cache(maxsize=8192)
def lemmas(lang: str, word: str) -> tuple[str, ...]:
    """Candidate dictionary forms, most likely first (cheap suffix stripping, no dictionary)."""
    out = [word]
    if lang == "sv":
        if word.endswith(("ar", "er")):
            out += [word[:-1], word[:-2] + "a"]
        if word.endswith("s"):
            out += [word[:-1], word[:-1] + "a"]  # passive: "mäts" -> "mäta", "ökas" -> "öka"
        if word.endswith("r"):
            out += [word[:-1]]
        if not word.endswith("a"):
            out += [word + "a"]
        if word.endswith(("ade", "ad", "at")):
            out += [word[: -len("ade") if word.endswith("ade") else -2] + "a"]
    else:
        if word.endswith("ies"):
            out += [word[:-3] + "y"]
        if word.endswith("es"):
            out += [word[:-2], word[:-1]]
        elif word.endswith("s") and not word.endswith("ss"):
            out += [word[:-1]]
        if word.endswith("ed"):
            out += [word[:-2], word[:-1], word[:-3] if word[-3:-2] == word[-4:-3] else word[:-2]]
        if word.endswith("ing"):
            out += [word[:-3], word[:-3] + "e", word[:-4]]
    return tuple(dict.fromkeys(out))


@functools.cache
def load_lexicon(lang: str) -> Lexicon:
    from coach.files.yaml_io import load_data

    if lang not in LANGUAGES:
        lang = "en"
    path = LEXICON_DIR / f"{lang}.yaml"
    raw = load_data(path.read_text(encoding="utf-8"), str(path))
    return Lexicon(lang=lang, raw=raw)


@functools.cache
def _stem_re(lang: str, key: str) -> re.Pattern[str] | None:
    entries = load_lexicon(lang).words.get(key)
    if not entries:
        return None
    return re.compile(rf"(?:{_alt(entries)})(?:en|et|er|erna|na|n|s|ar|arna)?$")


@functools.cache
def _first_words(lang: str, key: str) -> frozenset[str]:
    entries = load_lexicon(lang).words.get(key, frozenset())
    return frozenset(e.split()[0] for e in entries if e.split())

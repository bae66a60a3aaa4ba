"""Dates and periods: deadlines ("by Q3", "senast 30 juni", "this year", "within 6 months"),
rates over a period ("per month", "/week", "i månaden"), response windows ("within 2 hours",
"inom 2 arbetsdagar": part of the target, not a deadline) and reference periods
("compared to last year", "förra året": not a deadline either)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from coach.parse.lexicon import _alt, load_lexicon

# Counting words a period length may use ("within six months", "inom de närmaste tre månaderna").
_COUNT = (
    r"(?:\d+|a|an|one|two|three|four|five|six|nine|twelve|eighteen|a few|en|ett|två|tre|fyra|"
    r"fem|sex|nio|tolv|arton|några)"
)
_LONG = ("month", "quarter", "year", "half", "tertial")


@dataclass(frozen=True)
class Span:
    kind: str  # deadline | rate | window | reference
    start: int
    end: int
    text: str
    period: str | None = None  # day, week, month, quarter, year, … when known


@functools.cache
def _patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    lex = load_lexicon(lang)
    months = _alt(list(lex.get("months")))
    nouns = lex.get("period_nouns")
    long_nouns = _alt([n for n, p in nouns.items() if p in _LONG])
    all_nouns = _alt(list(nouns))
    plural = ("er", "ar", "na", "or") if lang == "sv" else ("s",)
    single = _alt([n for n in nouns if not n.endswith(plural)])
    window_units = _alt(lex.get("window_units"))
    rates = _alt(list(lex.get("rate_adverbs")))
    current = _alt(lex.get("current_periods"))
    refs = _alt(lex.get("reference_periods"))
    b, e = r"(?<![\w-])", r"(?![\w-])"
    if lang == "sv":
        deadline_prep = r"(?:senast|före|innan|till|fram till|under|i|inom|per|vid|i slutet av|vid slutet av|till slutet av|för)"
        within = r"(?:inom|under|på)(?:\s+(?:de|den)\s+(?:närmaste|kommande|nästa))?"
        rate_prep = r"(?:per|varje|/)"
        end_of = r"(?:(?:i|vid|till)\s+)?(?:slutet|utgången)\s+av"
    else:
        deadline_prep = r"(?:by|before|until|till|in|during|for|through|at|no later than|on)"
        within = r"(?:within|in|over)(?:\s+the)?(?:\s+(?:next|coming|following))?"
        rate_prep = r"(?:per|a|an|each|every|/)"
        end_of = r"(?:(?:by|at|before)\s+)?(?:the\s+)?end\s+of(?:\s+the)?"
    events = _alt(lex.get("events"))
    seasons = _alt(lex.get("seasons"))
    years = _alt(lex.get("year_kinds"))
    return [
        ("reference", re.compile(rf"{b}(?:{refs}){e}")),
        ("deadline", re.compile(rf"{b}(?:{years})\s*\d{{4}}(?:\s?[/-]\s?\d{{2,4}})?{e}")),
        (
            "deadline",
            re.compile(
                rf"{b}(?:{deadline_prep}|this|next|detta|nästa)\s+(?:the\s+)?(?:{events}|{seasons}){e}"
            ),
        ),
        ("deadline", re.compile(rf"{b}(?:{events}){e}")),
        ("window", re.compile(rf"{b}{within}\s+{_COUNT}\s+(?:{window_units}){e}")),
        ("deadline", re.compile(rf"{b}{within}\s+{_COUNT}\s+(?:{long_nouns}){e}")),
        ("deadline", re.compile(rf"{b}(?:{current}){e}")),
        (
            "deadline",
            re.compile(
                rf"{b}{end_of}\s+(?:(?:first|second|next|this|första|andra|nästa|detta)\s+)?(?:{all_nouns}|q[1-4]|h[12]|\d{{4}}|{months}){e}"
            ),
        ),
        (
            "deadline",
            re.compile(
                rf"{b}\(?(?:eoq|eoy|eom|q[1-4]|h[12]|t[1-3]|fy\s?'?\d{{2,4}})(?:\s?[-/ ]?\s?'?(?:20)?\d{{2}})?{e}\)?"
            ),
        ),
        ("deadline", re.compile(rf"{b}\d{{4}}-\d{{2}}-\d{{2}}{e}")),
        (
            "deadline",
            re.compile(
                rf"{b}(?:{deadline_prep}\s+)?(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th|:e|:a)?\s+(?:of\s+)?(?:{months})(?:\s+\d{{4}})?{e}"
            ),
        ),
        (
            "deadline",
            re.compile(
                rf"{b}(?:{deadline_prep}\s+)?(?:{months})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?{e}"
            ),
        ),
        (
            "deadline",
            re.compile(
                rf"{b}{deadline_prep}\s+(?:the\s+)?(?:end\s+of\s+)?(?:{months})(?:\s+\d{{4}})?{e}"
            ),
        ),
        ("deadline", re.compile(rf"{b}(?:{deadline_prep})\s+(?:20\d\d|fy\d\d){e}")),
        ("deadline", re.compile(rf"{b}(?:this|next|detta|nästa|det här)\s+(?:{single}){e}")),
        # A bare year names the period ("… av omsättningen 2026"), unless it is a reference.
        (
            "deadline",
            re.compile(
                r"(?<!med )(?<!to )(?<!than )(?<!än )(?<!since )(?<!sedan )(?<!från )"
                r"(?<!from )(?<!with )(?<![\w/.-])20[2-9]\d(?![\w/-]|\.\d)"
            ),
        ),
        # "från och med 2025", "from 2025 onwards": the date the target holds from
        ("deadline", re.compile(rf"{b}(?:från och med|fr\.o\.m\.?|from)\s+(?:år\s+)?20\d\d{e}")),
        # "vart fjärde år", "every other week", "every 2 months": a rate with a longer step
        (
            "rate",
            re.compile(
                rf"{b}(?:vart|varje|every)\s+(?:annat|annan|andra|tredje|fjärde|femte|other|second|"
                rf"third|two|three|four|five|\d+)\s+(?:{all_nouns}){e}"
            ),
        ),
        # "rullande 12 månader", "rolling 12 months": a measurement over a moving period
        ("rate", re.compile(rf"{b}(?:rullande|rolling)\s+{_COUNT}\s+(?:{all_nouns}){e}")),
        # "per kvadratmeter och år", "per user and month": a rate per year
        ("rate", re.compile(rf"{b}per\s+[\wåäö-]+\s+(?:och|and|&)\s+(?:{single}){e}")),
        ("rate", re.compile(rf"(?:{b}{rate_prep}\s*|/\s?)(?:{single}){e}")),
        # "monthly" after the number or at the end; "monthly website visitors" names a metric.
        ("rate", re.compile(rf"(?<!the )(?<!our )(?<!a )(?<!den )(?<!vår ){b}(?:{rates}){e}")),
        ("rate", re.compile(rf"\b(?:p/m|p\.m\.|p/w|p/a){e}")),
    ]


_WINDOW_LONG = re.compile(r"(\d+)\s+(?:days|dagar|arbetsdagar)")


@functools.cache
def _combined(lang: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """All patterns as one ordered alternation: one scan instead of one per pattern. At the
    same position the earlier pattern wins, as in the list above."""
    patterns = _patterns(lang)
    kinds = tuple(kind for kind, _ in patterns)
    alternatives = "|".join(f"(?P<g{i}>{p.pattern})" for i, (_, p) in enumerate(patterns))
    # Only try the alternatives where a word, a number, "(" or "/" starts: a cheap first test.
    rx = re.compile(rf"(?:(?<![\w-])|(?=/))(?:{alternatives})")
    return rx, kinds


_ASCII = frozenset(chr(i) for i in range(128))
_CATEGORY_RX = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
}


def _first_chars(items: Any) -> tuple[frozenset[str], bool]:
    """The ASCII characters a parsed pattern can start with, and whether it can match empty.
    Conservative: anything not understood here may start with any character."""
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            first, nullable = frozenset({chr(av)}), False
        elif name == "IN":
            first, nullable = _charset(av), False
        elif name in ("ANY", "NOT_LITERAL"):
            first, nullable = _ASCII, False
        elif name == "BRANCH":
            parts = [_first_chars(b) for b in av[1]]
            first = frozenset().union(*(f for f, _ in parts))
            nullable = any(n for _, n in parts)
        elif name == "SUBPATTERN":
            first, nullable = _first_chars(av[3])
            if av[1] or av[2]:  # inline flags (e.g. ignore case): any character
                first = _ASCII
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            first, nullable = _first_chars(av[2])
            nullable = nullable or av[0] == 0
        elif name == "ATOMIC_GROUP":
            first, nullable = _first_chars(av)
        elif name in ("ASSERT", "ASSERT_NOT", "AT"):
            first, nullable = frozenset(), True  # zero-width
        else:
            return _ASCII, True
        out |= first
        if not nullable:
            return frozenset(out), False
    return frozenset(out), True


def _charset(items: Any) -> frozenset[str]:
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.add(chr(av))
        elif name == "RANGE":
            out.update(chr(c) for c in range(av[0], min(av[1], 127) + 1))
        elif name == "CATEGORY" and str(av) in _CATEGORY_RX:
            rx = re.compile(_CATEGORY_RX[str(av)])
            out.update(c for c in _ASCII if rx.match(c))
        else:  # NEGATE, other categories: any character
            return _ASCII
    return frozenset(out)


@functools.cache
def _dispatch(
    lang: str,
) -> tuple[re.Pattern[str], dict[str, tuple[int, ...]], dict[str, re.Pattern[str]]] | None:
    """Per first character (ASCII), which alternatives of the combined pattern can start
    with it; ``_subset`` compiles them (in the same order, with the same group names) the
    first time a character needs them, so at any position the subset finds exactly what the
    full pattern finds without trying the alternatives that cannot start there. Returns the
    start scan, the keys and an (initially empty) table of compiled subsets; None when some
    alternative could match empty text (then the full scan is used)."""
    import re._parser as sre_parse

    patterns = _patterns(lang)
    firsts = []
    for _, p in patterns:
        first, nullable = _first_chars(sre_parse.parse(p.pattern, p.flags).data)
        if nullable or p.flags & re.IGNORECASE:
            return None
        firsts.append(first)
    keys = {ch: tuple(i for i, f in enumerate(firsts) if ch in f) for ch in sorted(_ASCII)}
    # Where a match can start: after no word character or hyphen, or at "/" (the combined
    # pattern's own guard), and only at a character some alternative can start with.
    live = "".join(re.escape(ch) for ch, key in keys.items() if key)
    starts = re.compile(rf"(?<![\w-])[{live}\x80-\U0010ffff]" + ("|/" if keys["/"] else ""))
    return starts, keys, {}


@functools.cache
def _subset(lang: str, key: tuple[int, ...]) -> re.Pattern[str]:
    patterns = _patterns(lang)
    alternatives = "|".join(f"(?P<g{i}>{patterns[i][1].pattern})" for i in key)
    return re.compile(rf"(?:(?<![\w-])|(?=/))(?:{alternatives})")


def _period_matches(low: str, lang: str) -> Iterator[re.Match[str]]:
    """What ``_combined(lang)[0].finditer(low)`` yields, trying at each position only the
    alternatives that can start with its character."""
    rx, _ = _combined(lang)
    dispatch = _dispatch(lang)
    if dispatch is None:
        yield from rx.finditer(low)
        return
    starts, keys, compiled = dispatch
    end = 0
    for c in starts.finditer(low):
        pos = c.start()
        if pos < end:
            continue
        ch = c.group()
        sub = compiled.get(ch)
        if sub is None:
            key = keys.get(ch)
            if key is None:
                sub = rx  # a non-ASCII character: every alternative
            elif not key:  # (the start scan skips these characters already)
                continue
            else:
                sub = compiled[ch] = _subset(lang, key)
        m = sub.match(low, pos)
        if m is not None:
            end = m.end()
            yield m


def find_periods(low: str, lang: str) -> list[Span]:
    """Non-overlapping period spans, leftmost first (a window is not also a rate)."""
    _, kinds = _combined(lang)
    spans: list[Span] = []
    for m in _period_matches(low, lang):
        kind = kinds[int(m.lastgroup[1:])] if m.lastgroup else "deadline"
        text = m.group(0).strip(" ()")
        if not text:
            continue
        if kind == "window":
            n = _WINDOW_LONG.search(text)
            if n and int(n.group(1)) >= 60:  # "within 90 days" is a quarter, not a window
                kind = "deadline"
        if kind == "rate" and text.isalpha() and _names_a_thing(low, m.end(), lang):
            continue
        spans.append(
            _with_preposition(Span(kind, m.start(), m.end(), text, _period_of(text, lang)), low)
        )
    return spans


_NEXT_WORD = re.compile(r"\s+([a-zåäö][\wåäö-]*)")


def _names_a_thing(low: str, end: int, lang: str) -> bool:
    """ "monthly website visitors", "annual plans": an adjective in a name, not a period. A
    rate stays a rate before a measure ("45k monthly visits", "monthly uptime")."""
    m = _NEXT_WORD.match(low, end)
    if not m:
        return False
    lex = load_lexicon(lang)
    word = m.group(1)
    measures = ("metric_nouns", "result_nouns", "external_people")
    return not any(lex.has(k, word) or lex.has(k, word.rstrip("s")) for k in measures)


_PREP_BEFORE = re.compile(
    r"(?:by|before|until|till|in|during|for|senast|före|innan|under|i|till)\s+(?:the\s+)?$"
)


def _with_preposition(span: Span, low: str) -> Span:
    """Let a deadline span start at its preposition: "by Q3", not "Q3"."""
    if span.kind != "deadline":
        return span
    m = _PREP_BEFORE.search(low[max(0, span.start - 14) : span.start])
    if not m or low[span.start - len(m.group(0)) - 1 : span.start - len(m.group(0))].isalnum():
        return span
    start = span.start - len(m.group(0))
    return Span(span.kind, start, span.end, low[start : span.end].strip(" ()"), span.period)


_WORDS = re.compile(r"[\w/.]+")
_QUARTER = re.compile(r"\bq[1-4]\b|eoq")
_HALF = re.compile(r"\bh[12]\b")
_YEAR = re.compile(r"\bfy|eoy|20\d\d")


@functools.lru_cache(maxsize=4096)
def _period_of(text: str, lang: str) -> str | None:
    lex = load_lexicon(lang)
    nouns, rates = lex.raw["period_nouns"], lex.raw["rate_adverbs"]
    for word in _WORDS.findall(text):
        if word in nouns:
            return nouns[word]
        if word in rates:
            return rates[word]
    if _QUARTER.search(text):
        return "quarter"
    if _HALF.search(text):
        return "half"
    if _YEAR.search(text):
        return "year"
    return None

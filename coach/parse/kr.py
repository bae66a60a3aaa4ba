"""Read one key result: what is measured, from where, to where, in which direction, by when.

``analyse_kr`` returns :class:`KrFacts` (everything the rules need, computed once);
``parse_kr`` returns the public :class:`ParsedKr` with the KR field names of the cycle file.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from coach.parse.language import detect_language
from coach.parse.lexicon import Lexicon, _alt, load_lexicon
from coach.parse.numbers import Quantity, find_multiplier, find_quantities
from coach.parse.periods import Span, find_periods
from coach.parse.text import CleanText, clean

TOKEN = re.compile(r"[\wåäöéü][\wåäöéü'’.+-]*[\wåäöéü%]|[\wåäöéü]|[<>≥≤=%]")
_VERSION_WORDS = frozenset(
    "version versions v release postgres postgresql python ios android java node php ruby rails "
    "react vue angular windows macos linux ubuntu debian http tls ipv iso gdpr wcag sprint "
    "phase fas steg step level nivå stage".split()
)
_VALUE_CONTEXT = frozenset(
    "from to till at of by med av från på under over below above than än least most minst "
    "högst max min is är was var = : reach når nå hit achieve uppnå around about ca cirka "
    "approximately roughly up down within inom in i currently current today now idag nu "
    "baseline baslinje nuläge utgångsläge instead".split()
)
_STOP_METRIC = re.compile(
    r"\s(?:from|by|to|at|of|in|within|before|until|for|across|among|med|från|till|"
    r"inom|senast|under|på|för|i|hos|bland|vid|with|so|som|that|which|and|och)(?![\wåäö-])|"
    r"\s?(?:,|\(|–)|\s-\s"  # a dash, not the hyphen of "insamlings- och förvaltningskostnader"
)


class ParsedKr(BaseModel):
    """The KR fields read from free text; empty where the text does not say."""

    model_config = ConfigDict(extra="forbid")

    metric: str | None = None
    baseline: float | None = None
    target: float | None = None
    unit: str | None = None
    direction: str | None = None
    deadline: str | None = None
    owner: str | None = None
    change: str | None = None  # a relative change with no level, e.g. "+10 %" or "×2"


@dataclass
class KrFacts:
    """Everything the rules read about one KR, computed once."""

    original: str
    clean: CleanText
    lang: str
    lex: Lexicon
    tokens: list[tuple[str, int, int]]
    body_start: int  # where the KR proper starts after lead-ins ("we will", "vi ska")
    quantities: list[Quantity]
    targets: list[Quantity]  # quantities that can be a level or a count (not dates, versions)
    periods: list[Span]
    baseline: Quantity | None = None
    target: Quantity | None = None
    relative: Quantity | None = None
    multiplier: float | None = None
    placeholder: bool = False
    zero: bool = False
    universal: bool = False
    success_criterion: bool = False
    referenced_comparison: bool = False
    direction: str | None = None
    metric: str | None = None
    bau_lead: bool = False  # "continue to …", "fortsätta …"
    tokset: frozenset[str] = frozenset()
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.clean.text

    @property
    def low(self) -> str:
        return self.clean.lower

    def spans(self, kind: str) -> list[Span]:
        return [s for s in self.periods if s.kind == kind]

    @property
    def deadline(self) -> Span | None:
        return next((s for s in self.periods if s.kind == "deadline"), None)

    @property
    def rate(self) -> Span | None:
        return next((s for s in self.periods if s.kind == "rate"), None)

    @property
    def has_quantity(self) -> bool:
        """A number a person could check the KR against (or zero / all / a multiplier)."""
        return bool(
            self.targets
            or self.multiplier
            or self.zero
            or self.universal
            or self.success_criterion
            or self.referenced_comparison
        )

    def words(self, start: int = 0) -> list[str]:
        return [t for t, s, _ in self.tokens if s >= start]

    def _span_text(self, span: Span | None) -> str | None:
        return _span_text_of(self, span)

    def to_parsed(self) -> ParsedKr:
        return ParsedKr(**self.parsed_fields())

    def parsed_fields(self) -> dict[str, Any]:
        """The parsed KR fields as a plain dict (empty ones left out): the engine's hot path."""
        change = None
        if self.relative is not None:
            sign = "-" if self.direction == "down" else "+"
            unit = {"percent": " %", "pp": " pp", "points": " points"}.get(
                self.relative.unit or "", ""
            )
            change = f"{sign}{_fmt(abs(self.relative.value))}{unit}"
        elif self.multiplier:
            change = f"×{_fmt(self.multiplier)}"
        q = self.target
        fields = {
            "metric": self.metric,
            "baseline": self.baseline.value if self.baseline else None,
            "target": q.value if q else None,
            "unit": (q.unit if q else None) or (self.baseline.unit if self.baseline else None),
            "direction": self.direction,
            "deadline": self._span_text(self.deadline) or self._span_text(self.rate),
            "owner": self.clean.owner,
            "change": change,
        }
        return {k: v for k, v in fields.items() if v is not None}


def _span_text_of(facts: KrFacts, span: Span | None) -> str | None:
    """A period in the KR's own spelling ("by the end of Q2"), not lower-cased."""
    if span is None:
        return None
    text = facts.clean.text[span.start : span.end].strip(" ()")
    return text if text.lower() == span.text else span.text


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


@functools.cache
def _lead_in_re(lang: str) -> re.Pattern[str]:
    lead = load_lexicon(lang).get("lead_ins")
    return re.compile(rf"^(?:(?:{_alt(lead)})\s+)+")


@functools.cache
def _baseline_re(lang: str) -> re.Pattern[str]:
    if lang == "sv":
        words = (
            r"från|upp från|ned från|ner från|i stället för|istället för|jämfört med|"
            r"(?:\(|,\s)(?:idag|i dag|nu|nuläge|nuvarande(?: nivå| värde)?|utgångsläge|"
            r"baslinje|startvärde|senast|förra året|i fjol)\s*(?:är|var|:|=|ligger på)?|"
            r"baslinje(?:n)?\s*(?:är|:|=)?|utgångsläge(?:t)?\s*(?:är|:|=)?"
        )
    else:
        words = (
            r"from|up from|down from|instead of(?: a| an| the)?|compared to|compared with|"
            r"(?:\(|,\s)(?:currently|current(?: value| level)?|today|now|baseline|was|"
            r"last (?:quarter|year|month))\s*(?:is|was|:|=|at)?|"
            r"baseline(?: of| is| at)?\s*:?|starting (?:at|from|point)\s*:?"
        )
    return re.compile(
        rf"(?<![\w-])(?:{words})\s*(?:about |around |roughly |ca\.? |cirka |~)?", re.I
    )


@functools.cache
def _relative_re(lang: str) -> re.Pattern[str]:
    # "by 10 %", "med 15 %", "an increase of 5 points"; "a score of 97 %" is a level.
    if lang == "sv":
        by = r"med|med ytterligare|(?:ökning|minskning|förbättring|höjning|sänkning)\s+(?:på|med)"
    else:
        by = r"by|with|by another|(?:increase|growth|rise|decrease|reduction|drop|uplift)\s+of"
    return re.compile(rf"(?<![\w-])(?:{by})\s+(?:at least |minst |över |about |ca )?$")


@functools.cache
def _misc_res(lang: str) -> dict[str, re.Pattern[str]]:
    lex = load_lexicon(lang)
    ph = [p for p in lex.get("placeholders") if " " in p]
    crit = lex.get("success_criteria")
    people = sorted(
        lex.words.get("external_people", frozenset())
        | lex.words.get("internal_people", frozenset())
    )
    return {
        "placeholder": re.compile(
            r"(?<![\w.])(?:x{1,3}|n|tbd|tbc|\?{1,3})\s?(?:%|procent|percent)"
            r"|(?<=by |med|to |ll |at |of |av |ng |om |is |är )\s?(?:x{1,3}|n|tbd|tbc)(?=\s+[a-zåäö]{3,}|$)"
            r"|(?<![\w.])(?:tbd|tbc)(?![\w.])"
            + (rf"|(?<![\w-])(?:{_alt(ph)})(?![\w-])" if ph else "")
        ),
        "zero": re.compile(
            r"^(?:zero|no|noll|inga|ingen|inget)\s|(?<![\w-])(?:zero|noll)(?![\w-])"
        ),
        "all": re.compile(r"(?<![\w-])(?:all|every|each|alla|samtliga|varje|100\s?%)(?![\w-])"),
        "all_people": re.compile(
            rf"^(?:all|every|alla|samtliga|100\s?%)(?:\s+\S+){{0,3}}?\s+(?:of\s+|i\s+|av\s+)?"
            rf"(?:the\s+|our\s+|våra\s+)?(?:{_alt(people)})"
        ),
        # "Alla verksamheter har …", "All services are …": a coverage target.
        # "completed by all staff": everyone doing it is the target
        "by_all": re.compile(
            r"(?<![\w-])(?:by|av|get|have|få)\s+(?:all|every|alla|samtliga)\s+"
            r"(?:(?:new|nya|our|våra|active|aktiva|existing|befintliga)\s+)?(?P<who>[\wåäö]+)"
        ),
        "all_state": re.compile(
            r"^(?:all|every|alla|samtliga)\s+(?:\S+\s+){1,5}?(?:have|has|are|is|use|uses|har|är|"
            r"använder|ska ha|ska vara)\b"
        ),
        "criterion": re.compile(rf"(?<![\w-])(?:{_alt(crit)})(?![\w-])")
        if crit
        else re.compile("$^"),
        "than": re.compile(r"(?<![\w-])(?:than|än)(?![\w-])"),
        "qualifier": re.compile(r"^-(?:day|week|month|year|dag|dagars|veckors|månaders)"),
    }


def _tokens(low: str) -> list[tuple[str, int, int]]:
    return [(m[0], m.start(), m.end()) for m in TOKEN.finditer(low)]


_PREV_WORD = re.compile(r"([\wåäö=:<>]+)[\s(]*$")
_NEXT_WORD = re.compile(r"[\s)]*([\wåäö]+)")


def _prev_word(low: str, pos: int) -> str:
    head = low[max(0, pos - 40) : pos].rstrip(" (")
    if not head:
        return ""
    # The last word (a short tail suffices): what _PREV_WORD.search(head, len(head) - 24)
    # finds, without the regex call (\w is str.isalnum() or "_", \s is str.isspace()).
    lo = max(0, len(head) - 24)
    end = len(head)
    while end > lo and (head[end - 1].isspace() or head[end - 1] == "("):
        end -= 1
    start = end
    while start > lo and (head[start - 1].isalnum() or head[start - 1] in "_=:<>"):
        start -= 1
    return head[start:end]


def _next_word(low: str, pos: int) -> str:
    m = _NEXT_WORD.match(low, pos)
    return m.group(1) if m else ""


_SEMVER = re.compile(r"\d+\.\d+\.\d+")
_ACRONYM_BEFORE = re.compile(r"([A-Za-z]+)[\s-]*$")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_BEFORE_NOW = re.compile(r"\s*(?:before|förut|tidigare|idag|today|now|nu)\b")
_MORE_TAIL = re.compile(r"\s*(?:more|fewer|less|mer|fler|mindre|högre|lägre)\b")
_DOWN_LEVEL = re.compile(
    r"(?<![\w-])(?:under|below|less than|fewer than|at most|max|no more than|högst|understiger|"
    r"mindre än|färre än|lägre än|under|<|≤)\s?\S*\d"
)
_UP_LEVEL = re.compile(
    r"(?<![\w-])(?:at least|above|over|more than|minst|över|mer än|fler än|≥|>)\s?\S*\d"
)
_SHARE_OF = re.compile(r"\s+(?:of|av)\s+(?:the\s+|all\s+|de\s+)?")
_WHITESPACE = re.compile(r"\s+")
_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace other than a plain space
_LETTER = re.compile(r"[A-Za-zÅÄÖåäö]")


def _is_metric_word(lex: Lexicon, word: str) -> bool:
    return lex.has("metric_nouns", word) or lex.stem_match("metric_stems", word)


def _is_name_number(facts_low: str, q: Quantity, lex: Lexicon, original: str) -> bool:
    """``Postgres 17``, ``multistream 2.0 is implemented``, ``1.0 version``: names, not targets."""
    if q.unit or q.word or facts_low[q.end : q.end + 1] == "/":
        return False  # "4/5" is a rating
    prev = _prev_word(facts_low, q.start)
    nxt = _next_word(facts_low, q.end)
    if (
        _SEMVER.fullmatch(q.raw)
        or prev in _VERSION_WORDS
        or nxt in ("version", "versionen", "release")
    ):
        return True
    if not prev or prev in _VALUE_CONTEXT or _is_metric_word(lex, prev) or prev.isdigit():
        return False
    m = _ACRONYM_BEFORE.search(original, max(0, q.start - 12), q.start)
    if m and m.group(1).isupper() and 2 <= len(m.group(1)) <= 5:
        return True  # "SOC 2", "ISO 27001", "GDPR 2": a standard's name
    if (
        lex.has("result_verbs", prev)
        or lex.has("activity_verbs", prev)
        or lex.has("weak_verbs", prev)
    ):
        return False
    ends = not nxt or nxt in ("is", "are", "är", "has", "har", "and", "och", "on", "in", "to")
    return ends and _PLAIN_NUMBER.fullmatch(q.raw) is not None


_PLACEHOLDER_WORDS = frozenset("x xx xxx n tbd tbc".split())


@functools.cache
def _placeholder_words(lang: str) -> frozenset[str]:
    return _PLACEHOLDER_WORDS | load_lexicon(lang).first_words("placeholders")


_ZERO_WORDS = frozenset("zero no noll inga ingen inget".split())
_ALL_WORDS = frozenset("all every each alla samtliga varje".split())
_THAN_WORDS = frozenset("than än".split())


def _is_year(q: Quantity) -> bool:
    """ "jämfört med 2025", "Vision 2030": a year is a point in time, not a level."""
    return q.unit is None and not q.word and q.raw.isdigit() and 1990 <= q.value <= 2099


def analyse_kr(text: str, lang: str | None = None) -> KrFacts:
    """Parse one KR's text. ``lang`` None or ``auto`` means detect it."""
    ct = clean(text)
    if lang not in ("sv", "en"):
        lang = detect_language(ct.text)
    lex = load_lexicon(lang)
    low = ct.lower
    tokens = _tokens(low)
    tokset = frozenset(t for t, _, _ in tokens)
    m = (
        _lead_in_re(lang).match(low)
        if tokens and tokens[0][0] in lex.first_words("lead_ins")
        else None
    )
    body_start = m.end() if m else 0
    periods = find_periods(low, lang)
    quantities = find_quantities(low, lang, tokset)
    res = _misc_res(lang)

    def in_span(q: Quantity, kinds: tuple[str, ...]) -> bool:
        return any(s.kind in kinds and s.start <= q.start < s.end for s in periods)

    windows = [q for q in quantities if in_span(q, ("window",))] if periods else []
    targets: list[Quantity] = []
    for q in quantities:
        if periods and in_span(q, ("deadline", "rate", "reference", "window")):
            continue
        # The qualifier pattern starts with "-": test that character before running it.
        if (low.startswith("-", q.end) and res["qualifier"].match(low[q.end : q.end + 10])) or low[
            q.start : q.end + 4
        ].startswith("24/7"):
            continue
        if _is_name_number(low, q, lex, ct.text) or _is_year(q):
            continue
        targets.append(q)

    facts = KrFacts(
        original=text,
        clean=ct,
        lang=lang,
        lex=lex,
        tokens=tokens,
        body_start=body_start,
        quantities=quantities,
        targets=targets,
        periods=periods,
    )
    facts.tokset = tokset
    # Each regex below runs only when one of its words is in the text (most KRs have none).
    placeholders = _placeholder_words(lang)
    if "?" in low or not placeholders.isdisjoint(
        (t.rstrip("%") for t in tokset) if "%" in low else tokset  # no "%": nothing to strip
    ):
        facts.placeholder = bool(res["placeholder"].search(low))
    if tokset & _ZERO_WORDS:
        facts.zero = bool(res["zero"].search(low[body_start:]))
    if tokset & lex.first_words("success_criteria"):
        facts.success_criterion = bool(res["criterion"].search(low))
    factor = (
        "factor" in tokset
        or "×" in low
        or "gånger" in tokset
        or (
            "x" in low  # "2x": a token ending in x
            and any(
                t[-1] == "x" and t[:-1].replace(".", "").isdigit() for t in tokset if len(t) > 1
            )
        )
    )
    if tokset & lex.first_words("multipliers") or factor:
        facts.multiplier = find_multiplier(low, lang)
    if tokset & _ALL_WORDS or "100" in low:
        _find_universal(facts, res)
    if tokset & _THAN_WORDS:
        _find_comparison(facts, res)
    _find_levels(facts, windows)
    _find_direction(facts)
    facts.metric = _find_metric(facts)
    return facts


def _find_universal(f: KrFacts, res: dict[str, re.Pattern[str]]) -> None:
    """ "All P1 bugs fixed" is a target (zero open); "runbooks for all services" is a task list."""
    body = f.low[f.body_start :]
    if res["all_people"].match(body) or res["all_state"].match(body):
        f.universal = True
        return
    for m in res["by_all"].finditer(f.low):
        who = m.group("who")
        if any(f.lex.has(k, who) for k in ("external_people", "internal_people", "result_nouns")):
            f.universal = True
            return
    for m in res["all"].finditer(f.low):
        following = [t for t, s, _ in f.tokens if s >= m.end()][:4]
        if any(
            f.lex.has("defect_nouns", w) or f.lex.has("defect_nouns", w.split("/")[0])
            for w in following
        ):
            f.universal = True
            return


def _find_comparison(f: KrFacts, res: dict[str, re.Pattern[str]]) -> None:
    """ "A faster transaction time than those they replaced": a checkable comparison."""
    than = res["than"].search(f.low)
    if not than:
        return
    before = [t for t, s, _ in f.tokens if s < than.start()][-6:]
    after = f.low[than.end() : than.end() + 20]
    if any(f.lex.has("dimensional_comparatives", w) for w in before) and not _BEFORE_NOW.match(
        after
    ):
        f.referenced_comparison = True


def _find_levels(f: KrFacts, windows: list[Quantity]) -> None:
    """Baseline (from-value), relative change ("by 10 %") and target among the quantities."""
    low = f.low
    remaining = list(f.targets)
    for m in _baseline_re(f.lang).finditer(low):
        q = next((q for q in remaining if m.end() <= q.start <= m.end() + 3), None)
        if q is not None:
            f.baseline = q
            remaining.remove(q)
            break
    if f.baseline is None and ("→" in low or "->" in low or "=>" in low):
        # "8h → 4h": the level before the arrow is where we start
        arrow = max(low.find("→"), low.find("->"), low.find("=>"))
        before = [q for q in remaining if q.end <= arrow and arrow - q.end <= 3]
        if before:
            f.baseline = before[-1]
            remaining.remove(before[-1])
    rel = _relative_re(f.lang)
    for q in list(remaining):
        head = low[max(0, q.start - 30) : q.start]
        tail = low[q.end : q.end + 12]
        relative_unit = q.unit in ("percent", "pp", "points")
        # Only a relative unit can be a change: the two patterns are not tried otherwise.
        if relative_unit and (rel.search(head) or (_MORE_TAIL.match(tail) and q.unit != "points")):
            f.relative = q
            remaining.remove(q)
            break
        if q.start > 0 and low[q.start - 1] == "+" and q.unit == "percent" and not f.baseline:
            f.relative = q
            remaining.remove(q)
            break
    if remaining:
        pick = None
        for q in remaining:
            prev = _prev_word(low, q.start)
            if prev in (
                "to",
                "till",
                "at",
                "reach",
                "når",
                "nå",
                "of",
                "under",
                "below",
                "above",
                "over",
                "least",
                "minst",
                "högst",
                "most",
                "than",
                "än",
                "=",
                "<",
                ">",
                "≥",
                "≤",
                "is",
                "är",
                "was",
                "var",
            ):
                pick = q
        f.target = pick or remaining[-1]
    elif windows and not f.relative:
        f.target = windows[0]
        f.targets = [*f.targets, windows[0]]
    if f.relative is None and f.target is None and f.baseline is not None and windows:
        # "(from 14)" with the level stated as a window: "within 5 days (from 14)"
        f.target = windows[0]


def _find_direction(f: KrFacts) -> None:
    lex = f.lex
    verbs = lex.get("result_verbs")
    words = f.words(f.body_start)
    for w in words[:8]:
        if w in verbs and verbs[w] in ("up", "down", "hold"):
            f.direction = verbs[w]
            break
    low = f.low
    if f.direction is None and _DOWN_LEVEL.search(low):
        f.direction = "down"
    if f.direction is None and _UP_LEVEL.search(low):
        f.direction = "up"
    if f.baseline and f.target and f.direction not in ("hold",):
        if f.target.value < f.baseline.value:
            f.direction = "down"
        elif f.target.value > f.baseline.value:
            f.direction = "up"
    if f.direction is None and f.multiplier:
        f.direction = "down" if f.multiplier < 1 else "up"
    if f.bau_lead:
        f.direction = "hold"


# A lead-in that sets the scene before the KR proper: "By 2023, …", "In emerging markets, …".
_LEAD_ADVERBIAL = re.compile(
    r"(?:by|in|during|until|before|within|for|across|i|inom|senast|under|till|för|efter)"
    r"\s[^,.;:]{1,40},\s+"
)
# Words that only say how a measure is counted; alone they name no measured thing.
_GENERIC_MEASURE = frozenset(
    """number numbers count amount amounts percentage percent share proportion rate ratio level
    total antal antalet andel andelen mängd mängden procent nivå nivån summa summan""".split()
)
# "Reach at least 75 points …": a qualifier before the number is part of the number.
_QUALIFIER = re.compile(
    r"\s*(?:at least|at most|more than|no fewer than|over|above|under|up to|minst|högst|över|"
    r"mer än|fler än|upp till)\s+"
)
_PREPOSITIONS = frozenset(
    "by in during until before within for across i inom senast under till för efter år".split()
)
_POSSESSIVES = frozenset("its their our his her sin sitt sina vår vårt våra deras dess".split())
# Grade or school-year numbers belong to the measured group ("pupils in year 9").
_GROUP_NUMBER_WORDS = frozenset("åk årskurs grade klass year".split())


def _find_metric(f: KrFacts) -> str | None:
    """The measured thing, in the KR's own words: "NPS", "median first-response time" — or
    None when the words found cannot be a measure (a lone "number", a bare verb, a clause led
    by a pronoun or an auxiliary): the rewrite then keeps "<metric>"."""
    return _plausible_metric(f, _metric_phrase(f))


def _metric_phrase(f: KrFacts) -> str | None:
    lex = f.lex
    text, low = f.text, f.low
    start = f.body_start
    lead = _LEAD_ADVERBIAL.match(low, start)
    if lead:  # "By 2023, …", "Under programperioden, …"
        start = lead.end()
    there = _THERE_ARE.match(low, start)
    if there:  # "There are at least 200 active publishers": the count follows
        start = there.end()
    words = [(t, s, e) for t, s, e in f.tokens if s >= start]
    if not words:
        return None
    first = words[0][0]
    verbs = lex.get("result_verbs")
    if (
        first in verbs
        or lex.lemma_in("result_verbs", first)  # "Increasing the # of followers"
        or lex.has("acquisition_verbs", first)  # "(We've) signed 12 reseller partners"
        or lex.has("vague_verbs", first)
        or lex.has("activity_verbs", first)
        or lex.has("weak_verbs", first)
    ):
        seg_start = words[1][1] if len(words) > 1 else len(low)
        if first in ("speed", "up-sell") and len(words) > 1 and words[1][0] == "up":
            seg_start = words[2][1] if len(words) > 2 else len(low)
    elif len(words) > 1 and any(q.start == words[1][1] for q in f.quantities):
        # "Handle 73 566 calls": a word the lexicon lacks, then a number, is a verb.
        seg_start = words[1][1]
    else:
        # Subject first: the metric is what comes before the verb ("Aided brand awareness … rises").
        seg_start = start
        for i, (t, s, _) in enumerate(words[1:], start=1):
            if lex.lemma_in("result_verbs", t) or lex.has_lemma("vague_verbs", t) or t in _FINITE:
                after = [w for w in words if w[1] > s]
                if words[0][0] in _PREPOSITIONS and after:
                    # "Under programperioden ska utsläppen minska": the scene first, then the
                    # verb, then the subject — the measured thing runs to the next verb.
                    end = next(
                        (w[1] for w in after if lex.lemma_in("result_verbs", w[0])
                         or lex.has_lemma("vague_verbs", w[0])),
                        len(low),
                    )  # fmt: skip
                    return _tidy(text[after[0][1] : end])
                if after and after[0][0] in _POSSESSIVES and len(after) > 1:
                    # "Our sellers raise their CSAT by 20 %": the measured thing is the object.
                    return _find_metric_from(f, after[1][1])
                owned = _owned_quantity(f, words[i:])
                if owned is None:
                    return _tidy(text[start:s])
                seg_start = owned  # "Skolan ska ha 95 % behöriga lärare": what is had
                break
    seg = low[seg_start:]
    lead = _QUALIFIER.match(low, seg_start)  # "at least 20 …", "minst 20 …"
    near = lead.end() if lead else seg_start
    q = next((q for q in f.quantities if q.start >= near and q.start - near <= 4), None)
    if q is not None:  # "Win 15 new customers …": the metric follows the number
        seg_start = q.end
        seg = low[seg_start:]
        of = _SHARE_OF.match(seg)
        if of and q.unit == "percent":  # "80 % of tickets …" measures a share
            rest = _find_metric_from(f, seg_start + of.end())
            share = "andel" if f.lang == "sv" else "share of"
            return f"{share} {rest}" if rest else None
    return _find_metric_from(f, seg_start)


_FINITE = frozenset(
    "is are was were will should shall must can could would has have had "
    "är var ska skall blir har hade kommer bör måste kan".split()
)
_AUXILIARY = frozenset("will should shall must would to att ska skall kommer bör måste".split())
_POSSESS = frozenset("have has having get gets ha har få får".split())


def _owned_quantity(f: KrFacts, words: list[tuple[str, int, int]]) -> int | None:
    """Where the counted thing starts after "<subject> (will) have/get N …", else None."""
    rest = [w for w in words if w[0] not in _AUXILIARY]
    if not rest or rest[0][0] not in _POSSESS:
        return None
    end = rest[0][2]
    q = next((q for q in f.quantities if end <= q.start <= end + 12), None)
    return q.start if q is not None else None


_HEAD_LINKS = frozenset("of the all av de alla".split())
# "mean time to review", "tid till beslut": a time measure names its end point after "to".
_TIME_TO = re.compile(r"\s+(?:to|till)\s+(?:first\s+|första\s+)?[\wåäö-]+")
_TIME_WORDS = ("time", "tid", "tiden")
_HYPHEN_AND = re.compile(r"(?<=[a-zåäö])-\s+(?:och|eller|and|or)\s+[\wåäö]+")


def _find_metric_from(f: KrFacts, seg_start: int) -> str | None:
    low, text = f.low, f.text
    count = _HASH_OF.match(low, seg_start)
    if count:  # "the # of followers": read as "number of followers"
        rest = _find_metric_from(f, count.end())
        return f"number of {rest}" if rest else None
    seg = low[seg_start:]
    cut = len(seg)
    m = _STOP_METRIC.search(" " + seg)
    if m:
        cut = max(0, m.start() - 1)
    hyphen = cut - 1 if cut and seg[cut - 1] == "-" else cut
    coordinated = _HYPHEN_AND.match(seg, hyphen) or (
        _TIME_TO.match(seg, cut) if seg[:cut].endswith(_TIME_WORDS) else None
    )
    if coordinated:  # "insamlings- och förvaltningskostnaderna", "time to merge"
        cut = coordinated.end()
    cut = _cut_at_numbers(f, seg_start, cut)
    metric = _tidy(text[seg_start : seg_start + cut])
    head = metric.lower().split() if metric else []
    content = [w for w in head[1:] if w not in _HEAD_LINKS]
    if head and head[0] in _GENERIC_MEASURE and len(content) <= 1:
        # "the number of students completing Algebra I", "andelen elever som är behöriga …":
        # the generic head is only how it is counted; the measured group follows it.
        return _generic_head_phrase(f, seg_start) or metric
    return metric


def _cut_at_numbers(f: KrFacts, seg_start: int, cut: int, skip_groups: bool = False) -> int:
    for span in f.periods:
        if seg_start <= span.start < seg_start + cut:
            cut = span.start - seg_start
    for qq in f.quantities:
        if seg_start < qq.start < seg_start + cut:
            if skip_groups and _prev_word(f.low, qq.start) in _GROUP_NUMBER_WORDS:
                continue
            cut = qq.start - seg_start
    return cut


_PHRASE_END = re.compile(
    r"\s?(?:,|\(|;|:|–|\s-\s)|\s(?:by|until|before|using|compared|from|senast|från|jämfört)"
    r"(?![\wåäö-])"
)


def _generic_head_phrase(f: KrFacts, seg_start: int) -> str | None:
    """The generic head and the group it counts, up to a number, date or clause break."""
    seg = f.low[seg_start:]
    end = _PHRASE_END.search(seg)
    cut = _cut_at_numbers(f, seg_start, end.start() if end else len(seg), skip_groups=True)
    phrase = _tidy(f.text[seg_start : seg_start + cut])
    if not phrase or len(phrase.split()) > 14:
        return None
    return phrase


_ARTICLES = re.compile(
    r"^(?:the|a|an|our|its|their|vår|vårt|våra|den|det|de|en|ett|sin|sitt|sina)\s+", re.I
)


_THERE_ARE = re.compile(r"\s*(?:there (?:are|is|will be)|det (?:finns|ska finnas|skall finnas))\s+")
_HASH_OF = re.compile(r"\s*(?:the\s+)?#\s*(?:of\s+)?")
# Words that cannot open a measure ("There", "We've", "Be", "No", "Jag skall", "Alla"): a
# metric slot filled with them makes a broken rewrite, so the parser says it is unsure instead.
_NOT_A_METRIC_LEAD = frozenset(
    "i we we've we'll we're you they it its there here this that these those he she be is are "
    "was were will shall should must can could would may might have has had do does did no not "
    "none how what when why which who sure yes all each every any "
    "jag vi du ni de den det detta denna dessa man han hon hen vara är var blir bli ska skall "
    "bör måste kan kunde kommer har hade ha gör göra inte ingen inga inget hur vad när varför "
    "vilken vilka som alla varje samtliga".split()
)
# One of these alone names no measure: "number" of what? "andel" av vad?
_GENERIC_METRIC = _GENERIC_MEASURE | frozenset(
    "value values result results metric metrics kpi kpis goal goals target targets "
    "värde värdet resultat resultatet mål målet".split()
)
# A measure never ends on one of these ("… more than", "… listed on", "… för").
_DANGLING = frozenset(
    "than of to by as if the a an and or with for from in on at per more less into onto "
    "än av till som om och eller med för från i på vid mer mindre den det en ett".split()
)
_METRIC_VERB_KEYS = ("activity_verbs", "weak_verbs", "vague_verbs", "state_makers")


def _plausible_metric(f: KrFacts, phrase: str | None) -> str | None:
    """Trim a metric phrase to something that can be measured, or None when unsure."""
    if not phrase:
        return None
    phrase = re.split(r"[.?!;](?:\s|$)", phrase, maxsplit=1)[0]  # one sentence only
    if phrase.count("(") != phrase.count(")"):
        phrase = phrase[: phrase.rfind("(")] if "(" in phrase else phrase.replace(")", "")
    if phrase.count('"') % 2:
        phrase = phrase.replace('"', "")
    words = phrase.split()
    while words and words[-1].strip(",:") in _DANGLING:  # as written: "Algebra I" stays
        words.pop()
    if not words:
        return None
    first = words[0].lower()
    if first in _NOT_A_METRIC_LEAD:
        return None
    if len(words) == 1 and first in _GENERIC_METRIC:
        return None  # "number", "andel"
    if len(words) <= 2 and f.low.startswith(first, f.body_start) and _is_verb(f.lex, first):
        return None  # the KR's own opening verb: "Record", "Source", "Come up", "Be able"
    return _tidy(" ".join(words))


def _is_verb(lex: Lexicon, word: str) -> bool:
    return bool(lex.lemma_in("result_verbs", word)) or any(
        lex.has_lemma(key, word) for key in _METRIC_VERB_KEYS
    )


def _tidy(s: str) -> str | None:
    s = s.strip(" ,.;:()–-\"'")
    s = _ARTICLES.sub("", s)
    if "  " in s or _OTHER_SPACE.search(s):  # else collapsing whitespace changes nothing
        s = _WHITESPACE.sub(" ", s)
    if not s or len(s) > 80 or not _LETTER.search(s):
        return None
    return s


def parse_kr(text: str, lang: str | None = None) -> ParsedKr:
    """The KR's metric, baseline, target, unit, direction and deadline as read from its text."""
    return analyse_kr(text, lang).to_parsed()

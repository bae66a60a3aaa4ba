"""What a key result *is*, read from its linguistic structure rather than from a verb list alone.

The leading verb and its object decide most cases ("make 50 calls" is work, "make £15k MRR" a
result); when the KR starts with its subject, the subject and predicate decide ("X is
implemented" is a deliverable, "10 % of users publish a document" is customer behaviour, "App
load time" is a named metric). Every rule family reads one :class:`KrAnalysis`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from coach.parse.kr import KrFacts, analyse_kr
from coach.parse.lexicon import Lexicon, _alt, load_lexicon

_COPULAS = frozenset(
    "is are was were be been being am will would should shall can could may must "
    "är var blir blev vara bli ska skall kommer kan bör måste har vill".split()
)
_MODALS = frozenset(
    "will would should shall can could may must ska skall kommer kan bör måste vill".split()
)
# Predicates that are neither tasks nor changes: "upplever", "feel", "indicates", "own".
_STATE_VERBS = frozenset("upplever känner feel feels uses indicates own owns".split())
_EXIST_VERBS = frozenset("exists exist finns".split())
_HAVE_VERBS = frozenset("has have har ha".split())
# One-word adverbials between a modal and its verb, and the words that open and close a
# period adverbial ("varje år", "vart fjärde år", "each year").
_ADVERBIALS = frozenset(
    "även också därför särskilt dessutom fortsatt fortsättningsvis alltid aktivt tydligt "
    "also therefore always actively clearly further".split()
)
_ADVERBIAL_START = frozenset("varje vart every each".split())
_ADVERBIAL_END = frozenset("år året månad kvartal vecka year quarter month week".split())
_ADVERBIAL_OPENERS = _ADVERBIALS | _ADVERBIAL_START
_HAVE_AUX = _HAVE_VERBS | {"had", "hade"}
_BE_VERBS = frozenset("be become bli vara".split())
# "… than those they replaced": a participle in a relative clause is not the KR's predicate.
_RELATIVE_BEFORE = re.compile(r"\b(?:they|we|that|which|who|those|you)\s+(?:\w+\s+)?$")
_LEVEL_STATEMENT = re.compile(r"([^<>≤≥=\d]{3,80}?)\s*(?:<|>|≤|≥|=|of at least|of at most)\s*\$?\d")
_NAMED_AFTER = frozenset("version release build channel branch versionen".split())
_ADOPTION = re.compile(
    r"\b(?:adopted|used|chosen|selected|preferred|recommended|bought|purchased|renewed|rated)"
    r"\s+by\b|\b(?:används|väljs|rekommenderas|köps)\s+av\b"
)
_PREPOSITIONS = frozenset(
    "in on at for of the a an to from with by i på för av den det en ett till från med".split()
)
_SERVICE_PASSIVES = frozenset("offered provided erbjuds tillhandahålls ges".split())
_ACHIEVEMENT = frozenset(
    "achieve achieving reach reaching hit increase raise improve reduce lift grow resulting result "
    "nå uppnå öka höja förbättra minska sänka".split()
)


@dataclass
class KrAnalysis:
    facts: KrFacts
    activity: bool = False
    activity_reason: str | None = (
        None  # verb | deliverable | capability | nominal | method | subject
    )
    lead_verb: str | None = None
    lead_kind: str | None = None  # result | vague | weak | activity
    subject_led: bool = False
    purpose_result: bool = False  # "… to achieve 5,000 subscriptions"
    measurable: bool = False
    vague: bool = False
    vague_terms: list[str] = field(default_factory=list)
    bau: bool = False
    compound_parts: list[str] = field(default_factory=list)
    time_bound: bool = False
    cadence: bool = False

    @property
    def lang(self) -> str:
        return self.facts.lang


@functools.cache
def _clause_split_re(lang: str) -> re.Pattern[str]:
    conj = r"och|samt" if lang == "sv" else r"and|&"
    return re.compile(rf",?\s(?:{conj})\s+(?=\S)")


@functools.cache
def _hedges_re(lang: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{_alt(load_lexicon(lang).get('hedges'))})(?![\w-])")


@functools.cache
def _purpose_re(lang: str) -> re.Pattern[str]:
    markers = load_lexicon(lang).get("purpose_markers")
    return re.compile(rf"(?:^|\s|,)(?:{_alt(markers)})(?=\s)")


@functools.cache
def _method_re(lang: str) -> re.Pattern[str]:
    markers = load_lexicon(lang).get("method_markers")
    return re.compile(rf"(?<![\w-])(?:{_alt(markers)})(?![\w-])")


@functools.cache
def _states_re(lang: str) -> re.Pattern[str]:
    states = load_lexicon(lang).get("deliverable_states")
    return re.compile(rf"(?<![\w-])(?:{_alt(states)})(?![\w-])")


def _verb_kind(lex: Lexicon, word: str, lead: bool = False) -> str | None:
    """result | vague | weak | activity | None for one word."""
    if word.isdigit() and not _verbs_have_digits(lex.lang):
        return None  # a number ("#1234") is no verb; skip the lemma lookups (and cache misses)
    return _verb_kind_cached(lex.lang, word)


_VERB_KEYS = ("weak_verbs", "vague_verbs", "result_verbs", "activity_verbs")


@functools.cache
def _verbs_have_digits(lang: str) -> bool:
    """Does any verb entry contain a digit? (If none does, no form of a number can match.)"""
    words = load_lexicon(lang).words
    return any(
        any(ch.isdigit() for ch in entry) for key in _VERB_KEYS for entry in words.get(key, ())
    )


@functools.lru_cache(maxsize=16384)
def _verb_kind_cached(lang: str, word: str) -> str | None:
    lex = load_lexicon(lang)
    if lex.has("weak_verbs", word):
        return "weak"
    if lex.has_lemma("vague_verbs", word) and not lex.has("result_verbs", word):
        return "vague"
    if lex.lemma_in("result_verbs", word):
        return "result"
    if lex.has_lemma("vague_verbs", word):
        return "vague"
    if lex.has_lemma("activity_verbs", word):
        return "activity"
    if lex.lemma_in("weak_verbs", word):
        return "weak"
    return None


def _noun_in(lex: Lexicon, key: str, word: str) -> bool:
    return _noun_in_cached(lex.lang, key, word)


@functools.lru_cache(maxsize=32768)
def _noun_in_cached(lang: str, key: str, word: str) -> bool:
    lex = load_lexicon(lang)
    if lex.has(key, word) or lex.has(key, word.rstrip("s")):
        return True
    if lex.lang == "sv":  # compounds: "kundmöten", "blogginlägg"
        return lex.stem_match(key, word)
    return False


# Bodies, not qualities: "Polismyndigheten ska redovisa …" is an agency with a task.
_BODY_SUFFIX = {
    "sv": ("myndighet", "myndigheten", "enhet", "enheten", "verksamhet", "verksamheten"),
}
_METRIC_SUFFIX = {
    "en": ("ity", "ness", "ance", "ence", "rate"),
    "sv": ("het", "heten", "itet", "iteten", "grad", "graden"),
}


def _is_metric(lex: Lexicon, word: str) -> bool:
    """A word that names a measure; abstract qualities ("profitability", "lönsamhet") count."""
    if _noun_in(lex, "metric_nouns", word) or lex.stem_match("metric_stems", word):
        return True
    return (
        len(word) > 6
        and word.endswith(_METRIC_SUFFIX.get(lex.lang, ()))
        and not word.endswith(_BODY_SUFFIX.get(lex.lang, ()))
        and not _noun_in(lex, "activity_nouns", word)
    )


def _is_people(lex: Lexicon, word: str) -> bool:
    return _noun_in(lex, "external_people", word)


def _is_internal(lex: Lexicon, word: str) -> bool:
    return lex.has("internal_people", word)


def analyse(text: str, lang: str | None = None) -> KrAnalysis:
    facts = analyse_kr(text, lang)
    a = KrAnalysis(facts=facts)
    words = [(t, s, e) for t, s, e in facts.tokens if s >= facts.body_start and t]
    # "Continue to triage …", "fortsätta att …": business as usual; read the verb after it.
    if words and words[0][0] in ("continue", "fortsätta", "fortsatt", "keep") and len(words) > 1:
        nxt = words[1][0]
        if nxt in ("to", "att") or nxt.endswith("ing"):
            facts.bau_lead = True
            words = words[2:] if nxt in ("to", "att") else words[1:]
    _classify_outcome(a, words)
    _measurability(a)
    _vagueness(a, words)
    _time(a)
    _business_as_usual(a, words)
    _compound(a)
    return a


# ----------------------------------------------------------------------------- outcome


def _object_words(a: KrAnalysis, words: list[tuple[str, int, int]], start: int) -> list[str]:
    """Words after the verb up to a purpose clause, preposition or comma."""
    out = []
    low = a.facts.low
    stops = {
        "to",
        "for",
        "so",
        "that",
        "which",
        "with",
        "by",
        "from",
        "in",
        "on",
        "at",
        "of",
        "för",
        "så",
        "som",
        "med",
        "från",
        "i",
        "på",
        "till",
        "inom",
        "senast",
        "genom",
    }
    for t, s, _ in words[start:]:
        if t in stops or "," in low[max(0, s - 2) : s]:
            break
        out.append(t)
    return out


# Taking part in training is an activity, whoever does it.
_PARTICIPATION = re.compile(
    r"\b(?:gå|går|gått|genomgå|genomgår|genomgått|delta|deltar|deltagit|attend|attends|"
    r"attended|take|takes|taken|complete|completes|completed)\s+(?:\S+\s+){0,2}?"
    r"(?:\w*utbildning\w*|kurs\w*|\w*training\w*|courses?|workshops?|webinar\w*)\b"
)
_QUALITY_CONDITION = re.compile(
    r"\b(?:within budget|on budget|on time|on schedule|without (?:defects|errors|incidents|rework)|"
    r"first time right|inom budget|i tid|enligt plan|utan (?:fel|anmärkning|avvikelse)\w*)\b"
)
_ACQUIRE = frozenset("get gets have has gain gains win wins få får ha har nå når".split())
_COMMA_WORD = re.compile(r",\s*([\wåäö-]+)")
_NEXT = re.compile(r"\s*([\wåäö-]+)")


def _inside_parentheses(low: str, pos: int) -> bool:
    return low.rfind("(", 0, pos) > low.rfind(")", 0, pos)


# Literal text each pattern needs: when none of it is in the text, the search is skipped.
_LEVEL_MARKS = ("<", ">", "≤", "≥", "=", "of at ")
_PARTICIPATION_NOUNS = ("utbildning", "kurs", "training", "course", "workshop", "webinar")
_QUALITY_MARKS = (
    "budget",
    "on time",
    "on schedule",
    "without ",
    "first time right",
    "i tid",
    "enligt plan",
    "utan ",
)


def _has_any(text: str, parts: tuple[str, ...]) -> bool:
    return any(p in text for p in parts)


_STATE_FOLLOWERS = frozenset("and or as on in to by at for from with within before (".split())
_NEXT_WORD_OR_PAREN = re.compile(r"\s*([\w(]+)")
_CLAUSE_VERB = re.compile(
    r"\s*(?:(?:it|they|each|all|will|can|also|then|de|alla|var|ska|kan|sedan)\s+){0,2}"
    r"([\wåäö-]+)"
)
_WORD_AT = re.compile(r"([\wåäö-]+)")
_AND_SPLIT = re.compile(r",?\s+(?:and|och)\s+|;\s*")
_DIGIT = re.compile(r"\d")


def _attributive(f: KrFacts, m: re.Match[str]) -> bool:
    """ "first merged PR": an English participle before its noun describes it; it does not say
    the deliverable is done."""
    word = m.group(0)
    if f.lang != "en" or " " in word or not word.endswith(("ed", "en")):
        return False
    nxt = _NEXT_WORD_OR_PAREN.match(f.low[m.end() :])
    return bool(nxt) and nxt.group(1) not in _STATE_FOLLOWERS and nxt.group(1)[0].isalpha()


def _may_have_purpose(f: KrFacts) -> bool:
    return bool(f.tokset & f.lex.first_words("purpose_markers")) or "=" in f.low


def _purpose_has_result(a: KrAnalysis) -> bool:
    """A later clause names a quantified result: "… to achieve 5,000 subscriptions per month"."""
    f = a.facts
    low = f.low
    if not _may_have_purpose(f):
        return False
    for m in _purpose_re(f.lang).finditer(low, f.body_start + 1):
        clause = low[m.end() :]
        first = _CLAUSE_VERB.match(clause)
        if not first:
            continue
        verb = first.group(1)
        kind = _verb_kind(f.lex, verb, lead=False)
        if verb in _ACQUIRE:
            kind = "result"  # "… that each get 100 active users"
        quantified = any(q.start >= m.end() for q in f.targets) or f.multiplier
        marker = m.group(0).strip(" ,")
        if marker in ("to", "för att", "så", "so") and kind not in ("result", "vague"):
            continue
        if (
            kind in ("result", "vague")
            and quantified
            and (
                verb in _ACHIEVEMENT
                or f.lex.lemma_in("result_verbs", verb) in _ACHIEVEMENT
                or marker not in ("and", "och", ",")
            )
        ):
            return True
        if marker in ("resulting in", "=", "result in", "leading to") and quantified:
            return True
    # ", improve it by 10 %" / ", achieve 65 % DAU/MAU": a result clause after a comma
    for m in _COMMA_WORD.finditer(low) if "," in low else ():
        verb = m.group(1)
        if verb in _ACHIEVEMENT and any(q.start > m.end() for q in f.targets):
            return True
    return False


def _classify_outcome(a: KrAnalysis, words: list[tuple[str, int, int]]) -> None:
    f = a.facts
    lex = f.lex
    low = f.low
    if not words:
        return
    first = words[0][0]
    two = f"{first} {words[1][0]}" if len(words) > 1 else first
    if lex.has("result_verbs", two):
        kind = "result"  # "get to 500 members", "nå upp till"
    elif lex.has("activity_verbs", two):
        kind = "activity"
    else:
        kind = _verb_kind(lex, first, lead=True)
    # "Revamped API …", "Linux64 Nightlies published": a participle names a finished deliverable.
    if f.bau_lead:
        return  # keeping a routine going is business as usual (its own rule), not a new task
    participle = first.endswith("ed") and not lex.has("result_verbs", first) and len(first) > 5
    named = lex.has_lemma("vague_verbs", first) or lex.has_lemma("activity_verbs", first)
    if f.lang == "en" and participle and named and len(words) > 1 and not f.targets:
        a.activity, a.activity_reason = True, "deliverable"
        return
    if first in _BE_VERBS and len(words) > 1:
        if any(lex.has("milestone_nouns", w) for w, _, _ in words[1:6]):
            a.activity, a.activity_reason = True, "deliverable"  # "Be SOC 2 certified"
            return
        kind = "vague"  # "Be the best place to work", "Bli mer synliga": an aspiration
    label = _colon_label(f, words)
    if label is not None:
        measure = any(_is_metric(lex, w) for w in label)
        colon = low.find(":", f.body_start)
        after = next((q for q in f.targets if q.start > colon), None)
        if after is not None and after.unit in _LEVEL_UNITS:
            a.subject_led = True
            return  # "Enterprise pipeline: $3M qualified": money or a share is a level, not work
        if _noun_in(lex, "activity_nouns", label[-1]) and not measure:
            a.subject_led = True
            a.activity, a.activity_reason = True, "nominal"  # "Customer interviews: 20 done"
            return
        if measure or any(_noun_in(lex, "result_nouns", w) for w in label):
            a.subject_led = True
            return  # "Partner revenue: $250k in Q3": a measure and its level
    level = _LEVEL_STATEMENT.match(low, f.body_start) if _has_any(low, _LEVEL_MARKS) else None
    if level and any(_is_metric(lex, w) for w in level.group(1).split()):
        a.subject_led = True
        return  # "Support ticket backlog < 100": a metric and its level, whatever word leads
    if kind is not None and _noun_subject(f, words):
        kind = None  # "Benchmarks show …", "Onboarding docs are rewritten": a subject, not a verb
    if kind in ("activity", "weak") and ("by" in low or "av" in low) and _ADOPTION.search(low):
        return  # "Design system v1 adopted by 3 product teams": others' behaviour, a result
    if kind is not None and not first[0].isdigit():
        a.lead_verb, a.lead_kind = first, kind
        a.purpose_result = _purpose_has_result(a)
        if kind == "result":
            _result_verb_checks(a, words)
            return
        if kind == "vague":
            if f.tokset & lex.first_words("method_markers") and _method_re(f.lang).search(low):
                a.activity, a.activity_reason = True, "method"
            elif _makes_thing_state(a, words, first, two):
                a.activity, a.activity_reason = True, "deliverable"
            return
        obj_i = 2 if " " in two and lex.has("activity_verbs", two) else 1
        obj = _object_words(a, words, obj_i)
        if lex.has("acquisition_verbs", first) and _counted(
            f, words, obj_i, len(obj), "commitment"
        ):
            return  # "Sign 3 new enterprise logos", "Teckna 5 ramavtal": customers won, a result
        if kind == "weak":
            if any(q.unit in ("SEK", "USD", "EUR", "GBP", "NOK", "DKK") for q in f.targets):
                return
            if any(
                lex.has("vague_words", w) or lex.has("dimensional_comparatives", w) for w in obj
            ):
                return  # "Make the app faster": a (vague) result, not a task
            if any(_noun_in(lex, "activity_nouns", w) for w in obj):
                a.activity, a.activity_reason = not a.purpose_result, "verb"
                return
            if any(_noun_in(lex, "result_nouns", w) or _is_metric(lex, w) for w in obj):
                return
            obj_start = words[1][1] if len(words) > 1 else len(low)
            obj_end = obj_start + len(" ".join(obj)) + 2
            if any(obj_start <= q.start < obj_end for q in f.targets):
                return  # "Get 1000 GitHub stars", "Have 40 % of revenue …": a counted result
        a.activity, a.activity_reason = not a.purpose_result, "verb"
        return
    # Subject first.
    a.subject_led = True
    _classify_subject_led(a, words)


def _colon_label(f: KrFacts, words: list[tuple[str, int, int]]) -> list[str] | None:
    """The words before a colon near the start ("Partner revenue: …"), if any."""
    colon = f.low.find(":", f.body_start)
    if not 0 < colon - f.body_start < 60:
        return None
    label = [t for t, start, _ in words if start < colon]
    return label if 0 < len(label) <= 6 else None


_LEVEL_UNITS = frozenset("percent SEK USD EUR GBP NOK DKK".split())
_AGENT_COUNT = re.compile(r"\s+(?:by|av)\s+(?:more than |over |at least |minst |över |fler än )?\d")
_COPULA_THEN = frozenset("is are be been was were är vara blir bli varit".split())


def _target_at(f: KrFacts, pos: int) -> bool:
    """Is there a target quantity within a few characters after ``pos``?"""
    return pos >= 0 and any(pos <= q.start <= pos + 20 for q in f.targets)


def _counted(
    f: KrFacts, words: list[tuple[str, int, int]], start: int, span: int, kind: str = "result"
) -> bool:
    """Do the ``span`` words from ``start`` hold a target quantity and a thing that is won or
    changed outside the team (customers, deals, sign-ups, a share)? With ``kind="commitment"``
    only customers and deals count. A counted work item ("10 features") is not a result."""
    part = words[start : start + max(span, 1)]
    if not part:
        return False
    lo, hi = part[0][1], part[-1][2]
    quantities = [q for q in f.targets if lo <= q.start < hi]
    if not quantities:
        return False
    if kind == "result" and any(q.unit == "percent" for q in quantities):
        return True  # a share of something that happens elsewhere
    # The head of the counted phrase decides: "400 new sign-ups", not "10 new features".
    after = [t for t, s, _ in part if s >= quantities[0].end]
    phrase = _first_phrase(after)
    if not phrase:
        return False
    lex = f.lex
    head = phrase[-1]
    if _noun_in(lex, "activity_nouns", head):
        return False
    if kind == "commitment":
        return _noun_in(lex, "commitment_nouns", head)
    return _noun_in(lex, "result_nouns", head) or _is_people(lex, head) or _is_metric(lex, head)


def _counted_subject(f: KrFacts, words: list[tuple[str, int, int]], state_start: int) -> bool:
    """A counted subject whose head names customers or deals won: "3 new logos signed"."""
    before = [t for t, s, _ in words if s < state_start and not t[0].isdigit()]
    if not before or not _noun_in(f.lex, "commitment_nouns", before[-1]):
        return False
    return any(q.start < state_start for q in f.targets)


def _makes_thing_state(
    a: KrAnalysis, words: list[tuple[str, int, int]], first: str, two: str
) -> bool:
    """ "Ensure all customer data is encrypted", "Säkerställa att alla rutiner är dokumenterade":
    making a thing reach a state is a task; people reaching it ("customers are satisfied") is a
    result, and a number makes it a target."""
    f = a.facts
    lex = f.lex
    if f.has_quantity or not (lex.has("state_makers", first) or lex.has("state_makers", two)):
        return False
    toks = [t for t, _, _ in words]
    cop = next((i for i, t in enumerate(toks[1:], start=1) if t in _COPULA_THEN), None)
    if cop is None or cop + 1 >= len(toks):
        return False
    subject = [t for t in toks[1:cop] if t not in ("that", "att", "sure", "till")]
    if not subject or _is_people(lex, subject[-1]) or _is_internal(lex, subject[-1]):
        return False
    state = toks[cop + 1]
    if f.lang == "en":
        return state.endswith(("ed", "en")) or lex.has("deliverable_states", state)
    return lex.has("deliverable_states", state) or state.endswith(("ade", "ad", "at", "ts"))


def _noun_subject(f: KrFacts, words: list[tuple[str, int, int]]) -> bool:
    """Is the leading word a noun (plural or -ing form) followed by its predicate? Also "Call
    center volume … drops by 30 %": a measure, then a finite verb of change."""
    if f.lang != "en" or len(words) < 2:
        return False
    second = words[1][0]
    if len(words) > 2 and second.endswith("s") and _is_people(f.lex, second):
        return True  # "Support agents handle …": a compound subject of people
    for i, (t, _, _) in enumerate(words[1:8], start=1):
        kind = _verb_kind(f.lex, t)
        finite = (t.endswith("s") and not t.endswith("ss")) or t in ("met", "hit", "reached")
        if kind in ("result", "vague") and finite:
            if any(_is_metric(f.lex, w) for w, _, _ in words[1:i]):
                return True
            break
    first = words[0][0]
    if not first.endswith(("s", "ing")) or first.endswith("ss"):
        return False
    return any(
        t in _COPULAS or f.lex.has("capability_verbs", t) or f.lex.has("deliverable_states", t)
        for t, _, _ in words[1:4]
    )


_FIX_VERBS = frozenset("fix repair åtgärda rätta laga".split())


def _result_verb_checks(a: KrAnalysis, words: list[tuple[str, int, int]]) -> None:
    """Result verbs that still describe work: "Fix the flaky tests" (no count), "Achieve SOC 2
    compliance" (a milestone), "Expand the sales team" (the team's own inputs)."""
    f = a.facts
    lex = f.lex
    obj = _object_words(a, words, 1)
    verb = a.lead_verb or ""
    head = obj[-1] if obj else ""
    if _noun_in(lex, "input_nouns", head) and not any(w in ("active", "aktiva") for w in obj):
        a.activity, a.activity_reason = True, "verb"
        return
    if f.has_quantity:
        return
    if verb in _FIX_VERBS or any(lex.has("milestone_nouns", w) for w in obj):
        a.activity, a.activity_reason = True, "deliverable"


def _classify_subject_led(a: KrAnalysis, words: list[tuple[str, int, int]]) -> None:
    f = a.facts
    lex = f.lex
    low = f.low
    task = _ASSIGNMENT.search(low) if "uppdrag" in low or "tasked" in low else None
    if task:  # "får i uppdrag att kartlägga …": the assigned verb decides
        kind = _verb_kind(lex, task.group(1) or task.group(2), lead=True)
        if kind in ("activity", "weak"):
            a.activity, a.activity_reason = True, "verb"
        if kind is not None:
            return

    # Find the predicate: the first copula, modal or known verb after the subject.
    verb_i = None
    # English subject-verb order: "Users rate …", "New customers love …"
    for i in (1, 2):
        if (
            f.lang == "en"
            and len(words) > i + 1
            and _is_people(lex, words[i - 1][0])
            and words[i - 1][0].endswith("s")  # a plural subject: "users rate", not "NAT manager"
            and words[i][0].isalpha()
            and words[i][0] not in _PREPOSITIONS
            and words[i][0] not in _PHRASE_STOPS
            and words[0][0] not in ("every", "all", "each")
        ):
            verb_i = i
            break
    plural_verb = -1
    for i, (t, _s, _e) in enumerate(words if verb_i is None else ()):
        if (i == 0 and not t[0].isdigit()) or t[0].isdigit():
            continue
        if words[i - 1][0] in _PREPOSITIONS:
            continue  # "in Win/Linux": a name after a preposition, not a verb
        kind = _verb_kind(lex, t, lead=False)
        finite = t.endswith("s") if f.lang == "en" else t.endswith(("r", "s"))
        after_modal = i > 0 and words[i - 1][0] in _MODALS
        prev = words[i - 1][0] if i > 0 else ""
        # "contributors get …" (a plural subject); "Customer interviews" is a compound noun
        after_people = prev.endswith("s") and _is_people(lex, prev)
        finite = finite or i == plural_verb
        if kind in ("activity", "weak") and not (finite or after_modal or after_people):
            continue  # "Large Scale Testbed", "… related to a release": nouns, not predicates
        if kind in ("activity", "weak") and i + 1 < len(words):
            nxt = words[i + 1][0]
            if nxt in _COPULAS or _verb_kind(lex, nxt, lead=False) in ("result", "vague"):
                continue  # "New hires reach …": "hires" is the subject here
            if (
                f.lang == "en"
                and t.endswith("s")
                and not nxt.endswith("s")
                and nxt.isalpha()
                and _verb_kind(lex, nxt, lead=False) is not None
            ):
                plural_verb = i + 1
                continue  # "Case studies drive …": a plural noun, then its plural verb
        if t in _COPULAS or kind is not None or lex.has("capability_verbs", t) or t in _STATE_VERBS:
            verb_i = i
            break
    paren = low.find("(")
    subject = [
        t
        for t, start, _ in (words[:verb_i] if verb_i is not None else words)
        if paren < 0 or start < paren  # "Large Scale Testbed (50k+ nodes)": the name ends at "("
    ]
    # A quantity first ("10 % of new users", "Zero app store rejections"): look past it.
    subject_nouns = [
        w for w in subject if not w[0].isdigit() and w not in ("of", "av", "the", "de")
    ]
    # The subject's head decides: "Baseline veteran satisfaction score" is a score, not people.
    phrase = _first_phrase(subject_nouns)
    people = bool(phrase) and _is_people(lex, phrase[-1])
    internal = any(_is_internal(lex, w) for w in subject_nouns[:3])
    pred_kind = None
    have_after_modal = False
    if verb_i is not None:
        j = verb_i
        while j + 1 < len(words) and words[j][0] in _MODALS:
            j += 1  # "ska gå", "will publish": the verb after the modal
        if j > verb_i and _verb_kind(lex, words[j][0], lead=False) is None:
            # "ska särskilt redovisa", "ska varje år presentera": an adverbial before the verb
            k = next(
                (k for k in range(j + 1, min(j + 4, len(words))) if words[k][0] in _ADVERBIAL_END),
                None,
            )
            nxt = k + 1 if k is not None else j + 1
            if (
                nxt < len(words)
                and words[j][0] in _ADVERBIAL_OPENERS
                and _verb_kind(lex, words[nxt][0], lead=False) is not None
            ):
                j = nxt
        if words[j][0] in _HAVE_AUX and j + 1 < len(words):
            perfect = _verb_kind(lex, words[j + 1][0], lead=False)
            if perfect in ("result", "vague"):
                return  # "Matsvinnet ska ha minskat …", "We have grown …": a change reached
            have_after_modal = j > verb_i
        pred_kind = _verb_kind(lex, words[j][0], lead=False)
    if pred_kind in ("result", "vague"):
        return  # "New hires reach …", "Our platforms hit …": a change in a result
    if _has_any(low, _PARTICIPATION_NOUNS) and _PARTICIPATION.search(low):
        a.activity, a.activity_reason = True, "verb"  # "… ska ha gått utbildningen"
        return
    st = next(
        (
            m
            for m in (
                _states_re(f.lang).finditer(low)
                if f.tokset & lex.first_words("deliverable_states")
                else ()
            )
            if not _RELATIVE_BEFORE.search(low, max(0, m.start() - 30), m.start())
            and not _inside_parentheses(low, m.start())
            and not _attributive(f, m)
        ),
        None,
    )
    if st and _counted_subject(f, words, st.start()):
        return  # "3 new enterprise logos signed": counted customers or deals won are a result
    if st and _AGENT_COUNT.match(low, st.end()) and _target_at(f, low.find("by", st.end())):
        return  # "Our templates are installed by 2,000 teams": a count of others doing it
    if st and (st.group(0) in _SERVICE_PASSIVES or not people or internal):
        # "X is implemented"; "Kunderna erbjuds …" is a service the team provides. People
        # reaching a state ("100 % of new devs are up and running") is a result.
        a.activity, a.activity_reason = True, "deliverable"
        return
    if verb_i is None:
        _classify_nominal(a, subject_nouns)
        return
    verb = words[verb_i][0]
    pred = [t for t, _, _ in words[verb_i:]]
    if have_after_modal:  # "Stockholm ska ha frisk luft": a state to own, as "X has Y"
        verb, pred = words[j][0], [t for t, _, _ in words[j:]]
    if phrase and any(_is_metric(lex, w) for w in phrase[:2]):
        return  # "Andel fordon som drivs med el …", "Omsättningen ska utvecklas …": a measure
    if verb in _EXIST_VERBS:
        a.activity, a.activity_reason = True, "capability"
        return
    if lex.has("capability_verbs", verb) and verb not in _HAVE_VERBS and not f.has_quantity:
        a.activity, a.activity_reason = True, "capability"  # "X supports Y", "X shows Y"
        return
    if verb in _HAVE_VERBS and not people:
        obj = pred[1:6]
        if any(
            _noun_in(lex, "activity_nouns", w) or w in ("support", "stöd") for w in obj
        ) and not (f.targets and any(_noun_in(lex, "result_nouns", w) for w in obj)):
            a.activity, a.activity_reason = True, "capability"
        return
    if people and not internal:
        return  # what customers or users do is an outcome
    if f.has_quantity and _has_any(low, _QUALITY_MARKS) and _QUALITY_CONDITION.search(low):
        return  # "80 % of projects delivered within budget": a share meeting a standard
    measured_after = any(q.start > words[verb_i][1] for q in f.targets) or bool(f.multiplier)
    if pred_kind in ("activity", "weak") and not internal and _counted(f, words, verb_i + 1, 6):
        return  # "Case studies drive 15 % of demo requests": what the output causes, a result
    if (
        any(_noun_in(lex, "activity_nouns", w) for w in subject_nouns[-2:])
        and not any(_is_metric(lex, w) for w in subject_nouns)
        and not measured_after  # "Benchmarks show a 2x improvement": the predicate is a result
    ):
        a.activity, a.activity_reason = True, "subject"
        return
    share_first = any(q.unit == "percent" and q.start < words[verb_i][1] for q in f.targets)
    if pred_kind in ("activity", "weak") and (internal or not people) and not share_first:
        # "Minst 70 % av avfallet ska förberedas för återanvändning" is a level a share reaches
        a.activity, a.activity_reason = True, "verb"


_SV_RANK = ("aste", "bästa", "största", "främsta", "ledande")
_SV_LEVEL = frozenset("understigande överstigande underskridande överskridande".split())
# An assignment to an agency or a team: "får (även) i uppdrag att …", "is tasked with …".
_ASSIGNMENT = re.compile(
    r"(?:får|fick|ges|gavs|ett)\s+(?:\w+\s+){0,2}(?:i\s+)?uppdrag(?:et)?\s+att\s+([\wåäö]+)"
    r"|\b(?:is|are|was|were)\s+tasked\s+(?:with|to)\s+([\w]+)"
)
_PHRASE_STOPS = frozenset(
    "of for in on av för i på som with med from från to due related till across inom hos "
    "bland vid".split()
)


def _first_phrase(nouns: list[str]) -> list[str]:
    """The first noun phrase: words up to the first preposition ("users" in "new users of X")."""
    phrase: list[str] = []
    for w in nouns:
        if w in _PHRASE_STOPS:
            if phrase:
                break
            continue
        phrase.append(w)
    return phrase


def _classify_nominal(a: KrAnalysis, nouns: list[str]) -> None:
    """No verb at all: a named metric ("App load time"), a level ("99 % uptime") or a
    deliverable's name ("Mac Signing", "POC of WebBluetooth")."""
    f = a.facts
    lex = f.lex
    phrase = _first_phrase(nouns)
    head = phrase[-1] if phrase else ""
    if head and lex.has("milestone_nouns", head) and not f.has_quantity:
        a.activity, a.activity_reason = True, "deliverable"  # "WCAG 2.1 AA compliance"
        return
    if head and _noun_in(lex, "activity_nouns", head) and not _is_metric(lex, head):
        a.activity, a.activity_reason = True, "nominal"  # "Feasibility study for …"
        return
    if any(_is_metric(lex, w) or w in ("active", "aktiva", "aktiv") for w in phrase):
        return  # "App load time", "Weekly active projects": a named measure
    if any(lex.has("vague_words", w) for w in phrase):
        return  # "Effektivare processer": a (vague) wish for a result, not a deliverable
    if f.lang == "sv" and any(w.endswith(_SV_RANK) or w in _SV_LEVEL for w in nouns):
        # "Sveriges tryggaste kommun", "nettoskuld understigande eget kapital": a standing
        # or a level to reach, not a thing to deliver
        return
    if f.has_quantity and any(_is_people(lex, w) for w in nouns):
        return  # "100 % of PMs own mobile tickets": a share of people doing something
    if f.zero:
        return  # "Zero failed RC testing": the absence of a failure is a result
    if head and (_noun_in(lex, "activity_nouns", head) or lex.has_lemma("activity_verbs", head)):
        a.activity, a.activity_reason = True, "nominal"
        return
    if f.has_quantity:
        return  # "The mobile app crashes in fewer than 0.5 % of sessions": a level
    if any(_noun_in(lex, "activity_nouns", w) for w in phrase):
        a.activity, a.activity_reason = True, "nominal"
        return
    all_words = f.words(f.body_start)
    if any(
        _is_metric(lex, w) or _noun_in(lex, "result_nouns", w) or _is_people(lex, w)
        for w in all_words
    ):
        return
    if f.has_quantity:
        return
    a.activity, a.activity_reason = True, "nominal"


# ----------------------------------------------------------------------------- measurement


def _measurability(a: KrAnalysis) -> None:
    f = a.facts
    a.measurable = f.has_quantity and not f.placeholder


def _vagueness(a: KrAnalysis, words: list[tuple[str, int, int]]) -> None:
    """Leaning on judgement words with no number: "improve", "better", "bli mer synliga"."""
    f = a.facts
    if f.placeholder:
        return
    clauses = _clauses(a)
    for start, end in clauses:
        has_q = any(start <= q.start < end for q in f.targets) or (
            len(clauses) == 1 and f.has_quantity
        )
        if has_q:
            continue
        terms = _vague_terms(a, start, end)
        if terms:
            a.vague = True
            a.vague_terms.extend(terms)
    if a.vague and len(clauses) > 1 and not f.has_quantity:
        a.vague_terms = list(dict.fromkeys(a.vague_terms))


def _clauses(a: KrAnalysis) -> list[tuple[int, int]]:
    """Split "X … och bli mer personliga" into clauses that each start with a verb."""
    f = a.facts
    low = f.low
    cuts = [f.body_start]
    conjunctions = ("och", "samt") if f.lang == "sv" else ("and",)
    may_split = "&" in low if f.lang != "sv" else False
    if not may_split and not any(c in f.tokset for c in conjunctions):
        return [(f.body_start, len(low))]  # no conjunction: one clause
    for m in _clause_split_re(f.lang).finditer(low, f.body_start):
        nxt = _WORD_AT.match(low[m.end() :])
        if nxt and _verb_kind(f.lex, nxt.group(1), lead=True) in (
            "result",
            "vague",
            "activity",
            "weak",
        ):
            cuts.append(m.end())
    cuts.append(len(low))
    return [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]


def _vague_terms(a: KrAnalysis, start: int, end: int) -> list[str]:
    f = a.facts
    lex = f.lex
    toks = [t for t, s, _ in f.tokens if start <= s < end]
    if not toks:
        return []
    found: list[str] = []
    strong_activity = a.lead_kind == "activity" and start == f.body_start
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if lex.has_lemma("vague_verbs", t) and not (strong_activity and i > 0):
            # "increase" with no number is a bare direction; "improved" after "ship" names a thing.
            found.append(t)
        elif nxt[:1].isdigit() or nxt in _NAMED_AFTER:
            continue  # "stable 1.0 version", "better-auth release": part of a name
        else:
            judged = lex.has("vague_words", t) and not strong_activity
            compared = lex.has("dimensional_comparatives", t) and not f.referenced_comparison
            if judged or compared:
                found.append(t)
    if f.tokset & lex.first_words("hedges"):
        clause = f.low[start:end]
        found.extend(m.group(0) for m in _hedges_re(f.lang).finditer(clause))
    if found and a.activity and a.activity_reason in ("capability", "subject", "nominal"):
        return []
    if not found and start == f.body_start and a.lead_verb in _BE_VERBS:
        found.append(" ".join(toks[:2]))  # "Be recognised as …", "Bli marknadsledande": a wish
    return found


def _time(a: KrAnalysis) -> None:
    f = a.facts
    if f.deadline is not None:
        a.time_bound = True
        return
    if f.rate is None:
        return
    # "Make 100 calls per week" is a work cadence, not a period the result is measured over;
    # "scale … to support 5,000 subscriptions per month" measures the result per month.
    if (
        a.activity
        and (a.lead_kind in ("activity", "weak") or a.activity_reason == "verb")
        and not a.purpose_result
    ):
        purpose = _purpose_clause_start(a)
        if purpose is None or purpose > f.rate.start:
            a.cadence = True
            return
    a.time_bound = True


def _purpose_clause_start(a: KrAnalysis) -> int | None:
    """Where a purpose clause starts ("… to support 5,000 subscriptions"); "to production"
    is a place, not a purpose, so the marker must be followed by a verb."""
    f = a.facts
    if not _may_have_purpose(f):
        return None
    for m in _purpose_re(f.lang).finditer(f.low, f.body_start + 1):
        nxt = _NEXT.match(f.low, m.end())
        marker = m.group(0).strip(" ,")
        if marker not in ("to", "att", "that", "som") or (
            nxt and _verb_kind(f.lex, nxt.group(1), lead=False) is not None
        ):
            return m.start()
    return None


def _business_as_usual(a: KrAnalysis, words: list[tuple[str, int, int]]) -> None:
    f = a.facts
    if f.bau_lead:
        a.bau = True
        return
    if a.activity:
        return  # "Hålla 12 webbinarier": holding events is work, not keeping a level
    # The leading verb ("Maintain gross margin …") or the predicate ("Rating remains at …");
    # "Time spent maintaining …" names a measure and keeps nothing.
    verbs = f.lex.get("result_verbs")
    candidates = words[:1] if not a.subject_led else words[1:8]
    for t, _, _ in candidates:
        form = f.lex.lemma_in("result_verbs", t)
        if form and verbs.get(form) == "hold" and not t.endswith("ing"):
            a.bau = True
            return
        if form:
            return


def _compound(a: KrAnalysis) -> None:
    """Two results in one KR: "CSAT up 5 points, and app store rating 4.8+"."""
    f = a.facts
    low = f.low
    if " and " not in low and " och " not in low and ";" not in low:
        return
    parts = _AND_SPLIT.split(low[f.body_start :])
    if len(parts) < 2:
        return
    measured = []
    for p in parts:
        has_q = bool(_DIGIT.search(p))
        has_metric = any(_is_metric(f.lex, w) for w in _WORD_AT.findall(p))
        if has_q and has_metric:
            measured.append(p.strip())
    if len(measured) >= 2:
        a.compound_parts = measured

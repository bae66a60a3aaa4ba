"""Concrete rewrite text for findings. Known values from the KR are kept; anything the text
does not say becomes a visible blank such as ``<baseline>`` — numbers are never invented."""

from __future__ import annotations

import functools
import re

from coach.parse.kr import KrFacts
from coach.parse.lexicon import load_lexicon

_UNIT_TEXT = {
    "percent": " %",
    "pp": " pp",
    "USD": " USD",
    "EUR": " EUR",
    "GBP": " GBP",
    "SEK": " SEK",
}
_BY_DEADLINE = re.compile(r"\s+\S+\s+\x00")
_LEAD_ARTICLE = re.compile(r"^(?:the|a|an|our|vår|vårt|våra|en|ett|den|det)\s+", re.I)


def fmt_value(value: float | None, unit: str | None) -> str | None:
    if value is None:
        return None
    v = f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    v = v.replace(",", " ") if abs(value) >= 10000 else v.replace(",", "")
    suffix = _UNIT_TEXT.get(
        unit or "", f" {unit}" if unit and unit not in ("count", "times") else ""
    )
    return f"{v}{suffix}"


def blanks(lang: str) -> dict[str, str]:
    return load_lexicon(lang).get("blanks")


def skeleton(
    facts: KrFacts,
    lang: str,
    metric: str | None = None,
    *,
    keep_target: bool = True,
    as_result: bool = False,
) -> str:
    """ "Raise <metric> from <baseline> to <target> by <date>" with what the KR already says.

    ``as_result``: the KR is a task, so the skeleton asks for the result metric it serves.
    """
    lex = load_lexicon(lang)
    b = lex.get("blanks")
    direction = facts.direction if facts.direction in ("up", "down", "hold") else "none"
    if as_result:
        direction, metric, keep_target = "none", b["result"], False
    template = lex.get("skeletons")[direction]
    target = (
        fmt_value(facts.target.value, facts.target.unit) if keep_target and facts.target else None
    )
    baseline = fmt_value(facts.baseline.value, facts.baseline.unit) if facts.baseline else None
    name = _clean_metric(metric if metric is not None else facts.metric, facts) or b["metric"]
    text = template.format(
        metric=name,
        baseline=baseline or b["baseline"],
        target=target or b["target"],
        deadline="\x00",
    )
    when = deadline_phrase(facts, lang, include_rate=not as_result)
    # The template ends "by {deadline}"; the KR's own phrase ("this quarter") replaces both.
    text = _BY_DEADLINE.sub(" " + when, text) if when else text.replace("\x00", b["deadline"])
    return text[0].upper() + text[1:]


_NEEDS_PREP = re.compile(r"^(?:\d|q[1-4]\b|h[12]\b|fy|20\d\d|[a-zåäö]+ \d)", re.I)
# A phrase that starts with one of these already says how it relates to the date
# ("by 31 December"): adding "by" again would read "by by 31 December".
_HAS_PREP = frozenset(
    "by before until till in within during at end senast före innan inom under i vid".split()
)


def deadline_phrase(facts: KrFacts, lang: str, include_rate: bool = True) -> str | None:
    """The KR's own period in its own words, with "by"/"senast" added where it needs one."""
    span = facts.deadline or (facts.rate if include_rate else None)
    if span is None:
        return None
    text = facts.text[span.start : span.end].strip(" ()") or span.text
    months = load_lexicon(lang).get("months")
    first = text.split()[0].lower() if text.split() else ""
    if first not in _HAS_PREP and (_NEEDS_PREP.match(text) or first in months):
        text = ("senast " if lang == "sv" else "by ") + text
    return text


def _clean_metric(metric: str | None, facts: KrFacts) -> str | None:
    """Drop judgement words from an extracted metric: "onboarding better" -> "onboarding"."""
    if not metric:
        return None
    lex = facts.lex
    words = [w for w in metric.split() if not lex.has("vague_words", w.lower())]
    out = " ".join(words).strip(" ,.")
    out = _LEAD_ARTICLE.sub("", out)
    return out or None


@functools.cache
def _hints(lang: str) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    hints = load_lexicon(lang).get("outcome_hints")
    return tuple((h["id"], tuple(h["match"]), h["outcome"]) for h in hints)


_HINT_WORDS = re.compile(r"[\wåäö-]+")


def outcome_hint(text: str, lang: str, ui_lang: str | None = None) -> str:
    """The result a task most likely serves, found with the text's language and worded in the
    reader's (hints share ids across the lexicons)."""
    ui_lang = ui_lang or lang
    words = set(_HINT_WORDS.findall(text.lower()))
    for hint_id, match, outcome in _hints(lang):
        hit = any(w in words for w in match) or (
            lang == "sv" and any(x.endswith(match) for x in words)  # compounds: "kundmöten"
        )
        if hit:
            if ui_lang == lang:
                return outcome
            worded = next((o for i, _, o in _hints(ui_lang) if i == hint_id), None)
            return worded or load_lexicon(ui_lang).get("default_outcome")
    return load_lexicon(ui_lang).get("default_outcome")

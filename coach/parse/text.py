"""Strip what is not the key result itself before analysis: Markdown, links, HTML, owner tags,
priority tags such as ``[p1]``, emoji and ALL CAPS shouting. The original text is never changed;
the cleaned copy is only what the rules read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_OWNER_TAG = re.compile(r"<\s*TeamMember\b[^>]*?name\s*=\s*\"([^\"]+)\"[^>]*>", re.I)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_HTML_ENTITY = re.compile(r"&(?:nbsp|amp|lt|gt|quot|#\d+);")
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}
_PRIORITY = re.compile(r"\[\s*(?:p\d|prio(?:rity)?\s*\d|must|should|could)\s*\]", re.I)
_CHECKBOX = re.compile(r"^\s*[-*+]?\s*\[[ xX]\]\s*")
_BULLET = re.compile(
    r"^\s*(?:[-*+•]\s+|\d{1,2}(?:\.\d{1,2})*[.)]\s+|\d{1,2}\.\d{1,2}\s+|#{1,6}\s+|>\s*)"
)
_KR_LABEL = re.compile(
    r"^\s*(?:KR|NR|Key results?|Nyckelresultat)\s*(?:[-–]?\s*\d[\d.]*\s*[:.)–—-]?|[:.)–—-])\s*",
    re.I,
)
_EMPHASIS = re.compile(r"(\*\*|__|~~|`)")
_SINGLE_EMPH = re.compile(r"(?<!\w)[*_](\S(?:.*?\S)?)[*_](?!\w)")
_OWNER_PREFIX = re.compile(
    r"^\s*(?:@[\w.-]+|\[[A-ZÅÄÖ][\w .-]{0,30}\]|owner\s*:\s*[\w .-]{1,30}[,;-]"
    r"|[A-ZÅÄÖ][a-zåäöé]+(?:\s[A-ZÅÄÖ][a-zåäöé]+)?(?=\s+[–—]\s))\s*[:–—-]?\s*",
    re.I,
)
_OWNER_SUFFIX_DASH = re.compile(
    r"\s+[–—-]\s*(?:@?[A-ZÅÄÖ][\w.'-]+(?:\s+[A-ZÅÄÖ][\w.'-]+){0,2}|@[\w.-]+)\s*$"
)
_OWNER_SUFFIX_PAREN = re.compile(
    r"\s*\((?:owner:\s*)?@?([A-ZÅÄÖ][a-zåäöé]+(?:\s+[A-ZÅÄÖ][a-zåäöé]+)?|[A-Z][A-Za-z]*s)\)\s*[.!]?\s*$"
)
_MENTION = re.compile(r"(?<![\w.])@[\w.-]+")
_SPACES = re.compile(r"\s+")
_OTHER_SPACE = re.compile(r"[^\S ]")  # whitespace other than a plain space
_BULLET_HEADS = frozenset("-*+•#>")
_STATUS_WORDS = (
    r"done|klar|klart|complete|completed|achieved|uppnått|in progress|pågår|pågående|on track|"
    r"at risk|off track|blocked|not started|ej påbörjad|delvis|partial|missed|failed|green|"
    r"yellow|red|grön|gul|röd"
)
_STATUS_TAIL = re.compile(
    r"(?:\s*[(\[]\s*(?:(?:progress|status|score|utfall|resultat)\s*:?\s*)?"
    rf"(?:\d{{1,3}}\s?%\s*(?:done|klart|complete)?|[01]?[.,]\d{{1,2}}|1[.,]0|{_STATUS_WORDS})\s*[)\]]"
    rf"|\s+[–—-]\s*(?:score|status|progress|betyg|utfall)\s*:?\s*(?:[01]?[.,]\d{{1,2}}|\d{{1,3}}\s?%|{_STATUS_WORDS})"
    rf"|[.;,]?\s+(?:score|status|progress)\s*:\s*(?:[01]?[.,]\d{{1,2}}|\d{{1,3}}\s?%|{_STATUS_WORDS}))\s*$",
    re.I,
)
_LABEL_HINT = re.compile(r"\s*(?:kr|nr|key|nyckel)", re.I)


@dataclass(frozen=True)
class CleanText:
    text: str  # cleaned text, original case (ALL CAPS lowered)
    lower: str  # lower-case copy that the regexes read
    owner: str | None  # an owner named in the text (tag, @mention, "– Name")
    shouted: bool  # the original was written in capitals


# Pictographs, dingbats, arrows, symbols, flags and joiners: decoration, not content.
_EMOJI = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
    "\u3030\u303d\u3297\u3299\ufe0e\ufe0f\u200d\ue000-\uf8ff\U0001f000-\U0001faff"
    "\U000e0000-\U000e007f]"
)
_ABOVE_2000 = re.compile("[\u2001-\U0010ffff]")
_UPPER = re.compile(r"[A-ZÅÄÖÉÜ]")
_LOWER = re.compile(r"[a-zåäöéü]")


def _strip_emoji(text: str) -> str:
    if text.isascii():
        return text
    out = _EMOJI.sub(" ", text)
    # Only characters above U+2000 can be symbols here: test just those.
    if out.isascii() or not any(unicodedata.category(c) == "So" for c in _ABOVE_2000.findall(out)):
        return out
    return "".join(" " if ord(c) > 0x2000 and unicodedata.category(c) == "So" else c for c in out)


_STATUS_KEYWORDS = ("score", "status", "progress", "betyg", "utfall")


def _may_have_status_tail(s: str) -> bool:
    if "(" in s or "[" in s or "ſ" in s:
        return True
    low = s.lower()
    return any(k in low for k in _STATUS_KEYWORDS)


def clean(text: str) -> CleanText:
    owner: str | None = None
    s = text or ""
    if len(s) > 2000:  # no key result is this long; cap the work the regexes do
        s = s[:2000]
    if "<" in s:
        m = _OWNER_TAG.search(s)
        if m:
            owner = m.group(1).strip()
            s = _OWNER_TAG.sub(" ", s)
        s = _HTML_TAG.sub(" ", s)
    if "](" in s:
        s = _MD_LINK.sub(r"\1", s)
    if "http" in s or "www." in s:
        s = _URL.sub(" ", s)
    if "&" in s:
        s = _HTML_ENTITY.sub(lambda e: _ENTITIES.get(e.group(0), " "), s)
    if "[" in s:
        s = _PRIORITY.sub(" ", s)
    if "→" in s or "⇒" in s:
        s = s.replace("→", " -> ").replace("⇒", " -> ")  # "8 h → 4 h" is a from→to pair
    s = _strip_emoji(s)
    # Each pattern runs only when its marker character is present (the hot path: live checks).
    head = s.lstrip()[:1]
    if head in _BULLET_HEADS or head.isdigit():
        s = _BULLET.sub("", _CHECKBOX.sub("", s))
    if "*" in s or "_" in s or "~" in s or "`" in s:
        s = _SINGLE_EMPH.sub(r"\1", _EMPHASIS.sub("", s))
    if _LABEL_HINT.match(s):
        s = _KR_LABEL.sub("", s)
    m = (
        _OWNER_PREFIX.match(s)
        if any(c in s[:45] for c in "@[:–—") or "owner" in s[:12].lower()
        else None
    )
    if m and m.end() < len(s):
        owner = owner or m.group(0).strip(" :–—-[]@")
        s = s[m.end() :]
    if "  " in s or _OTHER_SPACE.search(s):  # else collapsing whitespace changes nothing
        s = _SPACES.sub(" ", s)
    s = s.strip(" -–—:;")
    if "-" in s or "–" in s or "—" in s:
        m = _OWNER_SUFFIX_DASH.search(s)
        if m and m.start() > 0:
            owner = owner or m.group(0).strip(" ()–—-@.!")
            s = s[: m.start()].rstrip()
    if ")" in s[-3:]:
        m = _OWNER_SUFFIX_PAREN.search(s)
        if m and m.start() > 0:
            owner = owner or m.group(0).strip(" ()–—-@.!")
            s = s[: m.start()].rstrip()
    # "(70%)", "[done]", "– score 0.6", "status: on track": progress notes, not targets.
    # Every status tail has a bracket or a status keyword; skip the (costly) search when the
    # text has neither ("ſ" matches "s" under re.I, so it keeps the search).
    m = _STATUS_TAIL.search(s) if _may_have_status_tail(s) else None
    if m and m.start() > 0:
        s = s[: m.start()].rstrip(" -–—:;,")
    m = _MENTION.search(s) if "@" in s else None
    if m:
        owner = owner or m.group(0)[1:]
        s = _SPACES.sub(" ", _MENTION.sub(" ", s)).strip()
    upper = len(_UPPER.findall(s)) if not s.islower() else 0
    shouted = upper >= 8 and upper / (upper + len(_LOWER.findall(s))) > 0.8
    if shouted:
        s = s.lower()
    return CleanText(text=s, lower=s.lower(), owner=owner or None, shouted=shouted)

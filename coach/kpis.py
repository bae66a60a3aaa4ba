"""The KPI catalog (``knowledge/kpis.yaml``) and KPI suggestions for key results.

``load_catalog()`` parses and validates the catalog once per process. ``match_kr(text)`` reads
the KR with the shared KR reader (``coach.parse.parse_kr``: the measured thing, the direction)
and matches that measured thing — not every word of the sentence — against every KPI's names
and synonyms in both languages, and against the team's own KPIs (``team-kpis.yaml`` in the
workspace and the ``kpis`` lists of cycle files). Words are compared with the shared stemmer
and compound splitter in ``coach.lexical``.

A match has a strength in 0..1: how much of a catalog term the measured thing contains and how
much of the measured thing the term explains. Below ``MATCH_FLOOR`` the answer is "no close
match in the catalog" rather than a list of loosely related KPIs; the CLI then offers to record
the team's own KPI, which is matched like a catalog KPI from then on. Above it, the suggestions
are the KPI(s) that measure the KR, their leading drivers from the catalog's links, and a
counter-metric for growth KRs; each says why, naming the KR's measured thing.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from coach.errors import InputError, OkrCoachError
from coach.models import KpiRef
from coach.parse import detect_language

if TYPE_CHECKING:
    from coach.config import Settings
    from coach.models import Cycle, KeyResult

LANGS = ("en", "sv")

# ---------------------------------------------------------------------------- catalog model


class KpiDirection(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    target_range = "target_range"


class Indicator(StrEnum):
    leading = "leading"
    lagging = "lagging"


class KpiCategory(StrEnum):
    financial = "financial"
    operational = "operational"
    customer = "customer"
    employee = "employee"
    societal = "societal"  # outcomes for pupils, patients, residents or the climate


class KpiDomain(StrEnum):
    finance = "finance"
    sales = "sales"
    marketing = "marketing"
    support = "support"
    product = "product"
    engineering = "engineering"
    people = "people"
    project = "project"
    education = "education"
    public_services = "public_services"
    care = "care"
    climate = "climate"
    nonprofit = "nonprofit"
    community = "community"
    content = "content"


class Role(StrEnum):
    leading = "leading"
    lagging = "lagging"
    counter = "counter"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    en: str = Field(min_length=1)
    sv: str = Field(min_length=1)

    def in_lang(self, lang: str) -> str:
        return self.sv if lang == "sv" else self.en


class BilingualTerms(_Strict):
    en: list[str] = Field(min_length=1)
    sv: list[str] = Field(min_length=1)

    def in_lang(self, lang: str) -> list[str]:
        return self.sv if lang == "sv" else self.en


class Kpi(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="stable snake_case id")
    name: Bilingual
    synonyms: BilingualTerms
    definition: Bilingual
    formula: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    direction: KpiDirection
    indicator: Indicator
    category: KpiCategory
    domain: KpiDomain
    data_source: str = Field(min_length=1)
    cadence: str = Field(min_length=1)
    related: list[str] = Field(default_factory=list)
    counter_metrics: list[str] = Field(default_factory=list)

    def terms(self) -> list[tuple[str, str]]:
        """``(lang, term)`` for the names and every synonym in both languages."""
        out: list[tuple[str, str]] = []
        for lang in LANGS:
            name = self.name.in_lang(lang)
            # "First-contact resolution (FCR)": the words and the acronym are two terms, so a
            # KR that uses either one matches a whole term.
            m = _PAREN.match(name)
            out.extend([(lang, m.group(1)), (lang, m.group(2))] if m else [(lang, name)])
            out.extend((lang, s) for s in self.synonyms.in_lang(lang))
        return out


_PAREN = re.compile(r"^(.+?)\s*\(([^()]+)\)\s*$")


class Catalog(_Strict):
    schema_version: int = 1
    kpis: list[Kpi] = Field(min_length=1)
    _by_id: dict[str, Kpi] = PrivateAttr(default_factory=dict)
    _digest: str = PrivateAttr(default="")
    _source: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        seen: dict[str, int] = {}
        for i, kpi in enumerate(self.kpis):
            if kpi.id in seen:
                raise ValueError(
                    f"duplicate KPI id {kpi.id!r} (entries {seen[kpi.id] + 1} and {i + 1})"
                )
            seen[kpi.id] = i
        for kpi in self.kpis:
            for field in ("related", "counter_metrics"):
                for ref in getattr(kpi, field):
                    if ref not in seen:
                        raise ValueError(f"KPI {kpi.id!r}: {field} names unknown id {ref!r}")
                    if ref == kpi.id:
                        raise ValueError(f"KPI {kpi.id!r}: {field} refers to itself")
        self._by_id = {k.id: k for k in self.kpis}
        return self

    def get(self, kpi_id: str) -> Kpi | None:
        return self._by_id.get(kpi_id)

    def __contains__(self, kpi_id: object) -> bool:
        return kpi_id in self._by_id

    def __len__(self) -> int:
        return len(self.kpis)

    @property
    def digest(self) -> str:
        """sha256 of the catalog file: the key of cached vectors."""
        return self._digest

    @property
    def source(self) -> str:
        return self._source

    def filter(self, group: str | None) -> list[Kpi]:
        """KPIs in a category (``customer``) or a domain (``support``); all when None."""
        if not group:
            return list(self.kpis)
        g = group.strip().lower()
        return [k for k in self.kpis if g in (k.category.value, k.domain.value)]


GROUP_NAMES = tuple(c.value for c in KpiCategory) + tuple(d.value for d in KpiDomain)


def default_catalog_path() -> Path:
    return Path(str(resources.files("knowledge") / "kpis.yaml"))


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Parse and validate the catalog (cached per path). Bad files raise InputError with a line."""
    return _load_catalog_cached(str(Path(path).resolve()) if path else str(default_catalog_path()))


@functools.lru_cache(maxsize=8)
def _load_catalog_cached(path: str) -> Catalog:
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read the KPI catalog ({e.strerror})", path) from None
    text = raw.decode("utf-8", errors="replace")
    from coach.files.yaml_io import load_data

    data = load_data(text, path)
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as e:
        raise _catalog_error(e, text, path, data) from None
    catalog._digest = hashlib.sha256(raw).hexdigest()
    catalog._source = path
    return catalog


def _catalog_error(err: ValidationError, text: str, path: str, data: Any) -> InputError:
    from coach.files.yaml_io import line_of, load_yaml

    root = load_yaml(text, path)
    first = err.errors()[0]
    line = line_of(root, tuple(first["loc"]))
    problems = []
    for e in err.errors()[:3]:
        where = ".".join(str(p) for p in e["loc"])
        entry = _entry_id(data, e["loc"])
        problems.append(f"{where}{f' ({entry})' if entry else ''}: {e['msg']}")
    more = f" (+{len(err.errors()) - 3} more)" if len(err.errors()) > 3 else ""
    return InputError("invalid KPI catalog: " + "; ".join(problems) + more, path, line)


def _entry_id(data: Any, loc: tuple[Any, ...]) -> str | None:
    """The id of the catalog entry an error is in, read from the plain parsed data."""
    if len(loc) >= 2 and loc[0] == "kpis" and isinstance(loc[1], int):
        try:
            return str(data["kpis"][loc[1]]["id"])
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return None


# ------------------------------------------------------------------------ word matching

# Words that say how a measure is counted, not what is measured: a KR phrase made mostly of
# them ("the share of …") must not count as explained by a KPI that shares only them.
_COUNTING_WORDS = frozenset(
    """number count amount percentage percent share proportion rate ratio level total average
    mean median avg score index andel antal mängd procent nivå genomsnitt snitt medel summa
    kvot grad per day daily week weekly month monthly quarter quarterly year yearly annual dag
    vecka månad kvartal år årlig""".split()
)


@functools.lru_cache(maxsize=1)
def _counting_stems() -> frozenset[str]:
    return frozenset(w for t in _COUNTING_WORDS for w, _ in _words(t))


@dataclass(frozen=True)
class _Phrase:
    """A name, synonym or measured thing as content words: (stem, compound parts)."""

    text: str
    words: tuple[tuple[str, tuple[str, ...]], ...]


def _words(text: str) -> list[tuple[str, tuple[str, ...]]]:
    from coach.lexical import content_words

    return content_words(text)


def _phrase(text: str) -> _Phrase:
    return _Phrase(text, tuple(_words(text)))


def _word_match(a: str, a_parts: tuple[str, ...], b: str, b_parts: tuple[str, ...]) -> float:
    """How well word ``a`` (from a catalog term) is present as word ``b`` (from the KR)."""
    if a == b:
        return 1.0
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 5 and long_.startswith(short) and len(long_) - len(short) <= 3:
        return 1.0  # delivery ~ deliveries after stemming
    if len(a) >= 5 and a in b:
        return 1.0  # the term's word inside a KR compound: användning ~ elanvändning
    if len(a) >= 6 and a[-2:] in ("el", "er", "en") and b.startswith(a[:-2] + a[-1]):
        return 1.0  # Swedish syncope: drivmedel ~ drivmedlen, nyckel ~ nycklar
    if a in b_parts:
        return 1.0  # one part of a KR compound or hyphenated word: time ~ time-to-value
    if a_parts and set(a_parts) <= ({b} | set(b_parts)):
        return 1.0
    if len(b) >= 5 and b in a:
        return 0.6  # the KR names only part of a more specific compound: utsläpp ~ växthusgas…
    return 0.0


class _Index:
    """Every entry's terms as word phrases, an IDF weight per stem, and postings per stem."""

    def __init__(self, entries: Sequence[Sequence[str]], weights_from: _Index | None = None):
        self.terms = [[p for p in (_phrase(t) for t in ts) if p.words] for ts in entries]
        df: dict[str, int] = {}
        self.vocab: dict[str, tuple[str, ...]] = {}
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for e, ts in enumerate(self.terms):
            for stem in {w for p in ts for w, _ in p.words}:
                df[stem] = df.get(stem, 0) + 1
            for t, p in enumerate(ts):
                for w, parts in p.words:
                    self.vocab.setdefault(w, parts)
                    self.postings.setdefault(w, []).append((e, t))
        n = max(len(entries), 1)
        self.idf = {s: math.log(1.0 + n / c) for s, c in df.items()}
        self.max_idf = math.log(1.0 + n / 0.5)  # a word no entry uses: most specific of all
        if weights_from is not None:  # team KPIs are weighed like the catalog's words
            self.idf, self.max_idf = weights_from.idf, weights_from.max_idf
        self._hits: dict[tuple[str, tuple[str, ...]], list[tuple[str, float]]] = {}
        # Lookup tables so one KR word is compared with a few vocabulary words, not all.
        self._by_prefix: dict[str, list[str]] = {}
        self._by_infix: dict[str, list[str]] = {}
        self._by_part: dict[str, list[str]] = {}
        for a, parts in self.vocab.items():
            if len(a) >= 5:
                self._by_prefix.setdefault(a[:5], []).append(a)
                for i in range(len(a) - 4):
                    for j in range(i + 5, len(a) + 1):
                        self._by_infix.setdefault(a[i:j], []).append(a)
            for part in parts:
                self._by_part.setdefault(part, []).append(a)

    def weight(self, stem: str) -> float:
        w = self.idf.get(stem, self.max_idf)
        return 0.25 * w if stem in _counting_stems() else w

    def hits(self, word: tuple[str, tuple[str, ...]]) -> list[tuple[str, float]]:
        """Vocabulary words that one KR word matches, with the match value (memoised)."""
        found = self._hits.get(word)
        if found is None:
            b, b_parts = word
            cands = {b} & self.vocab.keys()
            cands.update(self._by_prefix.get(b[:5], ()) if len(b) >= 5 else ())
            cands.update(self._by_infix.get(b, ()) if len(b) >= 5 else ())
            cands.update(
                b[i:j] for i in range(len(b) - 4) for j in range(i + 5, len(b) + 1)
                if b[i:j] in self.vocab
            )  # fmt: skip
            for part in (b, *b_parts):
                cands.update(self._by_part.get(part, ()))
            cands.update(p for p in b_parts if p in self.vocab)
            found = [(a, m) for a in cands if (m := _word_match(a, self.vocab[a], b, b_parts))]
            if len(self._hits) < 50_000:
                self._hits[word] = found
        return found

    def score_all(
        self, words: Sequence[tuple[str, tuple[str, ...]]], focus: Sequence[float]
    ) -> dict[tuple[int, int], tuple[float, float]]:
        """(term coverage, focus coverage) for every term that shares a focus word.

        ``words`` are all the KR's words; a term's coverage counts them all (every word of the
        term must be somewhere in the KR). ``focus`` weighs each word by how central it is to
        the measured thing (1 for the measured phrase, less for its complement, 0 elsewhere);
        a term must match at least one of the most central words, and the focus coverage says how
        much of the measured thing it explains.
        """
        per_word: dict[str, list[tuple[int, float]]] = {}
        for i, word in enumerate(words):
            for a, m in self.hits(word):
                per_word.setdefault(a, []).append((i, m))
        q_weights = [f * self.weight(b) for (b, _), f in zip(words, focus, strict=True)]
        q_all = sum(q_weights)
        top = max(focus, default=0.0)
        anchors = {
            a for a, hits in per_word.items() if any(focus[i] >= ANCHOR * top for i, _ in hits)
        }
        cands = {pt for a in anchors for pt in self.postings.get(a, ())}
        out = {}
        for e, t in cands:
            term = self.terms[e][t]
            t_hit = t_all = 0.0
            q_best: dict[int, float] = {}
            for a, _ in term.words:
                w = self.weight(a)
                t_all += w
                best = 0.0
                for i, m in per_word.get(a, ()):
                    best = max(best, m)
                    q_best[i] = max(q_best.get(i, 0.0), m)
                t_hit += w * best
            q_hit = sum(q_weights[i] * m for i, m in q_best.items())
            out[(e, t)] = (t_hit / t_all if t_all else 0.0, q_hit / q_all if q_all else 0.0)
        return out


def _match_score(term_cov: float, focus_cov: float, n_words: int) -> float:
    """Strength of one term: the whole term must be in the KR; the more of the measured thing
    it explains, the stronger; a longer (more specific) term wins a tie."""
    return term_cov**2 * (0.3 + 0.7 * focus_cov) + 0.02 * min(n_words - 1, 3)


_COMPLEMENT_END = re.compile(r"[\d,;:()]|\s[–-]\s")
COMPLEMENT_WEIGHT = 0.5  # "väntetiden [i snitt … på ett äldreboende]": what the head is about
ANCHOR = 0.5  # a term must match a word at least this central (relative to the most central)


def _focus(text: str, reading: KrReading) -> tuple[list[tuple[str, tuple[str, ...]]], list[float]]:
    """The KR's words with a focus weight each: measured thing 1, its complement less, rest 0."""
    if not reading.measured:
        words = _words(text)
        return words, [WHOLE_TEXT] * len(words)
    core = _words(reading.measured)
    pos = text.lower().find(reading.measured.lower())
    rest = text[pos + len(reading.measured) :] if pos >= 0 else ""
    end = _COMPLEMENT_END.search(rest)
    complement = _words(rest[: end.start()] if end else rest)[:8]
    before = _words(text[:pos]) if pos >= 0 else []
    after = _words(rest[end.start() :]) if end else []
    words = core + complement + before + after
    return words, [1.0] * len(core) + [COMPLEMENT_WEIGHT] * len(complement) + [0.0] * (
        len(before) + len(after)
    )


@functools.lru_cache(maxsize=4)
def _catalog_index(digest: str, source: str) -> _Index:
    catalog = load_catalog(source)
    return _Index([[t for _, t in k.terms()] for k in catalog.kpis])


# ---------------------------------------------------------------------------- team KPIs

TEAM_FILE = "team-kpis.yaml"


class TeamKpi(_Strict):
    """A KPI the team measures that the catalog lacks (``team-kpis.yaml`` or a cycle file)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    name: str = Field(min_length=1, max_length=120)
    unit: str | None = None
    direction: str | None = None
    also_called: list[str] = Field(default_factory=list, description="other names for it")

    def terms(self) -> list[str]:
        return [self.name, _id_words(self.id), *self.also_called]

    @classmethod
    def from_ref(cls, ref: KpiRef) -> TeamKpi:
        return cls.model_construct(id=ref.id, name=ref.name, unit=ref.unit,
                                   direction=ref.direction, also_called=[])  # fmt: skip


class _TeamFile(_Strict):
    schema_version: int = 1
    kpis: list[TeamKpi] = Field(default_factory=list)


def _id_words(kpi_id: str) -> str:
    return re.sub(r"[_\-.]+", " ", kpi_id)


def team_file(root: str | Path) -> Path:
    return Path(root) / TEAM_FILE


def load_team_file(root: str | Path) -> list[TeamKpi]:
    """The workspace's recorded team KPIs; [] when there is no file. A bad file is an error."""
    path = team_file(root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as e:
        raise InputError(f"cannot read team KPIs ({e.strerror})", str(path)) from None
    from coach.files.yaml_io import load_data

    data = load_data(text, str(path)) or {}
    try:
        return _TeamFile.model_validate(data).kpis
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"invalid team KPI file: {where}: {first['msg']}", str(path)) from None


def record_team_kpi(
    root: str | Path,
    name: str,
    kpi_id: str | None = None,
    unit: str | None = None,
    also_called: Sequence[str] = (),
) -> TeamKpi:
    """Add (or extend) a team KPI in ``team-kpis.yaml``; suggestions find it from then on."""
    from coach.files.atomic import atomic_write_text
    from coach.files.yaml_io import dump_yaml

    name = " ".join(name.split())
    if not name:
        raise InputError("a team KPI needs a name")
    kpi_id = kpi_id or re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not kpi_id or not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", kpi_id):
        raise InputError(f"invalid KPI id {kpi_id!r}: use lower-case letters, digits and _")
    if kpi_id in load_catalog():
        raise InputError(f"{kpi_id!r} is already a catalog KPI; use it directly")
    kpis = load_team_file(root)
    extra = [a for a in (" ".join(x.split()) for x in also_called) if a]
    for i, k in enumerate(kpis):
        if k.id == kpi_id:
            merged = k.also_called + [a for a in extra if a not in k.also_called]
            kpis[i] = k.model_copy(
                update={"name": name, "unit": unit or k.unit, "also_called": merged}
            )
            break
    else:
        kpis.append(TeamKpi(id=kpi_id, name=name, unit=unit, also_called=extra))
    body = _TeamFile(kpis=kpis).model_dump(mode="json", exclude_none=True)
    header = (
        "# Team KPIs (okr-coach kpis --record). KPI suggestions match these like catalog KPIs.\n"
    )
    atomic_write_text(team_file(root), header + dump_yaml(body))
    return next(k for k in kpis if k.id == kpi_id)


def team_kpis_from_workspace(root: str | Path, exclude_cycle: str | None = None) -> list[TeamKpi]:
    """Recorded team KPIs plus the KpiRef entries of cycle files (newest definition wins).

    Unreadable cycle files are skipped: suggestions must not fail because an old file is bad.
    """
    from coach.workspace import Workspace

    ws = Workspace(Path(root))
    found: dict[str, TeamKpi] = {}
    for cycle_id in ws.cycle_ids():
        if cycle_id == exclude_cycle:
            continue
        try:
            cycle = ws.load_cycle(cycle_id)
        except OkrCoachError:
            continue
        for ref in cycle.kpis:
            found[ref.id] = TeamKpi.from_ref(ref)
    for k in load_team_file(root):
        found[k.id] = k
    return list(found.values())


def _as_team(items: Sequence[KpiRef | TeamKpi] | None, catalog: Catalog) -> list[TeamKpi]:
    out: dict[str, TeamKpi] = {}
    for it in items or ():
        t = it if isinstance(it, TeamKpi) else TeamKpi.from_ref(it)
        if t.id not in catalog:
            out[t.id] = t
    return list(out.values())


# ---------------------------------------------------------------------------- matching

# Tuned on the `tune` half of bench/kpi_real (see bench/kpi_real/README.md).
MATCH_FLOOR = 0.5  # below: "no close match in the catalog"
# Candidates a model or a person picks from (critique prompts, offline KR skeletons for an
# objective) may be looser: each still carries its match strength.
CANDIDATE_FLOOR = 0.3
STRONG = 0.75  # at or above: the KPI is the KR's measured thing
WHOLE_TEXT = 0.85  # focus of each word when the reader found no measured thing


class MatchLevel(StrEnum):
    strong = "strong"  # the KPI is what the KR measures
    partial = "partial"  # part of the measured thing matches: check it is what is meant
    linked = "linked"  # no word match; linked to the matched KPI in the catalog
    counter = "counter"  # guards the matched KPI against being gamed


@dataclass
class _Cand:
    key: str
    kpi: Kpi | None
    team: TeamKpi | None
    strength: float
    term: str | None

    def name(self, lang: str) -> str:
        if self.kpi:
            return self.kpi.name.in_lang(lang)
        return self.team.name if self.team else self.key

    @property
    def indicator(self) -> Indicator:
        return self.kpi.indicator if self.kpi else Indicator.lagging


@dataclass(frozen=True)
class KrReading:
    """What the shared KR reader found that matching uses."""

    measured: str | None  # the measured thing in the KR's words, None when the reader is unsure
    direction: str | None  # up | down | hold | None
    lang: str


def read_kr(text: str, lang: str | None = None, metric: str | None = None) -> KrReading:
    """The measured thing and direction of a KR, from ``coach.parse.parse_kr``."""
    from coach.parse import parse_kr

    lang = lang if lang in LANGS else detect_language(text)
    parsed = parse_kr(text, lang)
    return KrReading((metric or parsed.metric or "").strip() or None, parsed.direction, lang)


def rank_kpis(
    text: str,
    reading: KrReading | None = None,
    team_kpis: Sequence[KpiRef | TeamKpi] | None = None,
    *,
    catalog: Catalog | None = None,
) -> list[_Cand]:
    """Catalog and team KPIs that match the KR at all, strongest first."""
    catalog = catalog or load_catalog()
    reading = reading or read_kr(text)
    index = _catalog_index(catalog.digest, catalog.source)
    words, focus = _focus(text, reading)
    team = _as_team(team_kpis, catalog)
    best: dict[int, tuple[float, str | None]] = {}
    indexes = [(index, 0)]
    if team:
        indexes.append((_Index([t.terms() for t in team], weights_from=index), len(catalog)))
    for idx, offset in indexes:
        for (e, t), (tc, qc) in idx.score_all(words, focus).items():
            if tc < 0.5:
                continue
            term = idx.terms[e][t]
            s = min(1.0, _match_score(tc, qc, len(term.words)))
            if s > best.get(e + offset, (0.0, None))[0]:
                best[e + offset] = (s, term.text)
    out = []
    for i, (s, term) in best.items():
        if i < len(catalog):
            out.append(_Cand(catalog.kpis[i].id, catalog.kpis[i], None, round(s, 4), term))
        else:
            tk = team[i - len(catalog)]
            out.append(_Cand(tk.id, None, tk, round(s, 4), term))
    out.sort(key=lambda c: (-c.strength, c.team is None, c.key))
    return out


# ------------------------------------------------------------------------- suggestions


class KpiSuggestion(BaseModel):
    """One suggested KPI for a KR, with a one-line reason in the requested language."""

    model_config = ConfigDict(extra="forbid")

    kpi_id: str
    name: str
    reason: str
    role: Role
    score: float = Field(ge=0.0, le=1.0, description="ranking score (the match for direct hits)")
    match: float = Field(ge=0.0, le=1.0, description="how well the KPI itself matches the KR")
    match_level: MatchLevel
    matched_term: str | None = None
    indicator: Indicator
    source: str = Field(default="catalog", description="catalog | team")


class KpiMatch(BaseModel):
    """The suggestions for one KR, or an honest "no close match"."""

    model_config = ConfigDict(extra="forbid")

    measured: str | None
    direction: str | None
    no_match: bool
    best_match: float = Field(ge=0.0, le=1.0)
    suggestions: list[KpiSuggestion]


_REASONS = {
    "en": {
        "strong": '"{measured}" is what {name} measures: {definition}',
        "partial": 'Partly matches "{measured}"{term}: check that {name} is what you mean: {definition}',
        "team": 'Your team\'s own KPI "{name}" matches "{measured}".',
        "driver": "Leading indicator for {primary}: {definition}",
        "outcome": "The result {primary} should move: {definition}",
        "counter": 'Counter-metric for {primary}: pushing "{measured}" {way} can hurt {name}.',
        "up": "up",
        "down": "down",
        "other": "hard",
    },
    "sv": {
        "strong": '"{measured}" är det som {name} mäter: {definition}',
        "partial": 'Matchar delvis "{measured}"{term}: kontrollera att {name} är det ni menar: {definition}',
        "team": 'Ert teams eget nyckeltal "{name}" matchar "{measured}".',
        "driver": "Ledande indikator för {primary}: {definition}",
        "outcome": "Resultatet som {primary} ska påverka: {definition}",
        "counter": 'Motmått för {primary}: att driva "{measured}" {way} kan skada {name}.',
        "up": "uppåt",
        "down": "nedåt",
        "other": "hårt",
    },
}


def _definition(c: _Cand, lang: str) -> str:
    if c.kpi is None:
        return ""
    text = c.kpi.definition.in_lang(lang).strip()
    return text[0].lower() + text[1:] if text[:2] != text[:2].upper() else text


def match_kr(
    text: str,
    lang: str | None = None,
    k: int = 5,
    settings: Settings | None = None,
    team_kpis: Sequence[KpiRef | TeamKpi] | None = None,
    metric: str | None = None,
    floor: float = MATCH_FLOOR,
) -> KpiMatch:
    """KPIs for one KR: those that measure it, their drivers and a counter-metric — or none.

    ``metric`` is the KR's own metric field when a cycle file has one; otherwise the shared KR
    reader finds the measured thing in ``text``. ``settings`` is accepted for symmetry with the
    other suggesters (matching needs no model).
    """
    del settings
    text = (text or "").strip()
    if not text:
        return KpiMatch(
            measured=None, direction=None, no_match=True, best_match=0.0, suggestions=[]
        )
    reading = read_kr(text, lang, metric)
    out_lang = lang if lang in LANGS else reading.lang
    k = max(1, min(int(k), 10))
    catalog = load_catalog()
    ranked = rank_kpis(text, reading, team_kpis, catalog=catalog)
    best = ranked[0].strength if ranked else 0.0
    if best < floor:
        return KpiMatch(measured=reading.measured, direction=reading.direction, no_match=True,
                        best_match=best, suggestions=[])  # fmt: skip
    return KpiMatch(
        measured=reading.measured,
        direction=reading.direction,
        no_match=False,
        best_match=best,
        suggestions=_compose(ranked, reading, catalog, out_lang, k, floor),
    )


def suggest_kpis(
    text: str,
    lang: str | None = None,
    k: int = 5,
    settings: Settings | None = None,
    team_kpis: Sequence[KpiRef | TeamKpi] | None = None,
    floor: float = MATCH_FLOOR,
) -> list[KpiSuggestion]:
    """The suggestions of ``match_kr`` ([] when the catalog has no close match)."""
    return match_kr(text, lang, k, settings, team_kpis, floor=floor).suggestions


def _compose(
    ranked: list[_Cand], reading: KrReading, catalog: Catalog, lang: str, k: int, floor: float
) -> list[KpiSuggestion]:
    msgs = _REASONS[lang]
    top = ranked[0]
    measured = reading.measured or top.term or ""
    matched = {c.key: c for c in ranked}
    picked: list[KpiSuggestion] = []

    def cand(key: str) -> _Cand | None:
        kpi = catalog.get(key)
        return matched.get(key) or (_Cand(key, kpi, None, 0.0, None) if kpi else None)

    def add(c: _Cand, role: Role, level: MatchLevel, reason: str, score: float) -> None:
        if len(picked) < k and all(p.kpi_id != c.key for p in picked):
            picked.append(KpiSuggestion(
                kpi_id=c.key, name=c.name(lang), reason=reason, role=role,
                score=round(min(1.0, max(0.0, score)), 4), match=min(1.0, c.strength),
                match_level=level, matched_term=c.term, indicator=c.indicator,
                source="team" if c.team else "catalog",
            ))  # fmt: skip

    def direct_reason(c: _Cand) -> str:
        term = f" ({c.term})" if c.term and c.term != c.name(lang) else ""
        fields = {"measured": measured, "name": c.name(lang), "term": term,
                  "definition": _definition(c, lang)}  # fmt: skip
        if c.team is not None:
            return msgs["team"].format(**fields)
        return msgs["strong" if c.strength >= STRONG else "partial"].format(**fields).strip()

    # 1. KPIs that measure the KR: the best, and any about as good (two names for one thing).
    direct = [c for c in ranked if c.strength >= max(floor, 0.85 * top.strength)][:3]
    for c in direct:
        level = MatchLevel.strong if c.strength >= STRONG else MatchLevel.partial
        add(c, Role(c.indicator.value), level, direct_reason(c), c.strength)
    primary = top.name(lang)
    counter_slot = 1 if reading.direction == "up" and k >= 3 and top.kpi else 0
    # 2. From the catalog's links: leading drivers of a result, or the result a driver moves.
    if top.kpi is not None:
        want = Indicator.leading if top.indicator is Indicator.lagging else Indicator.lagging
        keys = top.kpi.related + _reverse_links(catalog.digest, catalog.source).get(top.key, [])
        links = [c for c in map(cand, keys) if c is not None]
        key = "driver" if want is Indicator.leading else "outcome"
        for c in [c for c in links if c.indicator is want][:2]:
            if len(picked) >= k - counter_slot:
                break
            reason = msgs[key].format(primary=primary, definition=_definition(c, lang))
            add(c, Role(want.value), MatchLevel.linked, reason, 0.6 * top.strength)
    # 3. A counter-metric for growth KRs.
    if counter_slot and top.kpi is not None:
        chosen = {p.kpi_id for p in picked}
        for ref in top.kpi.counter_metrics:
            c = cand(ref)
            if c is not None and ref not in chosen:
                way = msgs["up" if reading.direction == "up" else "other"]
                reason = msgs["counter"].format(primary=primary, measured=measured, way=way,
                                                name=c.name(lang))  # fmt: skip
                add(c, Role.counter, MatchLevel.counter, reason, 0.5 * top.strength)
                break
    return picked


@functools.lru_cache(maxsize=4)
def _reverse_links(digest: str, source: str) -> dict[str, list[str]]:
    rev: dict[str, list[str]] = {}
    for kpi in load_catalog(source).kpis:
        for r in kpi.related:
            rev.setdefault(r, []).append(kpi.id)
    return rev


# ------------------------------------------------------------------------------ cycles


def suggest_for_cycle(
    cycle: Cycle,
    lang: str | None = None,
    k: int = 5,
    settings: Settings | None = None,
    team_kpis: Sequence[KpiRef | TeamKpi] | None = None,
) -> list[tuple[int, int, KeyResult, KpiMatch]]:
    """A match for every KR of a cycle: ``(objective_index, kr_index, kr, match)``."""
    team = list(team_kpis or []) + list(cycle.kpis)
    out_lang = (
        lang if lang in LANGS else (cycle.language.value if cycle.language.value in LANGS else None)
    )
    return [
        (oi, ki, kr, match_kr(kr.text, out_lang, k, settings, team, metric=kr.metric))
        for oi, ki, _, kr in cycle.iter_krs()
    ]

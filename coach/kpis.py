"""The KPI catalog (``knowledge/kpis.yaml``) and KPI suggestions for key results.

``load_catalog()`` parses and validates the catalog once per process (no vectors: that keeps
app start fast). ``suggest_kpis(text)`` ranks catalog KPIs, and the team's own KPIs from past
cycles, for one KR or objective by fusing two signals:

- bilingual keyword matching against every KPI's names and synonyms in both languages, with
  light stemming and compound matching (``kundbortfallet`` finds ``bortfall``);
- similarity from the shared embedder (``coach.embeddings``), whose catalog vectors are cached
  on disk keyed by the catalog's hash and the embedder's name, and computed only on first use.

It then composes 3–5 suggestions with roles: at least one leading and one lagging indicator
where the catalog allows, the leading drivers when the KR's metric is itself a KPI, the outcome
KPIs an activity KR should move, and a counter-metric for growth KRs.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Sequence
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from coach.errors import InputError, OkrCoachError
from coach.models import KpiRef
from coach.parse import detect_language

if TYPE_CHECKING:
    import numpy as np

    from coach.config import Settings
    from coach.embeddings import Embedder
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


class KpiDomain(StrEnum):
    finance = "finance"
    sales = "sales"
    marketing = "marketing"
    support = "support"
    product = "product"
    engineering = "engineering"
    people = "people"
    project = "project"


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


# ------------------------------------------------------------------------- text matching

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)

_STOP = frozenset(
    """a an and the of to in on for by per with from at as is are be our we all any each every
    its it this that into than then over under within without more less least most at least
    och att av för på i med till från som en ett den det de vi vår våra vårt alla varje per
    är ska skall vara blir inom under över mer mindre minst högst än mot efter före vid sin
    sitt sina samt där när hos också""".split()
)

# Inflection endings, longest first; a stem keeps at least four letters.
_SUFFIXES = (
    "heterna", "heten", "heter", "arnas", "ernas", "ornas", "arna", "erna", "orna", "ande",
    "ende", "ingar", "ingen", "ning", "ings", "ing", "ies", "ers", "ade", "are", "ens",
    "ets", "es", "ed", "er", "ar", "or", "en", "et", "na", "s", "y",
)  # fmt: skip


_ENDINGS = frozenset({"e", "a", "s", "y", "or", "er", "ar", "en", "et", "es", "ed", "na", "ing"})


def _stem(word: str) -> str:
    for keep in (4, 5):  # delivery -> deliver -> deliv, like deliver -> deliv; not förs|en
        for suf in _SUFFIXES:
            if word.endswith(suf) and len(word) - len(suf) >= keep:
                word = word[: -len(suf)]
                break
        else:
            break
    return word


def stems(text: str) -> list[str]:
    """Lower-cased, stemmed content words (stop words dropped, single letters dropped)."""
    out = []
    for w in _WORD_RE.findall(text.lower()):
        if w in _STOP or (len(w) < 2 and not w.isdigit()):
            continue
        out.append(_stem(w))
    return out


def _matches(term_stem: str, query: Sequence[str]) -> bool:
    """A term word matches a query word exactly, as a prefix, or inside a compound."""
    for q in query:
        if q == term_stem:
            return True
        if len(term_stem) >= 4 and q.startswith(term_stem):
            return True
        if len(term_stem) >= 5 and term_stem in q:  # Swedish compounds: kund|nöjdhet
            return True
        # visit ~ visitor, but not ärende ~ ärendekö (a compound, not an inflection)
        if len(q) >= 5 and term_stem.startswith(q) and term_stem[len(q) :] in _ENDINGS:
            return True
    return False


class _Term:
    __slots__ = ("lang", "stems", "text")

    def __init__(self, lang: str, text: str):
        self.lang = lang
        self.text = text
        self.stems = tuple(dict.fromkeys(stems(text)))


class _LexicalIndex:
    """Names and synonyms of every entry, with an IDF weight per stem."""

    def __init__(self, entries: Sequence[list[tuple[str, str]]]):
        self.terms = [[_Term(lang, t) for lang, t in e] for e in entries]
        self.terms = [[t for t in ts if t.stems] for ts in self.terms]
        df: dict[str, int] = {}
        for ts in self.terms:
            for s in {s for t in ts for s in t.stems}:
                df[s] = df.get(s, 0) + 1
        n = max(len(entries), 1)
        self.idf = {s: math.log(1.0 + n / c) for s, c in df.items()}

    def score(self, query: Sequence[str]) -> list[tuple[float, str | None]]:
        """Per entry: (best term coverage 0..~1.3, the matching term). Full phrases beat parts."""
        # Match each vocabulary stem once per query, then score terms by lookups.
        matched = {s for s in self.idf if _matches(s, query)}
        out: list[tuple[float, str | None]] = []
        for ts in self.terms:
            best, best_term = 0.0, None
            for t in ts:
                if matched.isdisjoint(t.stems):
                    continue
                weights = [self.idf[s] for s in t.stems]
                hit = sum(w for s, w in zip(t.stems, weights, strict=True) if s in matched)
                cov = hit / sum(weights)
                # A whole name or synonym present is strong evidence; longer phrases are more
                # specific than single words, so they win ties.
                s = cov * (1.0 + 0.1 * min(len(t.stems) - 1, 3)) if cov >= 0.999 else 0.55 * cov
                if s > best:
                    best, best_term = s, t.text
            out.append((best, best_term))
        return out


@functools.lru_cache(maxsize=4)
def _catalog_index(digest: str, source: str) -> _LexicalIndex:
    catalog = load_catalog(source)
    return _LexicalIndex([k.terms() for k in catalog.kpis])


# ------------------------------------------------------------------------ cached vectors

_VECTOR_LOCK = threading.Lock()
_VECTORS: dict[tuple[str, str], np.ndarray] = {}


def _kpi_documents(kpi: Kpi) -> list[str]:
    """Texts embedded per KPI: names+synonyms per language, and name+definition per language."""
    docs = []
    for lang in LANGS:
        docs.append(", ".join([kpi.name.in_lang(lang), *kpi.synonyms.in_lang(lang)]))
    for lang in LANGS:
        docs.append(f"{kpi.name.in_lang(lang)}: {kpi.definition.in_lang(lang)}")
    return docs


DOCS_PER_KPI = 4


def vector_cache_dir(settings: Settings | None = None) -> Path:
    """Where catalog vectors are cached: the workspace cache, else the user's cache dir."""
    if settings is not None and settings.workspace.is_dir():
        return settings.cache_dir / "kpis"  # a fresh path is not turned into a workspace here
    import platformdirs

    return Path(platformdirs.user_cache_dir("okr-coach", appauthor=False)) / "kpis"


def _cache_file(directory: Path, catalog: Catalog, embedder_name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder_name)[:80]
    return directory / f"kpi-vectors-{catalog.digest[:16]}-{safe}.npy"


def catalog_vectors(
    catalog: Catalog, embedder: Embedder, cache_dir: Path | None = None
) -> np.ndarray:
    """(len(catalog) × DOCS_PER_KPI, dim) vectors: memory, then disk, then the embedder."""
    import numpy as np

    key = (catalog.digest, embedder.name)
    with _VECTOR_LOCK:
        if key in _VECTORS:
            return _VECTORS[key]
        expected = len(catalog) * DOCS_PER_KPI
        path = _cache_file(cache_dir, catalog, embedder.name) if cache_dir else None
        vecs = _read_vectors(path, expected) if path else None
        if vecs is None:
            docs = [d for k in catalog.kpis for d in _kpi_documents(k)]
            vecs = np.asarray(embedder.embed(docs), dtype=np.float32)
            if path:
                _write_vectors(path, vecs)
        _VECTORS[key] = vecs
        return vecs


def _read_vectors(path: Path, rows: int) -> np.ndarray | None:
    import numpy as np

    try:
        vecs = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None  # missing or damaged: recompute
    if vecs.ndim != 2 or vecs.shape[0] != rows or not np.isfinite(vecs).all():
        return None
    return vecs.astype(np.float32, copy=False)


def _write_vectors(path: Path, vecs: np.ndarray) -> None:
    """Best effort: a read-only or full disk only costs recomputation next time."""
    import numpy as np

    from coach.files.atomic import atomic_write_bytes

    buf = io.BytesIO()
    np.save(buf, vecs, allow_pickle=False)
    for directory in (path.parent, _temp_cache_dir()):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(directory / path.name, buf.getvalue())
            return
        except OSError:
            continue


def _temp_cache_dir() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"okr-coach-{uid}" / "kpis"


def clear_vector_memory() -> None:
    """Forget vectors held in memory (tests and benchmarks measure the disk cache with it)."""
    with _VECTOR_LOCK:
        _VECTORS.clear()


# -------------------------------------------------------------------------- KR reading

_ACTIVITY_VERBS = {
    "en": """launch publish hold run make send call write create build implement introduce
        organise organize conduct host attend complete roll set up sign arrange train produce
        post deliver develop start redesign migrate hire interview visit record""",
    "sv": """lansera publicera hålla genomföra ringa skicka skriva skapa bygga implementera
        införa ta arrangera anordna teckna starta utbilda rulla producera posta leverera
        utveckla göra ordna besöka anställa rekrytera intervjua spela""",
}
_GROWTH_WORDS = {
    "en": """increase grow raise lift boost double triple expand gain win more improve
        higher reach maximise maximize accelerate""",
    "sv": """öka växa höja lyfta dubbla fördubbla tredubbla utöka vinna fler mer förbättra
        högre nå""",
}
_REDUCE_WORDS = {
    "en": "reduce cut lower decrease halve shorten minimise minimize drop less fewer down",
    "sv": "minska sänka halvera korta kapa färre mindre lägre ner",
}
_FROM_TO = re.compile(
    r"(?:from|från)\s+(-?\d[\d\s.,]*)\D{0,12}?\s(?:to|till)\s+(-?\d[\d\s.,]*)", re.IGNORECASE
)


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower())


def _lexicon(table: dict[str, str]) -> frozenset[str]:
    return frozenset(w for v in table.values() for w in v.split())


_ACTIVITY = _lexicon(_ACTIVITY_VERBS)
_GROWTH = _lexicon(_GROWTH_WORDS)
_REDUCE = _lexicon(_REDUCE_WORDS)


def _number(raw: str) -> float | None:
    raw = raw.strip().replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    raw = raw.replace(",", "")
    try:
        return float(raw.rstrip("."))
    except ValueError:
        return None


def is_activity_kr(text: str) -> bool:
    """The KR names work to do (launch, publish, call) rather than a result to reach."""
    words = [w for w in _words(text) if not w.isdigit()]
    if not words or "%" in text or "procent" in words or "percent" in words:
        return False  # "Deliver 95 % of orders on time" states a rate: an outcome
    first = words[0]
    if first in _GROWTH or first in _REDUCE:
        return False
    return first in _ACTIVITY or (
        len(first) > 4 and any(first.startswith(v) for v in _ACTIVITY if len(v) > 4)
    )


def kr_change(text: str) -> str | None:
    """``up`` for growth KRs, ``down`` for reductions, None when the text does not say."""
    m = _FROM_TO.search(text)
    if m:
        a, b = _number(m.group(1)), _number(m.group(2))
        if a is not None and b is not None and a != b:
            return "up" if b > a else "down"
    words = set(_words(text))
    if words & _REDUCE:
        return "down"
    if words & _GROWTH or re.search(r"\+\s?\d", text):
        return "up"
    return None


# ------------------------------------------------------------------------- suggestions


class KpiSuggestion(BaseModel):
    """One suggested KPI for a KR, with a one-line reason in the requested language."""

    model_config = ConfigDict(extra="forbid")

    kpi_id: str
    name: str
    reason: str
    role: Role
    score: float = Field(ge=0.0, le=1.0)
    indicator: Indicator
    source: str = Field(default="catalog", description="catalog | team")


_REASONS = {
    "en": {
        "is_kpi": "The KR's metric is this KPI itself: track it as the lagging result.",
        "is_kpi_leading": "The KR's metric is this KPI itself; it is a leading indicator.",
        "driver": "Leading indicator that drives {primary}: watch it weekly to steer.",
        "activity": "The KR is an activity; this is the outcome it should move.",
        "activity_count": "Counts the activity itself; only useful beside the outcome it should move.",
        "match": "Matches the KR's wording ({term}).",
        "similar": "Close in meaning to the KR.",
        "related": "Linked to {primary} in the catalog: it moves with it and helps explain it.",
        "leading": "Leading indicator: shows early whether the KR is moving.",
        "lagging": "Lagging indicator: confirms the result the KR aims for.",
        "counter": "Counter-metric: guards against pushing {primary} in ways that hurt or game it.",
        "team": "Your team tracked this KPI in earlier cycles.",
    },
    "sv": {
        "is_kpi": "KR:ets mått är själva nyckeltalet: följ det som det släpande resultatet.",
        "is_kpi_leading": "KR:ets mått är själva nyckeltalet; det är en ledande indikator.",
        "driver": "Ledande indikator som driver {primary}: följ den varje vecka för att styra.",
        "activity": "KR:et är en aktivitet; detta är resultatet den ska påverka.",
        "activity_count": "Räknar själva aktiviteten; bara användbar bredvid resultatet den ska påverka.",
        "match": "Matchar KR:ets formulering ({term}).",
        "similar": "Ligger nära KR:et i betydelse.",
        "related": "Kopplat till {primary} i katalogen: rör sig med det och hjälper till att förklara det.",
        "leading": "Ledande indikator: visar tidigt om KR:et rör sig.",
        "lagging": "Släpande indikator: bekräftar resultatet som KR:et siktar på.",
        "counter": "Motmått: skyddar mot att {primary} drivs på ett sätt som skadar eller fuskar.",
        "team": "Ert team följde det här nyckeltalet i tidigare cykler.",
    },
}


class _Candidate:
    __slots__ = ("key", "kpi", "ref", "score", "kw", "term", "indicator")

    def __init__(self, key: str, kpi: Kpi | None, ref: KpiRef | None, score: float, kw: float,
                 term: str | None, indicator: Indicator):  # fmt: skip
        self.key = key
        self.kpi = kpi
        self.ref = ref
        self.score = score
        self.kw = kw
        self.term = term
        self.indicator = indicator

    def name(self, lang: str) -> str:
        return (
            self.kpi.name.in_lang(lang) if self.kpi else (self.ref.name if self.ref else self.key)
        )


# Fusion weights, tuned on the labelled set (bench/bench_kpis.py) for the general rule:
# keyword evidence dominates when present, the embedder ranks paraphrases and breaks ties.
KEYWORD_WEIGHT = 0.65
EMBEDDING_WEIGHT = 0.35
STRONG_MATCH = 0.99  # a whole name or synonym of the KPI appears in the KR
WEAK = 0.45  # below this share of the top score a candidate is noise, not a suggestion


def rank_kpis(
    text: str,
    settings: Settings | None = None,
    team_kpis: Sequence[KpiRef] | None = None,
    *,
    use_embeddings: bool = True,
    catalog: Catalog | None = None,
) -> list[_Candidate]:
    """Every catalog (and team) KPI scored for ``text``, best first."""
    import numpy as np

    catalog = catalog or load_catalog()
    index = _catalog_index(catalog.digest, catalog.source)
    q = stems(text)
    kw = index.score(q)
    n = len(catalog)
    emb = np.zeros(n, dtype=np.float32)
    team = [r for r in (team_kpis or []) if r.id not in catalog]
    team_emb = np.zeros(len(team), dtype=np.float32)
    if use_embeddings and text.strip():
        try:
            emb, team_emb = _similarities(text, catalog, team, settings)
        except (OkrCoachError, ImportError, OSError):
            # A remote embedder that is down or misconfigured must not stop suggestions:
            # the keyword signal alone still ranks well (see bench/bench_kpis.py).
            use_embeddings = False
    all_emb = np.concatenate([emb, team_emb])
    lo, hi = (float(all_emb.min()), float(all_emb.max())) if len(all_emb) else (0.0, 1.0)
    spread = hi - lo if hi - lo > 1e-6 else 1.0

    def fused(k: float, e: float) -> float:
        e_n = (e - lo) / spread if use_embeddings else 0.0
        return KEYWORD_WEIGHT * min(k, 1.3) / 1.3 + EMBEDDING_WEIGHT * e_n

    cands = [
        _Candidate(
            kpi.id, kpi, None, fused(kw[i][0], float(emb[i])), kw[i][0], kw[i][1], kpi.indicator
        )
        for i, kpi in enumerate(catalog.kpis)
    ]
    if team:
        team_index = _LexicalIndex([[("en", r.name), ("en", _id_words(r.id))] for r in team])
        for j, (ref, (k, term)) in enumerate(zip(team, team_index.score(q), strict=True)):
            ind = _team_indicator(ref, catalog, index)
            cands.append(_Candidate(ref.id, None, ref, fused(k, float(team_emb[j])), k, term, ind))
    cands.sort(key=lambda c: (-c.score, c.ref is None, c.key))
    return cands


def _id_words(kpi_id: str) -> str:
    return re.sub(r"[_\-.]+", " ", kpi_id)


def _similarities(
    text: str, catalog: Catalog, team: list[KpiRef], settings: Settings | None
) -> tuple[np.ndarray, np.ndarray]:
    """Cosine similarity of the text to every catalog KPI (best of its texts) and team KPI."""
    import numpy as np

    from coach.embeddings import get_embedder

    embedder = get_embedder(settings)
    vecs = catalog_vectors(catalog, embedder, vector_cache_dir(settings))
    qv = embedder.embed([text])[0]
    sims = (vecs @ qv).reshape(len(catalog), DOCS_PER_KPI)
    # Names/synonyms count fully; the definition texts slightly less (they are wordier).
    emb = np.maximum(sims[:, :2].max(axis=1), 0.9 * sims[:, 2:].max(axis=1))
    team_emb = np.zeros(len(team), dtype=np.float32)
    if team:
        team_emb = embedder.embed([_team_doc(r) for r in team]) @ qv
    return emb, team_emb


def _team_doc(ref: KpiRef) -> str:
    return f"{ref.name} ({_id_words(ref.id)})"


def _team_indicator(ref: KpiRef, catalog: Catalog, index: _LexicalIndex) -> Indicator:
    """A team KPI that names a catalog KPI shares its indicator; otherwise assume a result."""
    scores = index.score(stems(_team_doc(ref)))
    best = max(range(len(scores)), key=lambda i: scores[i][0])
    return catalog.kpis[best].indicator if scores[best][0] >= 0.75 else Indicator.lagging


def suggest_kpis(
    text: str,
    lang: str | None = None,
    k: int = 5,
    settings: Settings | None = None,
    team_kpis: list[KpiRef] | None = None,
) -> list[KpiSuggestion]:
    """3–5 KPIs for a KR or objective, each with a role and a one-line reason in ``lang``."""
    text = (text or "").strip()
    if not text:
        return []
    out_lang = lang if lang in LANGS else detect_language(text)
    k = max(1, min(int(k), 10))
    catalog = load_catalog()
    ranked = rank_kpis(text, settings, team_kpis, catalog=catalog)
    return _compose(text, ranked, catalog, out_lang, k)


def _compose(
    text: str, ranked: list[_Candidate], catalog: Catalog, lang: str, k: int
) -> list[KpiSuggestion]:
    msgs = _REASONS[lang]
    by_key = {c.key: c for c in ranked}
    picked: list[tuple[_Candidate, Role, str]] = []

    def has(key: str) -> bool:
        return any(c.key == key for c, _, _ in picked)

    def add(c: _Candidate, role: Role, reason: str) -> None:
        if not has(c.key) and len(picked) < k:
            picked.append((c, role, reason))

    activity = is_activity_kr(text)
    change = kr_change(text)
    top = ranked[0]
    primary_is_metric = top.kw >= STRONG_MATCH and not activity
    counter_slot = 1 if change == "up" and k >= 3 else 0

    def generic_reason(c: _Candidate) -> str:
        if c.ref is not None:
            return msgs["team"]
        if c.kw >= STRONG_MATCH and c.term:
            return msgs["match"].format(term=c.term)
        return msgs[c.indicator.value] if c.kw <= 0 else msgs["similar"]

    # 1. The best match: the KR's own metric, or the nearest KPI.
    if primary_is_metric:
        key = "is_kpi" if top.indicator is Indicator.lagging else "is_kpi_leading"
        add(top, Role(top.indicator.value), msgs[key])
    elif activity and top.indicator is Indicator.leading:
        add(top, Role.leading, msgs["activity_count"])
    else:
        add(top, Role(top.indicator.value), generic_reason(top))

    near = _neighbours(top, by_key, catalog, hops=1)
    budget = k - counter_slot
    # 2. Activity KRs get the outcomes the activity should move (one or two links away in
    #    the catalog's graph); KRs whose metric is a KPI get the leading drivers of it.
    if activity:
        hood = _neighbours(top, by_key, catalog, hops=2)
        # Results first (lagging), then the nearer signals the work should move (organic
        # traffic for blog posts), then the domain's results.
        outcomes = [c for c in hood if c.indicator is Indicator.lagging]
        outcomes += [c for c in hood if c.indicator is Indicator.leading]
        outcomes += _same_domain(top, ranked, Indicator.lagging)
        for c in outcomes[:2]:
            if len(picked) < budget:
                add(c, Role(c.indicator.value), msgs["activity"])
    elif primary_is_metric:
        drivers = [c for c in _neighbours(top, by_key, catalog, hops=1, forward_only=True)]
        drivers = [c for c in drivers if c.indicator is Indicator.leading]
        # A close runner-up keeps the list honest when the top match is the wrong KPI.
        if ranked[1].score > 0.9 * top.score and len(picked) < budget:
            add(ranked[1], Role(ranked[1].indicator.value), generic_reason(ranked[1]))
        for c in drivers[:2]:
            if len(picked) < budget:
                add(c, Role.leading, msgs["driver"].format(primary=top.name(lang)))
    # 3. Fill with the next best; the catalog's own links first when the metric is a KPI.
    linked = {c.key for c in near} if primary_is_metric else set()
    for c in (near if primary_is_metric else []) + ranked[1:]:
        if len(picked) >= budget:
            break
        if len(picked) >= 3 and c.key not in linked and c.score < WEAK * top.score:
            continue  # three good KPIs beat five padded with weak matches
        if c.key in linked and c.kw < STRONG_MATCH:
            add(c, Role(c.indicator.value), msgs["related"].format(primary=top.name(lang)))
        else:
            add(c, Role(c.indicator.value), generic_reason(c))
    # 4. At least one leading and one lagging indicator when the catalog has a fitting one.
    for need in (Indicator.leading, Indicator.lagging):
        if len(picked) < 2 or any(
            c.indicator is need for c, r, _ in picked if r is not Role.counter
        ):
            continue
        pool = near + _same_domain(top, ranked, need) + ranked[:25]
        pool = [c for c in pool if c.indicator is need and not has(c.key)]
        if pool:
            c = pool[0]
            reason = msgs[need.value]
            if len(picked) >= budget:
                picked.pop()
            picked.append((c, Role(need.value), reason))
    # 5. A counter-metric for growth KRs.
    if counter_slot:
        counter = _counter_for([c for c, _, _ in picked], catalog, by_key)
        if counter is not None:
            if len(picked) >= k:
                picked.pop()
            primary_name = top.name(lang)
            picked.append(
                (
                    counter,
                    Role.counter,
                    msgs["counter"].format(primary=primary_name, name=counter.name(lang)),
                )
            )
    return [
        KpiSuggestion(
            kpi_id=c.key,
            name=c.name(lang),
            reason=reason,
            role=role,
            score=round(max(0.0, min(1.0, c.score)), 4),
            indicator=c.indicator,
            source="team" if c.ref is not None else "catalog",
        )
        for c, role, reason in picked
    ]


def _same_domain(top: _Candidate, ranked: list[_Candidate], need: Indicator) -> list[_Candidate]:
    """Best-scoring KPIs of the top match's domain with the needed indicator."""
    if top.kpi is None:
        return []
    domain = top.kpi.domain
    return [
        c
        for c in ranked[1:]
        if c.kpi is not None and c.kpi.domain is domain and c.indicator is need
    ]


def _neighbours(
    c: _Candidate,
    by_key: dict[str, _Candidate],
    catalog: Catalog,
    hops: int,
    forward_only: bool = False,
) -> list[_Candidate]:
    """KPIs linked to ``c`` by ``related`` (either way), nearer first, then best-scoring."""
    if c.kpi is None:
        return []
    reverse = _reverse_links(catalog.digest, catalog.source)
    seen = {c.key: 0}
    frontier = [c.key]
    for hop in range(1, hops + 1):
        nxt = []
        for key in frontier:
            kpi = catalog.get(key)
            links = list(kpi.related) if kpi else []
            links += [] if forward_only else reverse.get(key, [])
            for r in links:
                if r not in seen:
                    seen[r] = hop
                    nxt.append(r)
        frontier = nxt
    found = [by_key[r] for r, h in seen.items() if h > 0 and r in by_key]
    return sorted(found, key=lambda x: (seen[x.key], -x.score))


@functools.lru_cache(maxsize=4)
def _reverse_links(digest: str, source: str) -> dict[str, list[str]]:
    rev: dict[str, list[str]] = {}
    for kpi in load_catalog(source).kpis:
        for r in kpi.related:
            rev.setdefault(r, []).append(kpi.id)
    return rev


def _counter_for(
    chosen: Iterable[_Candidate], catalog: Catalog, by_key: dict[str, _Candidate]
) -> _Candidate | None:
    chosen = list(chosen)
    keys = {c.key for c in chosen}
    for c in chosen:
        if c.kpi is None:
            continue
        for ref in c.kpi.counter_metrics:
            if ref not in keys and ref in by_key:
                return by_key[ref]
    return None


# ------------------------------------------------------------------ cycles and team KPIs


def kr_query(kr: KeyResult) -> str:
    """The text a KR is ranked by: its sentence plus a named metric when it adds words."""
    if kr.metric and kr.metric.lower() not in kr.text.lower():
        return f"{kr.text} ({kr.metric})"
    return kr.text


def team_kpis_from_workspace(root: str | Path, exclude_cycle: str | None = None) -> list[KpiRef]:
    """KpiRef entries defined in the workspace's cycle files (newest definition wins).

    Unreadable cycle files are skipped: suggestions must not fail because an old file is bad.
    """
    from coach.workspace import Workspace

    ws = Workspace(Path(root))
    found: dict[str, KpiRef] = {}
    for cycle_id in ws.cycle_ids():
        if cycle_id == exclude_cycle:
            continue
        try:
            cycle = ws.load_cycle(cycle_id)
        except OkrCoachError:
            continue
        for ref in cycle.kpis:
            found[ref.id] = ref
    return list(found.values())


def suggest_for_cycle(
    cycle: Cycle,
    lang: str | None = None,
    k: int = 5,
    settings: Settings | None = None,
    team_kpis: list[KpiRef] | None = None,
) -> list[tuple[int, int, KeyResult, list[KpiSuggestion]]]:
    """Suggestions for every KR of a cycle: ``(objective_index, kr_index, kr, suggestions)``."""
    refs = list(team_kpis or []) + [
        r for r in cycle.kpis if r.id not in {t.id for t in team_kpis or []}
    ]
    out_lang = (
        lang if lang in LANGS else (cycle.language.value if cycle.language.value in LANGS else None)
    )
    return [
        (oi, ki, kr, suggest_kpis(kr_query(kr), out_lang, k, settings, refs))
        for oi, ki, _, kr in cycle.iter_krs()
    ]

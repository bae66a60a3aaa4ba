"""Lexical retrieval for memory: BM25 over Swedish and English text, plus rank fusion.

Why: the word-vector embedder matches mostly by shared words and rarely across languages, and
Swedish compounds ("kundbortfallet") hide the words a query uses ("bortfall av kunder"). A
BM25 signal with Snowball stemming and compound splitting, and a bilingual glossary that expands
the query, recover many of those hits; reciprocal rank fusion merges the two rankings.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# ------------------------------------------------------------------ normalisation and tokens

_TOKEN_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)

STOPWORDS_EN = frozenset(
    """a about after again all also am an and any are as at be because been before being
    between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would
    you your yours""".split()
)
STOPWORDS_SV = frozenset(
    """alla allt att av blev bli blir blivit de dem den denna deras dess det detta dig din
    dina ditt du där då efter ej eller en er era ert ett från för ha hade han hans har henne
    hennes hon honom hur här i icke ingen inom inte jag ju kan kunde man med mellan men mig
    min mina mitt mot mycket ni nu när någon något några och om oss på samma sedan sig sin
    sina sitta själv skulle som så sådan till under upp ut utan vad var vara varför varit
    varje vars vart vem vi vid vilka vilken vilket än är åt över""".split()
)
STOPWORDS = STOPWORDS_EN | STOPWORDS_SV

_SWEDISH_LETTERS = re.compile("[åäö]")
_SV_NING = re.compile("(?<=[dltksvp])ning$")
_MIN_STEM = 3  # a shorter stem says too little: keep the word instead

# Parts Swedish business compounds are built from (stemmed with `stem` before use). Splitting a long
# token into known parts lets "kundbortfall" match "bortfall av kunder".
_COMPOUND_PARTS_SV = """
kund kunder bortfall samtal kall försälj intäkt int mål nyckel tal resultat tid svar
led ledtid nöjd nöjdhet lojal kostnad budget projekt leverans kvalitet medarbet personal
engagemang omsättning marknad andel kanal kampanj konverter besök webb sida sök trafik
support ärend fel bugg test release lanser produkt tjänst avtal förnyel förnya pris
rabatt sälj säljar möt bok demo offert affär pipeline prognos risk beslut strategi
vision uppfölj avstämn check retro veck månad kvartal år tillväxt marginal vinst
lönsam effektiv process rutin verktyg system data rapport mätn mät värde nöj klagomål
avhopp uppsägn rekryter introduk onboard utbildn kompetens chef team grupp avdeln
partner distributör återförsäljar lager order frakt retur kontakt lösning först
ansvar ägar initiativ aktivitet utfall nps csat churn app mobil använd användar
registrer aktiver inlogg prenumer abonnemang licens faktur betal kredit kassa flöde
""".split()


def normalise(text: str) -> str:
    """NFKC, lower case, one apostrophe kind, soft hyphens removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("\u00ad", "").replace("’", "'")


@functools.cache
def _stemmers() -> tuple:
    import snowballstemmer  # uses PyStemmer's C build when it is installed

    return snowballstemmer.stemmer("swedish"), snowballstemmer.stemmer("english")


def stemmer_backend() -> str:
    """``PyStemmer`` (the C build) or ``pure Python`` snowballstemmer."""
    return "PyStemmer" if type(_stemmers()[0]).__module__ == "Stemmer" else "pure Python"


@functools.lru_cache(maxsize=262_144)
def stem(token: str) -> str:
    """Snowball stem, the same whatever language the text is in (kunderna → kund, customers →
    custom, calling → call, churnen → churn).

    One language-free stem keeps a query and a passage comparable when they are in different
    languages or mix them (English loanwords in Swedish notes). Each stemmer leaves the other
    language's words nearly whole, so a word goes through the English stemmer, then the Swedish
    one (twice: it takes one ending a pass, and "ärendena" needs two to meet "ärenden"). A word
    with å, ä or ö is surely Swedish and skips the English step, which would only mangle it.
    Snowball keeps Swedish "-ning" nouns whole; cutting the ending lets the noun meet its verb
    (lösning ~ lösas, betalning ~ betalt): always for surely Swedish words, else only after
    consonants English "-ning" words rarely have (learning, morning, training are left alone).
    """
    sv_stemmer, en_stemmer = _stemmers()
    swedish = _SWEDISH_LETTERS.search(token) is not None
    out = sv_stemmer.stemWord(sv_stemmer.stemWord(token))
    noun = (swedish and out.endswith("ning")) or _SV_NING.search(out)
    if noun and len(out) - 4 >= _MIN_STEM:
        out = out[:-4]
    elif not swedish:
        out = sv_stemmer.stemWord(sv_stemmer.stemWord(en_stemmer.stemWord(token)))
    return out if len(out) >= _MIN_STEM else token


@functools.lru_cache(maxsize=1)
def _compound_lexicon() -> frozenset[str]:
    parts = {stem(p) for p in _COMPOUND_PARTS_SV}
    for entry in load_glossary():
        for term in entry.sv:
            for word in _TOKEN_RE.findall(normalise(term)):
                if len(word) >= 3 and word not in STOPWORDS:
                    parts.add(stem(word))
    return frozenset(p for p in parts if len(p) >= 3)


# Swedish definite endings Snowball leaves on some words ("bortfallet"); a compound's last
# part is tried without them too.
_DEFINITE_SV = ("et", "en", "na")


def _known_form(part: str, lexicon: frozenset[str]) -> str | None:
    """The lexicon's form of a compound part (its stem), or None when the part is unknown."""
    if part in lexicon or stem(part) in lexicon:
        return stem(part)  # the form the same word gets on its own
    bare = [part[: -len(e)] for e in _DEFINITE_SV if part.endswith(e) and len(part) > len(e) + 2]
    return next((stem(b) for b in bare if stem(b) in lexicon), None)


def split_compound(word: str, lexicon: frozenset[str] | None = None, depth: int = 0) -> list[str]:
    """Known parts of a Swedish compound, or [] (``kundbortfallet`` → ``kund``, ``bortfall``)."""
    lexicon = _compound_lexicon() if lexicon is None else lexicon
    if len(word) < 7 or depth > 2:
        return []
    for i in range(len(word) - 3, 2, -1):  # prefer the longest known head
        head, tail = word[:i], word[i:]
        heads = [head] + ([head[:-1]] if head.endswith("s") and len(head) > 4 else [])
        for h in heads:
            h_form = _known_form(h, lexicon)
            if h_form is None:
                continue
            t_form = _known_form(tail, lexicon)
            if t_form is not None:
                return [h_form, t_form]
            rest = split_compound(tail, lexicon, depth + 1)
            if rest:
                return [h_form, *rest]
    return []


def tokenize(text: str) -> list[str]:
    """Stemmed content tokens, with compound parts appended after the whole word."""
    out: list[str] = []
    for raw in _TOKEN_RE.findall(normalise(text)):
        pieces = re.split(r"[-']", raw)
        words = [raw.replace("-", "").replace("'", "")] if len(pieces) > 1 else []
        words += pieces
        for word in words:
            out.extend(_forms(word))
    return out


@functools.lru_cache(maxsize=262_144)
def _forms(word: str) -> tuple[str, ...]:
    """Index forms of one word: its stem, then compound parts (cached: vocabularies are small)."""
    if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
        return ()
    if word.isdigit():
        return (word,)
    parts = split_compound(word)
    # A compound's own form is its parts joined, so every inflection of it agrees even where
    # Snowball leaves an ending on ("kundbortfallet" and "kundbortfall" both give "kundbortfal").
    return ("".join(parts), *parts) if parts else (stem(word),)


def content_words(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """``(stem, compound parts)`` per content word, in order (stop words and digits dropped).

    The word-level view of ``tokenize``: matchers that need to know which word a part belongs
    to (how much of a phrase another phrase covers) use this instead of the flat token list.
    """
    out: list[tuple[str, tuple[str, ...]]] = []
    for raw in _TOKEN_RE.findall(normalise(text)):
        pieces = [p for p in re.split(r"[-']", raw) if p and not p.isdigit()]
        if len(pieces) > 1:  # "sign-ups" is one word "signup" made of "sign" and "up"
            parts = tuple(f for p in pieces for f in _forms(p)[:1])
            joined = _forms("".join(pieces))
            if joined and parts:
                out.append((joined[0], parts))
            continue
        for word in pieces:
            forms = _forms(word)
            if forms:
                out.append((forms[0], tuple(forms[1:])))
    return out


# ------------------------------------------------------------------------ bilingual glossary


@dataclass(frozen=True)
class GlossaryEntry:
    en: tuple[str, ...]
    sv: tuple[str, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        return self.en + self.sv


@functools.lru_cache(maxsize=1)
def load_glossary() -> tuple[GlossaryEntry, ...]:
    """The bundled English↔Swedish term pairs (knowledge/glossary.yaml)."""
    from importlib import resources

    from coach.files.yaml_io import load_data

    path = resources.files("knowledge") / "glossary.yaml"
    data = load_data(path.read_text(encoding="utf-8"), str(path)) or {}
    entries = []
    for item in data.get("terms", []):
        en = tuple(str(t) for t in item.get("en", []))
        sv = tuple(str(t) for t in item.get("sv", []))
        if en and sv:
            entries.append(GlossaryEntry(en, sv))
    return tuple(entries)


@functools.lru_cache(maxsize=1)
def _glossary_index() -> dict[str, list[tuple[tuple[str, ...], GlossaryEntry]]]:
    """Glossary phrases (as token tuples) keyed by each of their tokens, for fast lookup."""
    index: dict[str, list[tuple[tuple[str, ...], GlossaryEntry]]] = {}
    for entry in load_glossary():
        for term in entry.terms:
            toks = tuple(tokenize(term))
            for t in set(toks):
                index.setdefault(t, []).append((toks, entry))
    return index


def expand_query(query: str) -> list[str]:
    """Glossary terms in the other language(s) for every glossary phrase the query contains."""
    qtoks = tokenize(query)
    grams = {tuple(qtoks[i : i + n]) for n in (1, 2, 3, 4) for i in range(len(qtoks) - n + 1)}
    qset = set(qtoks)
    index = _glossary_index()
    extra: list[str] = []
    seen: set[GlossaryEntry] = set()
    for qt in dict.fromkeys(qtoks):
        for toks, entry in index.get(qt, ()):
            if entry in seen:
                continue
            # A phrase matches when its tokens appear in order, or all appear for multi-word
            # terms (so "samtal som var kalla" still finds "kalla samtal").
            if toks in grams or (len(toks) > 1 and set(toks) <= qset):
                seen.add(entry)
                extra.extend(t for t in entry.terms if tuple(tokenize(t)) != toks)
    return extra


# ------------------------------------------------------------------------------------ BM25

FILTER_FIELDS = ("cycle", "team", "kind", "source", "language")
# Bumped whenever tokens change (2: Snowball stems), so a saved index from before is rebuilt.
INDEX_VERSION = 2
EXPANSION_WEIGHT = 0.6


class Bm25Index:
    """An in-memory BM25 index with add/remove, metadata filters and a compact file format.

    Documents are kept as arrays of term ids; the inverted index is rebuilt lazily (with numpy,
    in well under a second at 100k chunks) after a change, so queries stay a few milliseconds.
    Each document may also carry its embedding: filtered vector search then runs here, exactly,
    by a masked dot product (a store's metadata filter is far slower at scale).
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self.ids: list[str] = []
        self.docs: list[np.ndarray] = []
        self.meta: dict[str, list[str]] = {f: [] for f in FILTER_FIELDS}
        self.alive: list[bool] = []
        self.pos: dict[str, int] = {}
        self._postings: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._lengths: np.ndarray | None = None
        self._by_source: dict[str, set[str]] | None = None
        self.vectors: list[np.ndarray | None] = []
        self._matrix: np.ndarray | None = None
        self._codes: dict[str, tuple[dict[str, int], np.ndarray]] = {}
        self._all_vectors: bool | None = None
        self._alive_arr: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.pos)

    def __contains__(self, chunk_id: str) -> bool:
        return chunk_id in self.pos

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metas: Sequence[Mapping],
        vectors: np.ndarray | Sequence[np.ndarray] | None = None,
    ) -> None:
        vecs: Sequence[np.ndarray | None] = [None] * len(ids) if vectors is None else vectors
        for chunk_id, text, meta, vec in zip(ids, texts, metas, vecs, strict=True):
            if chunk_id in self.pos:
                self._kill(self.pos[chunk_id])
            terms = [self.vocab.setdefault(t, len(self.vocab)) for t in tokenize(text)]
            self.pos[chunk_id] = len(self.ids)
            self.ids.append(chunk_id)
            self.docs.append(np.asarray(terms, dtype=np.int32))
            for f in FILTER_FIELDS:
                self.meta[f].append(str(meta.get(f) or ""))
            self.alive.append(True)
            self.vectors.append(None if vec is None else np.asarray(vec, dtype=np.float32))
            if self._by_source is not None:
                self._by_source.setdefault(self.meta["source"][-1], set()).add(chunk_id)
        self._changed()

    def _changed(self) -> None:
        self._postings = None
        self._matrix = None
        self._codes = {}
        self._all_vectors = None
        self._alive_arr = None

    def _alive(self) -> np.ndarray:
        if self._alive_arr is None:
            self._alive_arr = np.asarray(self.alive, dtype=bool)
        return self._alive_arr

    def remove(self, ids: Iterable[str]) -> None:
        for chunk_id in ids:
            if chunk_id in self.pos:
                self._kill(self.pos.pop(chunk_id))
        self._changed()

    def _kill(self, i: int) -> None:
        self.alive[i] = False
        self.docs[i] = np.zeros(0, dtype=np.int32)
        self.vectors[i] = None
        if self._by_source is not None:
            self._by_source.get(self.meta["source"][i], set()).discard(self.ids[i])

    def ids_for_source(self, source: str) -> set[str]:
        """Live chunk ids of one source document (the index mirrors the collection)."""
        if self._by_source is None:
            self._by_source = {}
            for i, chunk_id in enumerate(self.ids):
                if self.alive[i]:
                    self._by_source.setdefault(self.meta["source"][i], set()).add(chunk_id)
        return set(self._by_source.get(source, ()))

    def _build(self) -> None:
        n = len(self.ids)
        lengths = np.fromiter((len(d) for d in self.docs), dtype=np.int64, count=n)
        terms = np.concatenate(self.docs) if n else np.zeros(0, dtype=np.int32)
        doc_of = np.repeat(np.arange(n, dtype=np.int64), lengths)
        # Sort by (term, doc) and count runs: each run is one posting with its term frequency.
        key = terms.astype(np.int64) * max(n, 1) + doc_of
        key.sort()
        uniq, tf = np.unique(key, return_counts=True)
        p_terms = uniq // max(n, 1)
        p_docs = (uniq % max(n, 1)).astype(np.int64)
        starts = np.searchsorted(p_terms, np.arange(len(self.vocab) + 1))
        self._postings = (starts, p_docs, tf.astype(np.float32), p_terms)
        self._lengths = lengths.astype(np.float32)

    def _mask(self, filters: Mapping[str, str | Sequence[str]] | None) -> np.ndarray | None:
        if not filters:
            return None
        mask = self._alive().copy()
        for field, wanted in filters.items():
            if field not in self.meta or wanted is None:
                continue
            if field not in self._codes:  # value -> small int, so a filter is one numpy compare
                table: dict[str, int] = {}
                codes = np.fromiter(
                    (table.setdefault(v, len(table)) for v in self.meta[field]),
                    dtype=np.int32,
                    count=len(self.ids),
                )
                self._codes[field] = (table, codes)
            table, codes = self._codes[field]
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            mask &= np.isin(codes, [table[v] for v in values if v in table])
        return mask

    def has_vectors(self) -> bool:
        """Whether every live document carries its embedding (cached until the next change)."""
        if self._all_vectors is None:
            self._all_vectors = bool(self.pos) and all(
                v is not None for v, a in zip(self.vectors, self.alive, strict=True) if a
            )
        return self._all_vectors

    def vector_search(
        self, qvec: np.ndarray, k: int, filters: Mapping | None = None
    ) -> list[tuple[str, float]]:
        """Exact top ``k`` (chunk id, cosine) among the documents the filters allow."""
        if not self.pos:
            return []
        if self._matrix is None:
            dim = next(v.shape[0] for v in self.vectors if v is not None)
            matrix = np.zeros((len(self.ids), dim), dtype=np.float32)
            for i, v in enumerate(self.vectors):
                if v is not None:
                    matrix[i] = v
            self._matrix = matrix
        mask = self._mask(filters)
        rows = np.flatnonzero(mask if mask is not None else self._alive())
        if not len(rows):
            return []
        sims = self._matrix[rows] @ np.asarray(qvec, dtype=np.float32)
        k = min(k, len(rows))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [(self.ids[rows[j]], float(sims[j])) for j in top]

    def cosine(self, chunk_id: str, qvec: np.ndarray) -> float | None:
        i = self.pos.get(chunk_id)
        v = self.vectors[i] if i is not None else None
        return None if v is None else float(v @ qvec)

    def _scores(self, query: str, extra_terms: Sequence[str] = ()) -> tuple[np.ndarray, float]:
        """BM25 score of every document, and the best score this query could reach."""
        if self._postings is None:
            self._build()
        assert self._postings is not None and self._lengths is not None
        starts, p_docs, p_tf, _ = self._postings
        n_alive = len(self.pos)
        avg_len = float(self._lengths.sum()) / max(n_alive, 1) or 1.0
        scores = np.zeros(len(self.ids), dtype=np.float32)
        weighted = [(t, 1.0) for t in dict.fromkeys(tokenize(query))]
        own = {t for t, _ in weighted}
        for term in extra_terms:
            # A multi-word expansion ("lost customers") weighs as much as one word in total,
            # so its generic words ("customers") cannot outweigh the user's own terms.
            toks = [t for t in dict.fromkeys(tokenize(term)) if t not in own]
            for t in toks:
                weighted.append((t, EXPANSION_WEIGHT / len(toks)))
                own.add(t)
        best = 0.0
        for term, weight in weighted:
            tid = self.vocab.get(term)
            if tid is None:
                continue
            lo, hi = starts[tid], starts[tid + 1]
            if hi <= lo:
                continue
            docs, tf = p_docs[lo:hi], p_tf[lo:hi]
            idf = math.log(1.0 + (n_alive - (hi - lo) + 0.5) / ((hi - lo) + 0.5))
            norm = self.k1 * (1 - self.b + self.b * self._lengths[docs] / avg_len)
            scores[docs] += weight * idf * tf * (self.k1 + 1) / (tf + norm)
            best += weight * idf * (self.k1 + 1)
        return scores, best

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Mapping | None = None,
        extra_terms: Sequence[str] = (),
        also: Iterable[str] = (),
    ) -> list[tuple[str, float]]:
        """Top ``k`` (chunk id, score normalised to 0–1 by the best score this query can get).

        Ids in ``also`` are appended with their scores (even 0) when not already in the top:
        fusion needs the lexical score of the vector candidates too.
        """
        if not self.pos:
            return []
        scores, best = self._scores(query, extra_terms)
        mask = self._mask(filters)
        if mask is not None:
            scores[~mask] = 0.0
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        best = best or 1.0
        out = [(self.ids[i], float(min(scores[i] / best, 1.0))) for i in top if scores[i] > 0]
        seen = {i for i, _ in out}
        for chunk_id in also:
            if chunk_id not in seen and chunk_id in self.pos:
                out.append((chunk_id, float(min(scores[self.pos[chunk_id]] / best, 1.0))))
                seen.add(chunk_id)
        return out

    # ---------------------------------------------------------------------------- on disk

    def save(self, path: Path, extra: Mapping | None = None) -> None:
        """Write one ``.npz`` (no pickles): live docs only, so the file never grows stale."""
        from coach.files.atomic import atomic_write_bytes

        live = [i for i, a in enumerate(self.alive) if a]
        docs = [self.docs[i] for i in live]
        lengths = np.asarray([len(d) for d in docs], dtype=np.int64)
        header = {
            "version": INDEX_VERSION,
            "vocab": list(self.vocab),
            "ids": [self.ids[i] for i in live],
            "meta": {f: [self.meta[f][i] for i in live] for f in FILTER_FIELDS},
            "extra": dict(extra or {}),
        }
        import io

        arrays = {
            "header": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            "terms": np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32),
            "lengths": lengths,
        }
        vecs = [self.vectors[i] for i in live]
        if vecs and all(v is not None for v in vecs):
            arrays["vectors"] = np.stack(vecs).astype(np.float16)  # half the disk, same ranking
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        atomic_write_bytes(path, buf.getvalue())

    @classmethod
    def load(cls, path: Path) -> tuple[Bm25Index, dict]:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(data["header"].tobytes().decode("utf-8"))
            terms, lengths = data["terms"], data["lengths"]
            vectors = data["vectors"].astype(np.float32) if "vectors" in data else None
        if header.get("version") != INDEX_VERSION:
            raise ValueError("unknown lexical index version")
        index = cls()
        index.vocab = {t: i for i, t in enumerate(header["vocab"])}
        index.ids = list(header["ids"])
        index.docs = (
            list(np.split(terms.astype(np.int32), np.cumsum(lengths)[:-1])) if len(lengths) else []
        )
        index.meta = {f: list(header["meta"][f]) for f in FILTER_FIELDS}
        index.alive = [True] * len(index.ids)
        index.pos = {cid: i for i, cid in enumerate(index.ids)}
        index.vectors = list(vectors) if vectors is not None else [None] * len(index.ids)
        return index, header.get("extra", {})


# ------------------------------------------------------------------------------ rank fusion


def rrf_fuse(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: ``sum(w / (k + rank))``, rank from 1; best first."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])

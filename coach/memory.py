"""Memory of past cycles: the only module that imports chromadb (lazily, inside functions).

A :class:`MemoryStore` keeps chunks of retrospectives, check-in notes, old OKR sets and meeting
notes in a Chroma collection (embedded ``PersistentClient`` by default, ``HttpClient`` when
``chroma.host`` is set) with vectors from :mod:`coach.embeddings`, plus a BM25 index
(:mod:`coach.lexical`) over the same chunks. ``search`` fuses both rankings.

Local state per store lives in ``<workspace>/cache/memory/<store key>/``: ``manifest.json`` (the
ingested files, their hashes and options: what ``reindex`` rebuilds from) and ``lexical.npz``, a
mirror of the collection (BM25 index, filter metadata, embeddings) that also serves filtered
vector search. Every write stamps a new ``generation`` into the collection metadata; a mirror
whose generation differs (another process or team member wrote) is rebuilt from the collection.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field

from coach.errors import InputError, OkrCoachError
from coach.models import KeyResult, Objective, Passage

if TYPE_CHECKING:
    from coach.config import Settings
    from coach.embeddings import Embedder
    from coach.ingest import Chunk

STORE_SCHEMA = 1
BATCH = 2000  # chunks per Chroma call: big enough to be fast, small enough for HTTP bodies
SERVER_PROBE_TIMEOUT_S = 3.0
SERVER_REQUEST_TIMEOUT_S = 60.0
LEXICAL_RECHECK_S = 2.0  # how often a long-lived store checks for writes by others
FILTER_KEYS = ("cycle", "team", "kind", "source", "language")
CANDIDATES = 30  # per retriever, before fusion
LEXICAL_WEIGHT = 0.7  # share of BM25 in the fused score (tuned on bench/retrieval)
# A long retro with many matching sections must not crowd every other document out of the
# top k: past this many passages of one document, a passage counts at OVER_CAP_FACTOR of its
# score when choosing the top k (see _diverse).
PASSAGES_PER_DOCUMENT = 2
OVER_CAP_FACTOR = 0.5
HEADING_SEP = " › "


class StoreError(OkrCoachError):
    """The memory store cannot be used (message says what to do)."""


class StoreUnavailable(StoreError):
    """A Chroma server that is down, refuses us or does not answer in time."""


class BackendMismatch(StoreError):
    """The store was built with another embedding backend or dimension."""


class SkippedFile(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    """What one ingest (or reindex) did."""

    files_seen: int = 0
    files_added: int = 0
    files_updated: int = 0
    files_unchanged: int = 0
    files_pruned: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_total: int = 0
    skipped: list[SkippedFile] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_added / self.seconds if self.seconds > 0 else 0.0


# ProgressFn(files_done, files_total, chunks_added, current_path)
ProgressFn = Callable[[int, int, int, str], None]


# ------------------------------------------------------------------------- chroma plumbing


def _chroma():
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb

    return chromadb


@functools.lru_cache(maxsize=1)
def _embedding_function_class() -> type:
    """Our embedder as a registered Chroma embedding function.

    We always hand Chroma the vectors ourselves; passing this function as well means Chroma
    never falls back to its default ONNX embedder (which downloads a model at run time), and
    the registration lets a collection be reopened without that fallback.
    """
    _chroma()
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    @register_embedding_function
    class OkrCoachEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, embedder: Embedder | None = None, backend: str = "wordllama"):
            self._embedder = embedder
            self.backend = embedder.name if embedder is not None else backend

        def __call__(self, input: Documents) -> Embeddings:
            if self._embedder is None:
                from coach.embeddings import get_embedder

                self._embedder = get_embedder(backend=self.backend)
            return list(self._embedder.embed(list(input)))

        @staticmethod
        def name() -> str:
            return "okr-coach"

        def get_config(self) -> dict[str, Any]:
            return {"backend": self.backend}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> OkrCoachEmbeddingFunction:
            return OkrCoachEmbeddingFunction(backend=str(config.get("backend", "wordllama")))

        def default_space(self) -> str:
            return "cosine"

        def supported_spaces(self) -> list[str]:
            return ["cosine"]

        def is_legacy(self) -> bool:
            return False

    return OkrCoachEmbeddingFunction


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _server_url(settings: Settings) -> str:
    scheme = "https" if settings.chroma.ssl else "http"
    return f"{scheme}://{settings.chroma.host}:{settings.chroma.port}"


def _probe_server(settings: Settings) -> None:
    """Fail fast with a clear message when the server is down or silent (Chroma would hang)."""
    import httpx

    url = _server_url(settings)
    try:
        resp = httpx.get(
            f"{url}/api/v2/heartbeat",
            headers=settings.chroma.headers,
            timeout=SERVER_PROBE_TIMEOUT_S,
        )
    except httpx.TimeoutException:
        raise StoreUnavailable(
            f"the Chroma server at {url} did not answer within {SERVER_PROBE_TIMEOUT_S:g} s; "
            "check that it is running and reachable (or unset chroma.host for the local store)"
        ) from None
    except httpx.HTTPError as e:
        raise StoreUnavailable(
            f"cannot reach the Chroma server at {url} ({type(e).__name__}); start it with "
            f"`chroma run --path DIR --host {settings.chroma.host} --port {settings.chroma.port}` "
            "or unset chroma.host to use the local store"
        ) from None
    if resp.status_code in (401, 403):
        raise StoreUnavailable(
            f"the Chroma server at {url} refused us (HTTP {resp.status_code}); set "
            "OKR_COACH_CHROMA_HEADERS to the auth headers it expects"
        )
    if resp.status_code >= 400:
        raise StoreUnavailable(f"the Chroma server at {url} answered HTTP {resp.status_code}")


def _bound_http_timeouts(client: Any) -> None:
    """Chroma's HTTP client waits forever by default; give every later request a limit."""
    import httpx

    server = getattr(client, "_server", None)
    session = getattr(server, "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(SERVER_REQUEST_TIMEOUT_S, connect=SERVER_PROBE_TIMEOUT_S)


def store_key(settings: Settings) -> str:
    """A short name for the store, used for its local state folder."""
    c = settings.chroma
    if c.host:
        raw = f"server-{c.host}-{c.port}-{c.collection}"
    else:
        digest = hashlib.sha256(str(settings.store_path.resolve()).encode()).hexdigest()[:8]
        raw = f"embedded-{digest}-{c.collection}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", raw)


def _where(filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    clauses = []
    for key, value in (filters or {}).items():
        if value is None or value == "" or value == []:
            continue
        if key not in FILTER_KEYS:
            raise InputError(f"unknown memory filter {key!r}; use one of {', '.join(FILTER_KEYS)}")
        if isinstance(value, list | tuple | set):
            clauses.append({key: {"$in": [str(v) for v in value]}})
        else:
            clauses.append({key: str(value)})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _connection_error(e: Exception, settings: Settings) -> StoreError:
    if settings.chroma.host:
        return StoreUnavailable(
            f"the Chroma server at {_server_url(settings)} failed: {type(e).__name__}: {e}"
        )
    return StoreError(f"the memory store at {settings.store_path} failed: {type(e).__name__}: {e}")


# --------------------------------------------------------------------------------- manifest


@dataclass
class ManifestEntry:
    source: str
    sha256: str
    size: int
    mtime_ns: int
    chunks: int
    cycle: str | None = None
    team: str | None = None
    kind: str | None = None
    root: str | None = None


@dataclass
class Manifest:
    """The files ingested into one store: skip unchanged ones, prune gone ones, reindex."""

    path: Path
    collection_id: str = ""
    files: dict[str, ManifestEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = {k: ManifestEntry(**v) for k, v in data.get("files", {}).items()}
            return cls(path, str(data.get("collection_id", "")), files)
        except FileNotFoundError:
            return cls(path)
        except (ValueError, TypeError, OSError):
            # A damaged manifest costs only re-hashing: chunk ids tell what is already stored.
            return cls(path)

    def save(self) -> None:
        from dataclasses import asdict

        from coach.files.atomic import atomic_write_text

        data = {
            "schema": STORE_SCHEMA,
            "collection_id": self.collection_id,
            "files": {k: asdict(v) for k, v in sorted(self.files.items())},
        }
        atomic_write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


# ------------------------------------------------------------------------------------ store


@dataclass
class _Prepared:
    path: Path
    key: str
    source: str
    sha256: str
    size: int
    mtime_ns: int
    chunks: list[Chunk]
    meta: dict[str, str]
    root: str
    options: tuple[str | None, str | None, str | None]  # cycle, team, kind the user gave


class MemoryStore:
    """Chunks of past-cycle documents in Chroma plus a BM25 index; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        client: Any,
        collection: Any,
        embedder: Embedder,
        state_dir: Path,
    ):
        self.settings = settings
        self.client = client
        self.collection = collection
        self.embedder = embedder
        self.state_dir = state_dir
        self._lexical: Any = None
        self._lexical_generation: str | None = None
        self._lexical_checked_at = 0.0
        self._write_started = False

    # ---------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, settings: Settings, *, check_backend: bool = True) -> MemoryStore:
        """Open (creating if needed) the store the settings name.

        Raises BackendMismatch when the collection was built with another embedder (run
        ``okr-coach reindex``) and StoreUnavailable when a configured server is down.
        """
        from coach.embeddings import get_embedder

        embedder = get_embedder(settings)
        client = cls._client(settings)
        ef = _embedding_function_class()(embedder)
        name = settings.chroma.collection
        try:
            collection = client.get_or_create_collection(
                name,
                embedding_function=ef,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=cls._fresh_metadata(embedder),
            )
        except ValueError as e:
            if "embedding function" in str(e).lower():
                raise BackendMismatch(
                    f"the memory collection {name!r} was created by another tool or embedding "
                    f"function; run `okr-coach reindex` to rebuild it ({e})"
                ) from None
            raise _connection_error(e, settings) from None
        except Exception as e:  # chromadb raises many types; the user needs one sentence
            raise _connection_error(e, settings) from None
        store = cls(
            settings,
            client,
            collection,
            embedder,
            settings.cache_dir / "memory" / store_key(settings),
        )
        if check_backend:
            store.check_backend()
        return store

    @staticmethod
    def _fresh_metadata(embedder: Embedder) -> dict[str, Any]:
        return {
            "okr_coach_schema": STORE_SCHEMA,
            "embedder": embedder.name,
            "dim": int(embedder.dim),
            "generation": uuid.uuid4().hex,
        }

    @staticmethod
    def _client(settings: Settings) -> Any:
        chromadb = _chroma()
        if settings.chroma.host:
            _probe_server(settings)
            try:
                client = chromadb.HttpClient(
                    host=settings.chroma.host,
                    port=settings.chroma.port,
                    ssl=settings.chroma.ssl,
                    headers=dict(settings.chroma.headers) or None,
                    settings=_chroma_settings(),
                )
            except Exception as e:
                raise _connection_error(e, settings) from None
            _bound_http_timeouts(client)
            return client
        try:
            settings.store_path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(
                path=str(settings.store_path), settings=_chroma_settings()
            )
        except Exception as e:
            raise _connection_error(e, settings) from None

    def check_backend(self) -> None:
        meta = self.collection.metadata or {}
        stored, dim = meta.get("embedder"), meta.get("dim")
        if stored is None and self.collection.count() == 0:
            return
        if stored != self.embedder.name or (dim is not None and int(dim) != int(self.embedder.dim)):
            raise BackendMismatch(
                f"the memory store was built with the embedding backend {stored!r} "
                f"({dim} dimensions) but the settings ask for {self.embedder.name!r} "
                f"({self.embedder.dim} dimensions); run `okr-coach reindex` to rebuild it with "
                "the new backend, or set [embedding] backend back"
            )

    @property
    def mode(self) -> str:
        return "server" if self.settings.chroma.host else "embedded"

    @property
    def location(self) -> str:
        if self.settings.chroma.host:
            return f"{_server_url(self.settings)} (collection {self.settings.chroma.collection})"
        return str(self.settings.store_path)

    def count(self) -> int:
        try:
            return int(self.collection.count())
        except Exception as e:
            raise _connection_error(e, self.settings) from None

    # ------------------------------------------------------------------------- local state

    @property
    def manifest_path(self) -> Path:
        return self.state_dir / "manifest.json"

    @property
    def lexical_path(self) -> Path:
        return self.state_dir / "lexical.npz"

    def _manifest(self) -> Manifest:
        manifest = Manifest.load(self.manifest_path)
        if manifest.collection_id != str(self.collection.id):
            # The collection was recreated: hashes say nothing about what it holds now.
            for entry in manifest.files.values():
                entry.sha256 = ""
            manifest.collection_id = str(self.collection.id)
        return manifest

    def _current_generation(self) -> str:
        try:
            fresh = self.client.get_collection(
                self.settings.chroma.collection,
                embedding_function=_embedding_function_class()(self.embedder),
            )
        except Exception as e:
            raise _connection_error(e, self.settings) from None
        self.collection = fresh
        return str((fresh.metadata or {}).get("generation", ""))

    def _begin_write(self) -> None:
        """Stamp a fresh generation before the first change of an operation, so a writer that
        dies half-way leaves every saved BM25 index visibly stale (rebuilt on next use)."""
        if not self._write_started:
            self._bump_generation()
            self._write_started = True

    def _bump_generation(self) -> str:
        meta = dict(self.collection.metadata or {})
        meta.update(
            okr_coach_schema=STORE_SCHEMA,
            embedder=self.embedder.name,
            dim=int(self.embedder.dim),
            generation=uuid.uuid4().hex,
        )
        meta.pop("hnsw:space", None)  # fixed at creation; Chroma refuses to "change" it
        try:
            self.collection.modify(metadata=meta)
        except Exception as e:
            raise _connection_error(e, self.settings) from None
        self._write_started = False
        return str(meta["generation"])

    def lexical(self, force_check: bool = False):
        """The BM25 index, rebuilt from the collection when someone else has written to it."""
        from coach.lexical import Bm25Index

        now = time.monotonic()
        if (
            self._lexical is not None
            and not force_check
            and now - self._lexical_checked_at < LEXICAL_RECHECK_S
        ):
            return self._lexical
        generation = self._current_generation()
        self._lexical_checked_at = now
        if self._lexical is not None and self._lexical_generation == generation:
            return self._lexical
        with contextlib.suppress(OSError, ValueError, KeyError):
            index, extra = Bm25Index.load(self.lexical_path)
            current = extra.get("generation") == generation and extra.get("collection_id") == str(
                self.collection.id
            )
            if current and (index.has_vectors() or not len(index)):
                self._lexical, self._lexical_generation = index, generation
                return index
        self._lexical = self._rebuild_lexical()
        self._lexical_generation = generation
        self._save_lexical()
        return self._lexical

    def _rebuild_lexical(self):
        from coach.lexical import Bm25Index

        index = Bm25Index()
        offset, page = 0, 5000
        while True:
            try:
                got = self.collection.get(
                    include=["documents", "metadatas", "embeddings"], limit=page, offset=offset
                )
            except Exception as e:
                raise _connection_error(e, self.settings) from None
            ids = got["ids"]
            if not ids:
                break
            metas = got["metadatas"] or [{}] * len(ids)
            texts = [
                _indexed_text(d or "", m or {})
                for d, m in zip(got["documents"], metas, strict=True)
            ]
            embs = got.get("embeddings")
            vectors = (
                None
                if embs is None or len(embs) != len(ids)
                else np.asarray(embs, dtype=np.float32)
            )
            index.add(ids, texts, [m or {} for m in metas], vectors)
            offset += len(ids)
            if len(ids) < page:
                break
        return index

    def _save_lexical(self) -> None:
        if self._lexical is None:
            return
        with contextlib.suppress(OSError):
            self._lexical.save(
                self.lexical_path,
                extra={
                    "generation": self._lexical_generation,
                    "collection_id": str(self.collection.id),
                },
            )

    # ----------------------------------------------------------------------------- ingest

    def ingest(
        self,
        paths: Iterable[str | Path],
        cycle: str | None = None,
        team: str | None = None,
        kind: str | None = None,
        *,
        prune: bool = False,
        progress: ProgressFn | None = None,
        lock_timeout: float | None = None,
    ) -> IngestReport:
        """Add new files, replace changed ones, skip unchanged ones; report bad files.

        Idempotent: chunk ids hash the source, position and text, so re-ingesting an
        unchanged file adds nothing. With ``prune``, files under ``paths`` that are gone from
        disk (or, with no paths, any ingested file that is gone) are removed from memory.
        """
        from coach.ingest import iter_source_files

        paths = [Path(p).expanduser() for p in paths]
        exclude = [self.settings.store_path, self.settings.cache_dir]
        files = list(iter_source_files(paths, exclude=exclude))
        # A link inside the folder to a file inside it, or a file named twice: read it once
        # (its chunks would otherwise be written twice under the same ids).
        # Links that will be refused are all kept, so each is reported.
        seen: set[Path] = set()
        unique = []
        for path, root in files:
            target = path.resolve()
            if target in seen and target.is_relative_to(root.resolve()):
                continue
            seen.add(target)
            unique.append((path, root))
        return self._ingest_files(
            unique,
            (cycle, team, kind),
            prune_roots=paths if prune else None,
            progress=progress,
            lock_timeout=lock_timeout,
        )

    def _ingest_files(
        self,
        files: list[tuple[Path, Path]],
        options: tuple[str | None, str | None, str | None],
        *,
        prune_roots: list[Path] | None = None,
        progress: ProgressFn | None = None,
        lock_timeout: float | None = None,
    ) -> IngestReport:
        from coach.locking import DEFAULT_WAIT_S, workspace_lock

        started = time.perf_counter()
        report = IngestReport(files_seen=len(files))
        with workspace_lock(self.settings.workspace, lock_timeout or DEFAULT_WAIT_S):
            manifest = self._manifest()
            lexical = self.lexical(force_check=True)
            batch: list[_Prepared] = []
            batch_chunks = 0
            for done, (path, root) in enumerate(files, start=1):
                prepared = self._prepare(path, root, manifest, report, *options)
                if prepared is not None:
                    batch.append(prepared)
                    batch_chunks += len(prepared.chunks)
                if batch_chunks >= BATCH or (done == len(files) and batch):
                    self._write(batch, manifest, lexical, report)
                    batch, batch_chunks = [], 0
                if progress:
                    progress(done, len(files), report.chunks_added, str(path))
            if prune_roots is not None:
                self._prune(prune_roots, manifest, lexical, report)
            if report.chunks_added or report.chunks_removed or report.files_pruned:
                self._lexical_generation = self._bump_generation()
                self._save_lexical()
            manifest.save()
        report.chunks_total = self.count()
        report.seconds = time.perf_counter() - started
        return report

    def _source_name(self, path: Path, root: Path) -> str:
        """Path relative to the workspace, else to the folder the user named (with its name)."""
        resolved = path.resolve()
        with contextlib.suppress(ValueError):
            return resolved.relative_to(self.settings.workspace.resolve()).as_posix()
        base = root.resolve()
        base = base.parent if base.is_dir() else base.parent
        with contextlib.suppress(ValueError):
            return resolved.relative_to(base).as_posix()
        return resolved.name

    def _prepare(
        self,
        path: Path,
        root: Path,
        manifest: Manifest,
        report: IngestReport,
        cycle: str | None,
        team: str | None,
        kind: str | None,
    ) -> _Prepared | None:
        from coach.ingest import chunk_document, read_document
        from coach.ingest.readers import infer_meta, refuse_reason

        key = str(path.resolve())
        try:
            refused = refuse_reason(path, root)
            st = path.stat() if refused is None else None
        except OSError as e:
            reason = "file not found" if isinstance(e, FileNotFoundError) else e.strerror
            report.skipped.append(SkippedFile(path=str(path), reason=str(reason)))
            return None
        if refused is not None or st is None:
            report.skipped.append(SkippedFile(path=str(path), reason=str(refused)))
            return None
        options = (cycle, team, kind)
        old = manifest.files.get(key)
        if (
            old is not None
            and old.sha256
            and (old.size, old.mtime_ns) == (st.st_size, st.st_mtime_ns)
            and (old.cycle, old.team, old.kind) == options
        ):
            report.files_unchanged += 1
            return None
        try:
            data = path.read_bytes()
        except OSError as e:
            report.skipped.append(SkippedFile(path=str(path), reason=f"cannot read ({e.strerror})"))
            return None
        sha = hashlib.sha256(data).hexdigest()
        if old is not None and old.sha256 == sha and (old.cycle, old.team, old.kind) == options:
            old.size, old.mtime_ns = st.st_size, st.st_mtime_ns  # touched, not changed
            report.files_unchanged += 1
            return None
        try:
            doc = read_document(path)
        except InputError as e:
            report.skipped.append(SkippedFile(path=str(path), reason=e.detail))
            return None
        except Exception as e:  # a parser bug on one odd file must not stop the others
            report.skipped.append(
                SkippedFile(path=str(path), reason=f"could not be parsed ({type(e).__name__})")
            )
            return None
        # A file keeps the source name it was first ingested under, however it is named later
        # (folder or single file), so its chunks are replaced rather than duplicated.
        source = old.source if old is not None else self._source_name(path, root)
        meta = infer_meta(path, doc)
        for name, value in (("cycle", cycle), ("team", team), ("kind", kind)):
            if value:
                meta[name] = value
        meta.setdefault("kind", "notes")
        chunks = chunk_document(doc, source)
        return _Prepared(
            path, key, source, sha, st.st_size, st.st_mtime_ns, chunks, meta, str(root), options
        )

    def _write(
        self, batch: list[_Prepared], manifest: Manifest, lexical: Any, report: IngestReport
    ) -> None:
        ids: list[str] = []
        texts: list[str] = []
        docs: list[str] = []
        metas: list[dict[str, Any]] = []
        stale: list[str] = []
        for item in batch:
            existing = lexical.ids_for_source(item.source)
            new_ids = {c.id for c in item.chunks}
            stale.extend(i for i in existing if i not in new_ids)
            for chunk in item.chunks:
                if chunk.id in existing:
                    continue
                ids.append(chunk.id)
                texts.append(chunk.indexed_text)
                docs.append(chunk.text)
                metas.append(_chunk_metadata(chunk, item))
            was_known = item.key in manifest.files
            manifest.files[item.key] = ManifestEntry(
                source=item.source,
                sha256=item.sha256,
                size=item.size,
                mtime_ns=item.mtime_ns,
                chunks=len(item.chunks),
                cycle=item.options[0],
                team=item.options[1],
                kind=item.options[2],
                root=item.root,
            )
            if was_known:
                report.files_updated += 1
            else:
                report.files_added += 1
        if stale or ids:
            self._begin_write()
        self._delete(stale, lexical)
        report.chunks_removed += len(stale)
        for start in range(0, len(ids), BATCH):
            sl = slice(start, start + BATCH)
            vectors = self.embedder.embed(texts[sl])
            try:
                self.collection.upsert(
                    ids=ids[sl], embeddings=vectors, documents=docs[sl], metadatas=metas[sl]
                )
            except Exception as e:
                raise _connection_error(e, self.settings) from None
            lexical.add(ids[sl], texts[sl], metas[sl], vectors)
            report.chunks_added += len(ids[sl])

    def _delete(self, ids: Sequence[str], lexical: Any) -> None:
        ids = list(ids)
        for start in range(0, len(ids), BATCH):
            try:
                self.collection.delete(ids=ids[start : start + BATCH])
            except Exception as e:
                raise _connection_error(e, self.settings) from None
        lexical.remove(ids)

    def _prune(
        self, paths: list[Path], manifest: Manifest, lexical: Any, report: IngestReport
    ) -> None:
        roots = [str(p.resolve()) for p in paths]
        for key in list(manifest.files):
            inside = not roots or any(
                key == r or key.startswith(r.rstrip(os.sep) + os.sep) for r in roots
            )
            if inside and not Path(key).exists():
                entry = manifest.files.pop(key)
                ids = lexical.ids_for_source(entry.source)
                self._begin_write()
                self._delete(list(ids), lexical)
                report.chunks_removed += len(ids)
                report.files_pruned += 1

    # ----------------------------------------------------------------------- forget, reindex

    def forget(self, path: str | Path, lock_timeout: float | None = None) -> int:
        """Drop every chunk of one document (by path on disk or by its source name)."""
        from coach.locking import DEFAULT_WAIT_S, workspace_lock

        with workspace_lock(self.settings.workspace, lock_timeout or DEFAULT_WAIT_S):
            manifest = self._manifest()
            lexical = self.lexical(force_check=True)
            p = Path(path).expanduser()
            key = str(p.resolve())
            sources: set[str] = set()
            if key in manifest.files:
                sources.add(manifest.files.pop(key).source)
            else:
                # A folder forgets everything ingested from under it.
                prefix = key.rstrip(os.sep) + os.sep
                for k in [k for k in manifest.files if k.startswith(prefix)]:
                    sources.add(manifest.files.pop(k).source)
            if not sources:
                sources.add(str(path) if not p.exists() else self._source_name(p, p))
                for k in [k for k, v in manifest.files.items() if v.source in sources]:
                    manifest.files.pop(k)
            removed = 0
            for source in sources:
                ids = lexical.ids_for_source(source)
                if ids:
                    self._begin_write()
                self._delete(list(ids), lexical)
                removed += len(ids)
            if removed:
                self._lexical_generation = self._bump_generation()
                self._save_lexical()
            manifest.save()
        return removed

    def reindex(
        self, progress: ProgressFn | None = None, lock_timeout: float | None = None
    ) -> IngestReport:
        """Drop the collection and rebuild it from the files in the manifest, with the
        embedding backend the settings name now. Files that are gone are reported as skipped."""
        from coach.locking import DEFAULT_WAIT_S, workspace_lock

        with workspace_lock(self.settings.workspace, lock_timeout or DEFAULT_WAIT_S):
            old = Manifest.load(self.manifest_path)
            name = self.settings.chroma.collection
            try:
                with contextlib.suppress(ValueError, KeyError):
                    self.client.delete_collection(name)
                self.collection = self.client.get_or_create_collection(
                    name,
                    embedding_function=_embedding_function_class()(self.embedder),
                    configuration={"hnsw": {"space": "cosine"}},
                    metadata=self._fresh_metadata(self.embedder),
                )
            except Exception as e:
                raise _connection_error(e, self.settings) from None
            self._lexical = None
            with contextlib.suppress(OSError):
                self.lexical_path.unlink()
            # Keep the file list (it is what we rebuild from) but forget the hashes, so a
            # reindex that is interrupted can simply be run again.
            old.collection_id = str(self.collection.id)
            for entry in old.files.values():
                entry.sha256 = ""
            old.save()
        # Re-ingest with each file's original root and options, so sources and metadata
        # come out as before.
        started = time.perf_counter()
        groups: dict[tuple[str | None, str | None, str | None], list[tuple[Path, Path]]] = {}
        for key, entry in old.files.items():
            options = (entry.cycle, entry.team, entry.kind)
            groups.setdefault(options, []).append((Path(key), Path(entry.root or key)))
        report = IngestReport()
        for options, files in groups.items():
            part = self._ingest_files(files, options, progress=progress, lock_timeout=lock_timeout)
            for name_ in ("files_seen", "files_added", "chunks_added"):
                setattr(report, name_, getattr(report, name_) + getattr(part, name_))
            report.skipped.extend(part.skipped)
        report.chunks_total = self.count()
        report.seconds = time.perf_counter() - started
        return report

    # ----------------------------------------------------------------------------- search

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Mapping[str, Any] | None = None,
        *,
        mode: str = "fused",
        expand: bool = True,
    ) -> list[Passage]:
        """The ``k`` passages that best answer ``query``; ``mode``: fused | vector | lexical.

        Fused: the candidates of both retrievers are ranked by
        ``LEXICAL_WEIGHT × BM25 (relative to the best score the query can reach) +
        (1 − LEXICAL_WEIGHT) × cosine similarity``, which is also the passage's ``score`` (0–1),
        so unrelated passages score low even when they rank first. The weight was chosen on
        bench/retrieval (see docs/memory.md): word vectors alone are weak here, BM25 with the
        bilingual glossary carries most of the signal, and the blend beats either alone.
        """
        from coach.lexical import expand_query

        if mode not in ("fused", "vector", "lexical"):
            raise ValueError(f"unknown search mode {mode!r}")
        query = query.strip()
        if not query or k <= 0:
            return []
        where = _where(filters)
        extra = expand_query(query) if expand else []
        n_cand = max(k * 4, CANDIDATES)
        qvec = self.embedder.embed([" ".join([query, *extra])])[0]
        cos: dict[str, float] = {}
        lex: dict[str, float] = {}
        index = self.lexical()
        if mode != "lexical":
            if where is not None and index.has_vectors():
                # Exact and much faster than the store's metadata filter at scale.
                cos = dict(index.vector_search(qvec, n_cand, _plain_filters(filters)))
            else:
                cos = self._vector_search(qvec, n_cand, where)
        if mode != "vector":
            lex = dict(
                index.search(
                    query, n_cand, filters=_plain_filters(filters), extra_terms=extra, also=cos
                )
            )
        if mode == "lexical":
            lex = {i: s for i, s in lex.items() if s > 0}
        weight = {"fused": LEXICAL_WEIGHT, "vector": 0.0, "lexical": 1.0}[mode]

        def blend(i: str) -> float:
            return weight * lex.get(i, 0.0) + (1 - weight) * max(0.0, min(1.0, cos.get(i, 0.0)))

        def source_of(i: str) -> str:
            pos = index.pos.get(i)
            return index.meta["source"][pos] if pos is not None else i

        known = _diverse(sorted(cos, key=lambda i: (-blend(i), i)), source_of, blend, k)
        # A lexical-only candidate was not among the vector hits, so its cosine is at most the
        # lowest one returned: fetch it only if it could still reach the top k.
        floor = min(cos.values()) if len(cos) >= n_cand else 0.0
        # (An over-cap passage in ``known`` competes at OVER_CAP_FACTOR of its score.)
        kth = OVER_CAP_FACTOR * min(map(blend, known)) if len(known) == k else -1.0
        maybe = [
            i
            for i in lex
            if i not in cos and weight * lex[i] + (1 - weight) * max(0.0, floor) >= kth
        ]
        for i in maybe:
            c = index.cosine(i, qvec)
            if c is not None:
                cos[i] = c
        if all(i in cos for i in maybe):  # every cosine known: fetch only the final top k
            known = _diverse(sorted(cos, key=lambda i: (-blend(i), i)), source_of, blend, k)
            maybe = []
        found = self._fetch([*known, *maybe], qvec, cos, vectors=bool(maybe))
        top = _diverse(sorted(found, key=lambda i: (-blend(i), i)), source_of, blend, k)
        return [_passage(n, i, *found[i], blend(i)) for n, i in enumerate(top, start=1)]

    def _vector_search(self, qvec: np.ndarray, n: int, where: dict | None) -> dict[str, float]:
        try:
            res = self.collection.query(
                query_embeddings=[qvec], n_results=n, where=where, include=["distances"]
            )
        except Exception as e:
            raise _connection_error(e, self.settings) from None
        return {i: 1.0 - float(d) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)}

    def _fetch(
        self, ids: list[str], qvec: np.ndarray, cos: dict[str, float], vectors: bool = True
    ) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of the candidates (and, if asked, the cosines still missing)."""
        if not ids:
            return {}
        include = ["documents", "metadatas", *(["embeddings"] if vectors else [])]
        try:
            got = self.collection.get(ids=list(dict.fromkeys(ids)), include=include)
        except Exception as e:
            raise _connection_error(e, self.settings) from None
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        if not got["ids"]:
            return found  # deleted by another writer since the candidates were found
        if vectors:
            sims = np.asarray(got["embeddings"], dtype=np.float32) @ qvec
            for i, sim in zip(got["ids"], sims, strict=True):
                cos.setdefault(i, float(sim))
        for i, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
            found[i] = (doc or "", dict(meta or {}))
        return found

    def stats(self) -> dict[str, Any]:
        meta = self.collection.metadata or {}
        manifest = Manifest.load(self.manifest_path)
        return {
            "mode": self.mode,
            "location": self.location,
            "collection": self.settings.chroma.collection,
            "embedder": meta.get("embedder"),
            "dim": meta.get("dim"),
            "chunks": self.count(),
            "files": len(manifest.files),
        }


# -------------------------------------------------------------------------------- helpers


def _diverse(
    ranked: Sequence[str], source_of: Callable[[str], str], score: Callable[[str], float], k: int
) -> list[str]:
    """The ``k`` of ``ranked`` (best first) to show, so one document cannot crowd out the rest.

    A document's passages after its first PASSAGES_PER_DOCUMENT compete at OVER_CAP_FACTOR of
    their score: they make the top ``k`` only when no other document has a passage nearly as
    good (a one-document memory still answers with ``k`` passages, and an unrelated passage
    never displaces a strong third one). The chosen passages keep ``ranked`` order.
    """
    count: dict[str, int] = {}
    keyed: list[tuple[float, int, str]] = []
    for rank, i in enumerate(ranked):
        source = source_of(i)
        n = count.get(source, 0)
        count[source] = n + 1
        keyed.append((score(i) * (1.0 if n < PASSAGES_PER_DOCUMENT else OVER_CAP_FACTOR), rank, i))
    chosen = {i for _, _, i in sorted(keyed, key=lambda t: (-t[0], t[1]))[:k]}
    return [i for i in ranked if i in chosen]


def _indexed_text(document: str, meta: Mapping[str, Any]) -> str:
    heading = str(meta.get("heading_path") or "")
    return f"{heading}\n{document}" if heading else document


def _plain_filters(filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not filters:
        return None
    return {
        k: [str(x) for x in v] if isinstance(v, list | tuple | set) else str(v)
        for k, v in filters.items()
        if v not in (None, "", [])
    } or None


def _chunk_metadata(chunk: Chunk, item: _Prepared) -> dict[str, Any]:
    meta: dict[str, Any] = {"source": item.source, "path": item.key, "position": chunk.position}
    merged = {**item.meta, **chunk.meta}
    for key in ("cycle", "team", "kind", "date", "language"):
        if merged.get(key):
            meta[key] = str(merged[key])
    if chunk.heading_path:
        meta["heading_path"] = HEADING_SEP.join(chunk.heading_path)
        meta["heading_json"] = json.dumps(list(chunk.heading_path), ensure_ascii=False)
    if chunk.lines:
        meta["line_start"], meta["line_end"] = int(chunk.lines[0]), int(chunk.lines[1])
    return meta


def _passage(n: int, chunk_id: str, text: str, meta: Mapping[str, Any], score: float) -> Passage:
    heading: list[str] = []
    if meta.get("heading_json"):
        with contextlib.suppress(ValueError, TypeError):
            heading = [str(h) for h in json.loads(str(meta["heading_json"]))]
    lines = None
    if meta.get("line_start") is not None and meta.get("line_end") is not None:
        lines = (int(meta["line_start"]), int(meta["line_end"]))
    return Passage(
        n=n,
        id=chunk_id,
        source=str(meta.get("source", "")),
        heading_path=heading,
        lines=lines,
        cycle=meta.get("cycle"),
        team=meta.get("team"),
        kind=meta.get("kind"),
        date=meta.get("date"),
        language=meta.get("language"),
        score=round(max(0.0, min(1.0, score)), 4),
        text=text,
    )


# ------------------------------------------------------------------------ the public helper

_OPEN_STORES: dict[tuple[str, str, str], MemoryStore] = {}
_FAILED: dict[tuple[str, str, str], tuple[float, StoreError]] = {}
RETRY_AFTER_S = 30.0  # a down server is not probed again on every keystroke


def _cached_store(settings: Settings) -> MemoryStore | None:
    """One open store per settings in a long-lived process (the TUI asks many times)."""
    key = (store_key(settings), settings.embedding.backend, str(settings.workspace))
    store = _OPEN_STORES.get(key)
    if store is not None:
        return store
    failed = _FAILED.get(key)
    if failed and time.monotonic() - failed[0] < RETRY_AFTER_S:
        raise failed[1]
    if not settings.chroma.host and not (settings.store_path / "chroma.sqlite3").exists():
        return None  # nothing ingested yet; reading must not create a store
    try:
        store = MemoryStore.open(settings)
    except StoreError as e:
        _FAILED[key] = (time.monotonic(), e)
        raise
    _FAILED.pop(key, None)
    _OPEN_STORES[key] = store
    return store


def retrieval_mode(settings: Settings) -> str:
    """One line on how memory search finds passages with these settings (for `doctor`)."""
    from coach.lexical import load_glossary, stemmer_backend

    backend = settings.embedding.backend
    if backend == "wordllama":
        vectors = "wordllama word vectors, offline"
    elif backend.startswith("litellm:"):
        vectors = f"{backend.removeprefix('litellm:')} embeddings through litellm"
    else:
        vectors = f"{backend} embeddings (local)"
    return (
        f"BM25 (Snowball sv/en stems via {stemmer_backend()}, compound splitting) "
        f"+ sv↔en glossary ({len(load_glossary())} term groups) + {vectors}"
    )


def query_for(item: KeyResult | Objective | str) -> str:
    """The text to search memory with for a KR, an objective or plain text."""
    if isinstance(item, KeyResult):
        return " ".join(x for x in (item.text, item.metric or "") if x)
    if isinstance(item, Objective):
        parts = [item.title, item.description or ""]
        parts += [kr.text for kr in item.key_results[:5]]
        return " ".join(p for p in parts if p)
    return str(item)


def lessons_for(
    item: KeyResult | Objective | str,
    settings: Settings,
    filters: Mapping[str, Any] | None = None,
    k: int = 5,
) -> list[Passage]:
    """Past-cycle passages relevant to a KR, an objective or a text (empty when memory is).

    Raises StoreError subclasses (server down, backend mismatch) with a readable message;
    callers such as the TUI and the critique show it and carry on without lessons.
    """
    store = _cached_store(settings)
    if store is None:
        return []
    return store.search(query_for(item), k=k, filters=filters)

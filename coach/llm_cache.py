"""A workspace cache of identical LLM requests: a repeat costs zero calls.

The key hashes everything that decides the answer (model, endpoint, prompt name and version,
the rendered messages, the output schema, temperature, max tokens); the entry holds the raw
completion that validated, so a hit is re-validated against today's registries before use.
Entries never contain keys or headers: the completion is redacted before it is cached (a model
that echoes the Authorization header), and the cache is private to its owner (folders 0700,
files 0600), since answers quote the team's plans. Delete ``<workspace>/cache/llm`` to clear it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from coach.errors import LockTimeout
from coach.files.atomic import atomic_write_text
from coach.locking import workspace_lock
from coach.redaction import redact_secrets

CACHE_FORMAT = 1


def public_endpoint(api_base: str | None) -> str | None:
    """The endpoint without any user:password part, fit for keys, messages and logs."""
    if not api_base:
        return None
    parts = urlsplit(api_base)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def request_key(parts: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"format": CACHE_FORMAT, **parts}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class LlmCache:
    def __init__(self, root: Path, workspace: Path | None = None, enabled: bool = True):
        self.root = root
        self.workspace = workspace
        self.enabled = enabled

    @classmethod
    def for_workspace(cls, workspace: Path, enabled: bool = True) -> LlmCache:
        return cls(workspace / "cache" / "llm", workspace, enabled)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or damaged: a miss, the next answer rewrites it
        return entry if isinstance(entry, dict) and isinstance(entry.get("text"), str) else None

    def put(self, key: str, text: str, meta: dict[str, Any]) -> None:
        if not self.enabled:
            return
        entry = {"text": redact_secrets(text), "created": time.time(), **meta}
        payload = json.dumps(entry, ensure_ascii=False, indent=1)
        # A busy workspace only costs a cache entry, never the user's answer.
        with contextlib.suppress(LockTimeout, OSError):
            if self.workspace is not None:
                with workspace_lock(self.workspace, timeout=2.0):
                    self._write(key, payload)
            else:
                self._write(key, payload)

    def _write(self, key: str, payload: str) -> None:
        path = self._path(key)
        for folder in (self.root, path.parent):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)  # also closes a cache made before it was private
        atomic_write_text(path, payload, mode=0o600)

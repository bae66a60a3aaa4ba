"""Settings: command-line flags > environment > ``okr-coach.toml`` in the workspace > defaults.

Secrets never live here: provider keys stay in litellm's own environment variables, and Chroma
auth headers come only from ``OKR_COACH_CHROMA_HEADERS``. ``Settings.public_view()`` masks them.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.errors import ConfigError, InputError
from coach.models import Severity

CONFIG_FILE = "okr-coach.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LlmSettings(_Section):
    model: str | None = None
    api_base: str | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    temperature: float = Field(default=0.2, ge=0, le=2)
    budget_usd: float | None = Field(default=None, ge=0)
    max_tokens: int = Field(default=2000, gt=0)

    @property
    def enabled(self) -> bool:
        return bool(self.model)


class EmbeddingSettings(_Section):
    backend: str = "wordllama"


class ChromaSettings(_Section):
    path: str | None = None
    host: str | None = None
    port: int = 8000
    ssl: bool = False
    collection: str = "okr_memory"
    # From OKR_COACH_CHROMA_HEADERS only; excluded from every dump.
    headers: dict[str, str] = Field(default_factory=dict, exclude=True)


class RulesSettings(_Section):
    select: list[str] | None = None
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)
    objectives_max: int = Field(default=5, ge=1)
    krs_min: int = Field(default=3, ge=1)
    krs_max: int = Field(default=5, ge=1)


class ScoringSettings(_Section):
    # fail < partial <= partial-band < achieved
    bands: dict[str, float] = Field(default_factory=lambda: {"partial": 0.4, "achieved": 0.7})


class Settings(_Section):
    workspace: Path
    language: str = "auto"
    llm: LlmSettings = Field(default_factory=LlmSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chroma: ChromaSettings = Field(default_factory=ChromaSettings)
    rules: RulesSettings = Field(default_factory=RulesSettings)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)

    @property
    def store_path(self) -> Path:
        return Path(self.chroma.path) if self.chroma.path else self.workspace / "store"

    @property
    def cache_dir(self) -> Path:
        return self.workspace / "cache"

    def public_view(self) -> dict[str, Any]:
        """Effective settings for display: secrets masked, never their values."""
        data = self.model_dump(mode="json")
        if not self.chroma.host:  # show where the embedded store really is
            data["chroma"]["path"] = str(self.store_path)
        if self.chroma.headers:
            data["chroma"]["headers"] = {k: "***" for k in self.chroma.headers}
        data["llm"]["api_key"] = _key_status(self.llm.model)
        return data


def _key_status(model: str | None) -> str:
    """Say whether a provider key is present without showing any of it."""
    if not model:
        return "not needed (LLM off)"
    provider = model.split("/", 1)[0].upper()
    names = [f"{provider}_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_API_KEY"]
    found = [n for n in names if os.environ.get(n)]
    return f"set via {found[0]} (***)" if found else "not set (fine for local servers)"


_ENV: dict[str, tuple[str, ...]] = {
    "OKR_COACH_LANG": ("language",),
    "OKR_COACH_MODEL": ("llm", "model"),
    "OKR_COACH_API_BASE": ("llm", "api_base"),
    "OKR_COACH_LLM_TIMEOUT": ("llm", "timeout"),
    "OKR_COACH_LLM_MAX_RETRIES": ("llm", "max_retries"),
    "OKR_COACH_LLM_TEMPERATURE": ("llm", "temperature"),
    "OKR_COACH_LLM_BUDGET_USD": ("llm", "budget_usd"),
    "OKR_COACH_EMBEDDING": ("embedding", "backend"),
    "OKR_COACH_CHROMA_PATH": ("chroma", "path"),
    "OKR_COACH_CHROMA_HOST": ("chroma", "host"),
    "OKR_COACH_CHROMA_PORT": ("chroma", "port"),
    "OKR_COACH_CHROMA_SSL": ("chroma", "ssl"),
}


def default_workspace(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("OKR_COACH_HOME"):
        return Path(env["OKR_COACH_HOME"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("okr-coach", appauthor=False))


MAX_CONFIG_BYTES = 256 * 1024  # a settings file is a few hundred bytes


def _set(d: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        d = d.setdefault(key, {})
    d[path[-1]] = value


def read_toml(path: Path) -> dict[str, Any]:
    """The settings file as a dict ({} when absent); read through the input gate."""
    from coach.files.decode import read_text

    if not os.path.lexists(path):
        return {}
    try:
        text = read_text(path, max_bytes=MAX_CONFIG_BYTES)
        return tomllib.loads(text)
    except InputError as e:
        raise ConfigError(str(e)) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except RecursionError:  # tomllib is pure Python: nesting ends here, not in a crash
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def load_settings(
    workspace: str | Path | None = None,
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build the effective settings. ``flags`` uses dotted keys: ``{"llm.model": "…"}``."""
    env = os.environ if env is None else env
    ws = Path(workspace).expanduser() if workspace else default_workspace(env)
    data: dict[str, Any] = read_toml(ws / CONFIG_FILE)
    if "chroma" in data and "headers" in data["chroma"]:
        raise ConfigError(
            f"{ws / CONFIG_FILE}: chroma headers may hold secrets and are read only from the "
            "OKR_COACH_CHROMA_HEADERS environment variable; remove them from the file"
        )
    for var, path in _ENV.items():
        if env.get(var) not in (None, ""):
            _set(data, path, env[var])
    if env.get("OKR_COACH_CHROMA_HEADERS"):
        try:
            headers = json.loads(env["OKR_COACH_CHROMA_HEADERS"])
            assert isinstance(headers, dict)
        except (ValueError, AssertionError):
            raise ConfigError("OKR_COACH_CHROMA_HEADERS should be a JSON object") from None
        _set(data, ("chroma", "headers"), {str(k): str(v) for k, v in headers.items()})
    for key, value in (flags or {}).items():
        if value is not None:
            _set(data, tuple(key.split(".")), value)
    data["workspace"] = ws
    try:
        return Settings.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise ConfigError(
            f"invalid settings ({ws / CONFIG_FILE} or environment): {problems}"
        ) from None

"""Versioned prompt templates (``prompts/<task>.v<N>.md``) and fenced data.

A template starts with a small header between ``---`` lines (``name``, ``version``,
``schema`` = an output model in :mod:`coach.llm_schemas`, ``language`` = the output languages
it supports, ``description``), then a ``## system`` and a ``## user`` section. Templates render
in jinja2's sandbox with strict undefined variables: a missing variable is an error, not an
empty string. User text and retrieved passages enter only through :func:`fence`, which wraps
them with provenance in a fence that the content itself cannot contain, so a passage cannot
close its fence early and pose as instructions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coach.errors import OkrCoachError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
_FILE_NAME = re.compile(r"^(?P<name>[a-z][a-z0-9_-]*)\.v(?P<version>\d+)\.md$")
LANGUAGE_NAMES = {"en": "English", "sv": "Swedish (svenska)"}


class PromptError(OkrCoachError):
    """A broken template file or a render with missing variables (a bug, named clearly)."""


class PromptHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: int = Field(ge=1)
    schema_name: str = Field(alias="schema")
    language: list[str]
    description: str = ""

    @field_validator("language", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        return [p.strip() for p in v.split(",") if p.strip()] if isinstance(v, str) else v


@dataclass(frozen=True)
class PromptTemplate:
    header: PromptHeader
    system: str
    user: str
    path: Path

    @property
    def name(self) -> str:
        return self.header.name

    @property
    def version(self) -> int:
        return self.header.version

    @property
    def output_model(self) -> type[BaseModel]:
        from coach.llm_schemas import SCHEMAS

        return SCHEMAS[self.header.schema_name]


@dataclass(frozen=True)
class RenderedPrompt:
    name: str
    version: int
    schema_name: str
    language: str
    system: str
    user: str

    @property
    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def as_text(self) -> str:
        """Exactly what would be sent, for ``--show-prompt`` (the privacy view)."""
        return (
            f"# prompt {self.name} v{self.version} (output schema {self.schema_name}, "
            f"language {self.language})\n\n## system\n{self.system}\n\n## user\n{self.user}"
        )


def fence(content: Any, kind: str, **provenance: Any) -> str:
    """Wrap data in a fence whose tag occurs nowhere in the content or its provenance.

    The tag is derived from a hash of both, so the same input renders the same prompt (the
    request cache depends on it); it is extended until it is absent from the content.
    """
    text = str(content)
    meta = json.dumps(
        {"kind": kind, **{k: v for k, v in provenance.items() if v not in (None, "", [])}},
        ensure_ascii=False,
        default=str,
    )
    digest = hashlib.sha256(f"{meta}\n{text}".encode()).hexdigest().upper()
    tag = f"DATA-{digest[:12]}"
    i = 12
    while tag in text or tag in meta:  # astronomically rare; still never trust luck
        i += 4
        tag = f"DATA-{digest[:i]}" if i <= len(digest) else tag + "X"
    return f"<<<{tag} {meta}\n{text}\n{tag}>>>"


def _parse(path: Path) -> PromptTemplate:
    raw = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n(.*)$", raw, re.DOTALL)
    if not m:
        raise PromptError(f"{path}: a prompt starts with a header between --- lines")
    fields: dict[str, str] = {}
    for n, line in enumerate(m.group(1).splitlines(), start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise PromptError(f"{path}:{n}: header lines look like `key: value`")
        fields[key.strip()] = value.strip()
    try:
        header = PromptHeader.model_validate(fields)
    except ValidationError as e:
        raise PromptError(f"{path}: bad header: {e.errors()[0]['msg']}") from None
    fm = _FILE_NAME.match(path.name)
    if not fm or fm["name"] != header.name or int(fm["version"]) != header.version:
        raise PromptError(f"{path}: the file name must be {header.name}.v{header.version}.md")
    from coach.llm_schemas import SCHEMAS

    if header.schema_name not in SCHEMAS:
        raise PromptError(f"{path}: unknown output schema {header.schema_name!r}")
    sections = re.split(r"^## (system|user)\s*$", m.group(2), flags=re.MULTILINE)
    parts = dict(zip(sections[1::2], (s.strip("\n") for s in sections[2::2]), strict=True))
    if set(parts) != {"system", "user"}:
        raise PromptError(f"{path}: needs one `## system` and one `## user` section")
    return PromptTemplate(header, parts["system"], parts["user"], path)


def list_templates(directory: Path = PROMPTS_DIR) -> list[PromptTemplate]:
    return [_parse(p) for p in sorted(directory.glob("*.v*.md"))]


@functools.cache
def load_template(name: str, version: int | None = None) -> PromptTemplate:
    """The named template; without a version, the highest one present."""
    candidates = [t for t in list_templates() if t.name == name]
    if version is not None:
        candidates = [t for t in candidates if t.version == version]
    if not candidates:
        raise PromptError(f"no prompt template {name}{f' v{version}' if version else ''}")
    return max(candidates, key=lambda t: t.version)


@functools.cache
def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    env.globals["fence"] = fence
    env.filters["json"] = lambda v: json.dumps(v, ensure_ascii=False, default=str)
    return env


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Any:
    """Compiling a template costs ~25 ms; the sources are few and never change in a run."""
    return _environment().from_string(source)


@functools.cache
def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def render(
    name: str,
    variables: dict[str, Any],
    language: str = "en",
    version: int | None = None,
    *,
    schema_in_prompt: bool = True,
) -> RenderedPrompt:
    """Render a template; ``output_schema`` and ``language_name`` are provided automatically.
    ``schema_in_prompt=False`` leaves ``output_schema`` empty when the request's
    response_format carries the schema (it is not sent twice)."""
    from jinja2 import TemplateError

    template = load_template(name, version)
    if language not in template.header.language:
        language = template.header.language[0]
    schema = json.dumps(schema_of(template.output_model), ensure_ascii=False)
    if not schema_in_prompt:
        schema = ""
    values = {
        **variables,
        "output_schema": schema,
        "language": language,
        "language_name": LANGUAGE_NAMES.get(language, language),
    }
    try:
        system = _compiled(template.system).render(values)
        user = _compiled(template.user).render(values)
    except TemplateError as e:
        raise PromptError(f"{template.path}: cannot render: {e}") from None
    return RenderedPrompt(
        template.name, template.version, template.header.schema_name, language, system, user
    )

"""OKR guidance notes (``knowledge/guidance/<lang>/*.md``) for help screens, rule docs and grounding.

Each note starts with front matter naming a ``slug`` and a ``title``; the same slug exists in
every language. Rules and other text link to a note as ``guidance:<slug>``.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.errors import InputError

LANGS = ("en", "sv")
LINK_PREFIX = "guidance:"
_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


class GuidanceNote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    lang: str
    body: str = Field(min_length=1)
    path: str

    @property
    def link(self) -> str:
        return f"{LINK_PREFIX}{self.slug}"


def guidance_dir() -> Path:
    return Path(str(resources.files("knowledge") / "guidance"))


def parse_note(text: str, lang: str, path: str) -> GuidanceNote:
    """One note from its Markdown text; bad front matter raises InputError naming the file."""
    from coach.files.yaml_io import load_data

    m = _FRONT.match(text.replace("\r\n", "\n"))
    if not m:
        raise InputError("a guidance note starts with front matter between --- lines", path, 1)
    meta = load_data(m.group(1), path) or {}
    if not isinstance(meta, dict):
        raise InputError("front matter should be key: value lines", path, 2)
    try:
        return GuidanceNote(**meta, lang=lang, body=m.group(2).strip(), path=path)
    except (ValidationError, TypeError) as e:
        raise InputError(f"invalid guidance note: {e}".splitlines()[0], path, 1) from None


@functools.lru_cache(maxsize=4)
def _notes(root: str, lang: str) -> dict[str, GuidanceNote]:
    notes: dict[str, GuidanceNote] = {}
    for path in sorted((Path(root) / lang).glob("*.md")):
        note = parse_note(path.read_text(encoding="utf-8"), lang, str(path))
        if note.slug in notes:
            raise InputError(
                f"slug {note.slug!r} is used twice ({notes[note.slug].path})", str(path)
            )
        notes[note.slug] = note
    return notes


def list_notes(lang: str = "en") -> list[GuidanceNote]:
    """Every note in ``lang`` (English when the language is unknown), sorted by slug."""
    lang = lang if lang in LANGS else "en"
    return list(_notes(str(guidance_dir()), lang).values())


def get_note(ref: str, lang: str = "en") -> GuidanceNote | None:
    """A note by slug or ``guidance:<slug>`` link, in ``lang`` or else in English."""
    slug = ref.removeprefix(LINK_PREFIX).strip()
    for candidate in (lang if lang in LANGS else "en", "en"):
        note = _notes(str(guidance_dir()), candidate).get(slug)
        if note is not None:
            return note
    return None

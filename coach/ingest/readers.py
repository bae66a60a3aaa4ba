"""Pick a reader by extension, find the files under the given paths, infer metadata."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from coach.errors import InputError
from coach.files.decode import read_text
from coach.files.gate import read_head, stat_regular
from coach.ingest.document import Block, Document

TEXT_LIMIT = 20 * 1024 * 1024
BINARY_LIMIT = 100 * 1024 * 1024

FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".csv": "csv",
    ".tsv": "csv",
    ".yaml": "okr",
    ".yml": "okr",
    ".json": "okr",
}
SUPPORTED_EXTENSIONS = tuple(FORMATS)

_CYCLE_RE = re.compile(r"(?<!\d)(20\d\d)[-_ ]?(Q[1-4]|H[12]|T[1-3])(?![0-9a-z])", re.IGNORECASE)
_DATE_RE = re.compile(r"(?<!\d)(20\d\d-[01]\d-[0-3]\d)(?!\d)")
# Words in a path or title that tell what kind of document it is (English and Swedish).
_KIND_WORDS = {
    "retro": ("retro", "retrospective", "retrospektiv", "återblick", "lessons", "lärdomar"),
    "checkin": (
        "checkin",
        "check-in",
        "check_in",
        "avstämning",
        "avstamning",
        "weekly",
        "veckomöte",
    ),
    "okrs": ("okr", "okrs", "cycles", "objectives", "mål"),
    "notes": ("notes", "meeting", "minutes", "anteckningar", "möte", "mote", "protokoll"),
}
KINDS = tuple(_KIND_WORDS)


def read_document(path: Path) -> Document:
    """Read one file into blocks. Raises InputError (naming the file) when it cannot."""
    fmt = FORMATS.get(path.suffix.lower())
    name = str(path)
    if fmt is None:
        known = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise InputError(f"unsupported file type {path.suffix or '(none)'}; known: {known}", name)
    meta: dict[str, str] = {}
    if fmt in ("pdf", "docx"):
        blocks = _read_binary_format(path, fmt)
    elif fmt == "okr":
        from coach.files import read_okr_file
        from coach.ingest.okr import cycle_blocks

        try:
            loaded = read_okr_file(path)
        except InputError as e:
            raise InputError(f"not a readable OKR cycle file: {e.detail}", name, e.line) from None
        blocks, meta = cycle_blocks(loaded)
    else:
        text = read_text(path, max_bytes=TEXT_LIMIT)
        if fmt == "markdown":
            from coach.ingest.markdown import parse_markdown

            blocks, meta = parse_markdown(text)
        elif fmt == "html":
            from coach.ingest.html import parse_html

            blocks = parse_html(text)
        elif fmt == "csv":
            from coach.ingest.tabular import parse_csv

            blocks = parse_csv(text, name)
        else:
            from coach.ingest.markdown import parse_plain_text

            blocks = parse_plain_text(text)
    if not any(b.kind != "heading" and b.text.strip() for b in blocks):
        raise InputError("is empty: no text to remember", name)
    return Document(path=name, format=fmt, blocks=blocks, meta=meta)


def _read_binary_format(path: Path, fmt: str) -> list[Block]:
    name = str(path)
    size = stat_regular(path, name).st_size  # the input gate: no FIFO or device is opened
    head = read_head(path, 8)
    if size == 0:
        raise InputError("is empty: no text to remember", name)
    if size > BINARY_LIMIT:
        raise InputError(f"file is {size / 1_048_576:.0f} MB; the limit is 100 MB", name)
    if fmt == "pdf":
        from coach.ingest.office import parse_pdf

        if not head.startswith(b"%PDF"):
            raise InputError("is not a PDF (it does not start with %PDF)", name)
        return parse_pdf(path)
    from coach.ingest.office import parse_docx

    if not head.startswith(b"PK"):
        raise InputError("is not a DOCX file (not a zip package)", name)
    return parse_docx(path)


def iter_source_files(
    paths: Iterable[str | Path], exclude: Iterable[Path] = ()
) -> Iterator[tuple[Path, Path]]:
    """Yield ``(file, root)`` for each file to ingest; ``root`` is what the user named.

    Folders are walked recursively, skipping hidden entries, unsupported extensions and the
    ``exclude`` folders (the store and caches). A named file is always yielded, so an
    unsupported or missing one is reported rather than silently dropped.
    """
    excluded = {p.resolve() for p in exclude}
    for raw in paths:
        root = Path(raw).expanduser()
        if not root.is_dir():
            yield root, root
            continue
        for dirpath, dirnames, filenames in os.walk(root):  # never descends into linked folders
            here = Path(dirpath)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not d.startswith(".") and (here / d).resolve() not in excluded
            )
            # A link to a folder is not walked; yield it so the report says so.
            yield from ((here / d, root) for d in dirnames if (here / d).is_symlink())
            for fname in sorted(filenames):
                if fname.startswith(".") or Path(fname).suffix.lower() not in FORMATS:
                    continue
                yield here / fname, root


def refuse_reason(path: Path, root: Path) -> str | None:
    """Why ``path`` must not be read, or None. Nothing is opened to decide.

    Under a folder the user named, a link may point only at a file inside that folder (a link
    to /etc/shadow in a shared folder must not become memory). Anything but a regular file is
    refused: a FIFO would block the read, a device like /dev/zero never ends.
    """
    if root != path and root.is_dir():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling link or a loop
            return "a broken link (not followed)"
        if not target.is_relative_to(root.resolve()):
            return f"a link that points outside {root} (not followed)"
    st = os.stat(path)  # follows the (contained) link; raises OSError for the caller
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        return "a link to a folder (not followed)"
    if stat.S_ISFIFO(st.st_mode):
        return "a FIFO (named pipe), not a file: skipped without opening it"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "a device, not a file: skipped without opening it"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket, not a file: skipped"
    return "not a regular file"


def infer_meta(path: Path, doc: Document) -> dict[str, str]:
    """cycle, kind and date from the file itself, else from its path and first lines."""
    from coach.parse.language import detect_language

    meta = dict(doc.meta)
    head = " ".join(b.text for b in doc.blocks[:6])[:600]
    path_text = " ".join(path.parts[-3:])
    if "cycle" not in meta:
        m = _CYCLE_RE.search(path_text) or _CYCLE_RE.search(head)
        if m:
            meta["cycle"] = f"{m.group(1)}-{m.group(2).upper()}"
    if "kind" not in meta:
        lowered = path_text.lower() + " " + head[:120].lower()
        for kind, words in _KIND_WORDS.items():
            if any(re.search(rf"(?<![a-zåäö]){re.escape(w)}", lowered) for w in words):
                meta["kind"] = kind
                break
    if "date" not in meta:
        m = _DATE_RE.search(path_text) or _DATE_RE.search(head)
        if m:
            meta["date"] = m.group(1)
    if "language" not in meta or meta["language"] not in ("sv", "en"):
        meta["language"] = detect_language(doc.text[:4000])
    return meta

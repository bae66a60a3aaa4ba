"""PDF (pypdf) and DOCX (python-docx): text with page or heading structure.

Both formats are compressed containers, so a small file can inflate to gigabytes (a zip or
stream bomb). Sizes are checked before anything is inflated, and what is extracted is capped;
a file over a limit is refused with the reason, naming the limit, in the ingest report.
"""

from __future__ import annotations

import re
from pathlib import Path

from coach.errors import InputError
from coach.ingest.document import Block

# DOCX: what the zip's directory declares (zipfile never inflates past a member's declared size).
DOCX_MAX_MEMBERS = 2_000
DOCX_MAX_MEMBER_BYTES = 50 * 1024 * 1024  # a 50 MB document.xml is some 5 million words
DOCX_MAX_TOTAL_BYTES = 200 * 1024 * 1024
DOCX_MAX_RATIO = 100  # text XML compresses 5-20x; a bomb, 1000x
DOCX_RATIO_FLOOR = 1024 * 1024  # small members may compress well without harm
# PDF: pages read, bytes any one stream may inflate to, text kept.
PDF_MAX_PAGES = 2_000
PDF_MAX_STREAM_BYTES = 20 * 1024 * 1024
# Both: text extracted from one file (a 1,000-page book is about 3 million characters).
MAX_TEXT_CHARS = 10_000_000


def _too_much_text(path: Path) -> InputError:
    return InputError(
        f"holds more than {MAX_TEXT_CHARS:,} characters of text; " "split it into smaller files",
        str(path),
    )


def parse_pdf(path: Path) -> list[Block]:
    import logging

    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns loudly about odd but fine files
    limits = {
        name: PDF_MAX_STREAM_BYTES
        for name in (
            "maximum_declared_stream_length",
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "brotli_maximum_output_length",
            "jbig2_maximum_output_length",
            "image_maximum_buffer_size",
        )
    }
    pages: list[str] = []
    try:
        with apply_configuration(**limits):
            reader = PdfReader(str(path))
            if reader.is_encrypted:
                raise InputError(
                    "the PDF is encrypted; save an unprotected copy to ingest it", str(path)
                )
            if len(reader.pages) > PDF_MAX_PAGES:
                raise InputError(
                    f"the PDF has {len(reader.pages)} pages; the limit is {PDF_MAX_PAGES}",
                    str(path),
                )
            total = 0
            for page in reader.pages:
                text = page.extract_text() or ""
                total += len(text)
                if total > MAX_TEXT_CHARS:
                    raise _too_much_text(path)
                pages.append(text)
    except InputError:
        raise
    except LimitReachedError as e:
        raise InputError(
            f"the PDF inflates past a safety limit ({e}); it looks like a decompression bomb",
            str(path),
        ) from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as e:
        raise InputError(f"cannot read the PDF ({type(e).__name__}: {e})", str(path)) from None
    blocks: list[Block] = []
    for n, text in enumerate(pages, start=1):
        # Lines ending without punctuation usually wrap; blank lines separate paragraphs.
        for para in re.split(r"\n\s*\n", text):
            body = re.sub(r"\s+", " ", para).strip()
            if body:
                blocks.append(Block("para", body, (f"page {n}",)))
    return blocks


def check_docx_sizes(path: Path) -> None:
    """Refuse a DOCX whose members would inflate too far, before python-docx inflates them."""
    import zipfile

    name = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputError(f"cannot read the DOCX file ({type(e).__name__})", name) from None
    if len(members) > DOCX_MAX_MEMBERS:
        raise InputError(
            f"the DOCX package has {len(members)} parts; the limit is {DOCX_MAX_MEMBERS}", name
        )
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size > DOCX_MAX_MEMBER_BYTES:
            raise InputError(
                f"{m.filename} inflates to {m.file_size / 1_048_576:.0f} MB; the limit is "
                f"{DOCX_MAX_MEMBER_BYTES // 1_048_576} MB (a zip bomb?)",
                name,
            )
        ratio = m.file_size / max(1, m.compress_size)
        if m.file_size > DOCX_RATIO_FLOOR and ratio > DOCX_MAX_RATIO:
            raise InputError(
                f"{m.filename} inflates {ratio:.0f} times; the limit is {DOCX_MAX_RATIO} "
                "(a zip bomb?)",
                name,
            )
    if total > DOCX_MAX_TOTAL_BYTES:
        raise InputError(
            f"the DOCX inflates to {total / 1_048_576:.0f} MB; the limit is "
            f"{DOCX_MAX_TOTAL_BYTES // 1_048_576} MB",
            name,
        )


def parse_docx(path: Path) -> list[Block]:
    import zipfile

    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - python-docx is a locked dependency
        raise InputError("DOCX needs python-docx (pip install python-docx)", str(path)) from None
    check_docx_sizes(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InputError(f"cannot read the DOCX file ({type(e).__name__})", str(path)) from None
    blocks: list[Block] = []
    heading: list[tuple[int, str]] = []
    total = 0
    for para in document.paragraphs:
        text = re.sub(r"\s+", " ", para.text).strip()
        if not text:
            continue
        total += len(text)
        if total > MAX_TEXT_CHARS:
            raise _too_much_text(path)
        style = (para.style.name if para.style is not None else "") or ""
        m = re.match(r"(?:Heading|Rubrik)\s*(\d)", style, re.IGNORECASE)
        level = int(m.group(1)) if m else (1 if style.lower() == "title" else 0)
        if level:
            while heading and heading[-1][0] >= level:
                heading.pop()
            heading.append((level, text))
            hp = tuple(t for _, t in heading)
            blocks.append(Block("heading", text, hp, level=level))
            continue
        kind = "item" if "list" in style.lower() else "para"
        blocks.append(Block(kind, text, tuple(t for _, t in heading)))
    for table in document.tables:
        rows = [[c.text.strip() for c in row.cells] for row in table.rows]
        if not rows:
            continue
        header = rows[0]
        for row in rows[1:]:
            cells = [f"{h}: {v}" if h else v for h, v in zip(header, row, strict=False) if v]
            if cells:
                total += sum(len(c) for c in cells)
                if total > MAX_TEXT_CHARS:
                    raise _too_much_text(path)
                blocks.append(Block("record", "; ".join(cells), tuple(t for _, t in heading)))
    return blocks

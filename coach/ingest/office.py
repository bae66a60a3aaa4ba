"""PDF (pypdf) and DOCX (python-docx): text with page or heading structure."""

from __future__ import annotations

import re
from pathlib import Path

from coach.errors import InputError
from coach.ingest.document import Block


def parse_pdf(path: Path) -> list[Block]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns loudly about odd but fine files
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError(
                "the PDF is encrypted; save an unprotected copy to ingest it", str(path)
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
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


def parse_docx(path: Path) -> list[Block]:
    import zipfile

    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - python-docx is a locked dependency
        raise InputError("DOCX needs python-docx (pip install python-docx)", str(path)) from None
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise InputError(f"cannot read the DOCX file ({type(e).__name__})", str(path)) from None
    blocks: list[Block] = []
    heading: list[tuple[int, str]] = []
    for para in document.paragraphs:
        text = re.sub(r"\s+", " ", para.text).strip()
        if not text:
            continue
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
                blocks.append(Block("record", "; ".join(cells), tuple(t for _, t in heading)))
    return blocks

"""Build hostile DOCX and PDF files: zip and stream bombs, a PDF with very many pages.

``python tests/hostile/office/make_hostile_office.py OUT_DIR [--inflated-mb N]`` writes them;
the tests call :func:`write_all` into a temp dir. The committed ``zip-bomb.docx`` and
``stream-bomb.pdf`` next to this file were made with ``--inflated-mb 60`` (under 300 KB each).
"""

from __future__ import annotations

import argparse
import io
import zipfile
import zlib
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _base_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("A harmless first paragraph.")
    d.save(buf)
    return buf.getvalue()


def docx_bomb(inflated_mb: int = 100) -> bytes:
    """A valid DOCX whose document.xml inflates to ``inflated_mb`` MB of one paragraph."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'
    para = "<w:p><w:r><w:t>" + "A" * 100_000 + "</w:t></w:r></w:p>"
    tail = "</w:body></w:document>"
    n = inflated_mb * 1_000_000 // len(para)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_base_docx())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item.filename))
                continue
            with dst.open(item.filename, "w", force_zip64=True) as fh:
                fh.write(head.encode())
                chunk = (para * 10).encode()
                for _ in range(n // 10):
                    fh.write(chunk)
                fh.write(tail.encode())
    return out.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with the given objects (1-based), a correct xref table and trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pdf_stream_bomb(inflated_mb: int = 100) -> bytes:
    """One page whose content stream inflates to ``inflated_mb`` MB of text operators."""
    line = b"BT /F1 12 Tf 72 720 Td (AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA) Tj ET\n"
    comp = zlib.compressobj(9)
    data = bytearray()
    block = line * 10_000
    for _ in range(inflated_mb * 1_000_000 // len(block)):
        data += comp.compress(block)
    data += comp.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            stream,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def pdf_many_pages(pages: int = 2_500) -> bytes:
    """Very many pages sharing one tiny content stream (a small file, a long extraction)."""
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages)).encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (page text here) Tj ET\nendstream",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
        b" >> >> >>"
    )
    return _pdf(objs + [page] * pages)


def write_all(out: Path, inflated_mb: int = 100) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "zip-bomb.docx": docx_bomb(inflated_mb),
        "stream-bomb.pdf": pdf_stream_bomb(inflated_mb),
        "many-pages.pdf": pdf_many_pages(),
    }
    paths = {}
    for name, data in files.items():
        (out / name).write_bytes(data)
        paths[name] = out / name
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--inflated-mb", type=int, default=100)
    args = parser.parse_args()
    for path in write_all(args.out, args.inflated_mb).values():
        print(f"{path}: {path.stat().st_size} bytes")

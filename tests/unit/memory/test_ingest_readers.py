"""Readers and chunking: structure, line spans, metadata, ids; bad files raise clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import InputError
from coach.ingest import chunk_document, chunk_id, iter_source_files, read_document
from coach.ingest.chunking import MAX_CHARS
from coach.ingest.readers import infer_meta


def make_pdf(path: Path, pages: list[str]) -> None:
    """A minimal valid PDF with one line of Helvetica text per page."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_id = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))


def test_markdown_headings_lines_and_front_matter(docs: Path):
    doc = read_document(docs / "retro-2025-Q3.md")
    assert doc.meta == {"team": "sales"}
    chunks = chunk_document(doc, "retro-2025-Q3.md")
    by_heading = {c.heading_path[-1]: c for c in chunks}
    bad = by_heading["What did not work"]
    assert bad.heading_path == ("Retrospective 2025-Q3", "What did not work")
    assert bad.lines == (11, 12)
    assert "cold calling" in bad.text
    meta = infer_meta(docs / "retro-2025-Q3.md", doc)
    assert meta["cycle"] == "2025-Q3" and meta["kind"] == "retro" and meta["language"] == "en"


def test_swedish_checkin_metadata(docs: Path):
    doc = read_document(docs / "avstamning-v12.md")
    meta = infer_meta(docs / "avstamning-v12.md", doc)
    assert meta["kind"] == "checkin" and meta["language"] == "sv" and meta["cycle"] == "2025-Q4"


def test_swedish_without_swedish_letters_is_swedish(tmp_path: Path):
    # The shared detector (coach.parse.language) knows Swedish words, not just å, ä and ö.
    path = tmp_path / "notes.md"
    path.write_text("# Halverad ledtid\n\nTeamet levererade snabbare\n", encoding="utf-8")
    assert infer_meta(path, read_document(path))["language"] == "sv"


def test_chunk_ids_hash_source_position_and_text(docs: Path):
    doc = read_document(docs / "retro-2025-Q3.md")
    a = chunk_document(doc, "retro.md")
    assert a[0].id == chunk_id("retro.md", 0, a[0].text)
    assert [c.id for c in a] == [c.id for c in chunk_document(doc, "retro.md")]
    assert a[0].id != chunk_document(doc, "other.md")[0].id


def test_long_paragraph_split_with_overlap(tmp_path: Path):
    sentences = [f"Sentence number {i} talks about churn and onboarding." for i in range(80)]
    p = tmp_path / "long.txt"
    p.write_text(" ".join(sentences), encoding="utf-8")
    chunks = chunk_document(read_document(p), "long.txt")
    assert len(chunks) > 2
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    for a, b in zip(chunks, chunks[1:], strict=False):
        last_sentence = a.text.rsplit(". ", 1)[-1]
        assert last_sentence in b.text  # neighbouring windows share a sentence


def test_html_structure(tmp_path: Path):
    p = tmp_path / "notes.html"
    p.write_text(
        "<html><head><style>p{}</style><script>alert(1)</script></head><body>\n"
        "<h1>Q2 review</h1>\n<h2>Support</h2>\n<p>Response time fell by 30 %.</p>\n"
        "<ul><li>Chatbot handles password resets</li></ul>\n"
        "<table><tr><th>KR</th><th>Score</th></tr><tr><td>NPS 40</td><td>0.7</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    doc = read_document(p)
    texts = [b.text for b in doc.blocks if b.kind != "heading"]
    assert "Response time fell by 30 %." in texts
    assert not any("alert" in t for t in texts)
    para = next(b for b in doc.blocks if b.text.startswith("Response"))
    assert para.heading_path == ("Q2 review", "Support") and para.lines == (4, 4)
    assert any("NPS 40" in t and "0.7" in t for t in texts)


def test_pdf_pages(tmp_path: Path):
    p = tmp_path / "board.pdf"
    make_pdf(p, ["Churn fell to 2 percent", "Hiring plan slipped"])
    doc = read_document(p)
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        (("page 1",), "Churn fell to 2 percent"),
        (("page 2",), "Hiring plan slipped"),
    ]


def test_docx_headings_lists_tables(tmp_path: Path):
    import docx

    d = docx.Document()
    d.add_heading("Retro Q1", level=1)
    d.add_heading("Lärdomar", level=2)
    d.add_paragraph("Vi satte för många mål.")
    d.add_paragraph("Färre KR nästa gång", style="List Bullet")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "KR", "Utfall"
    t.cell(1, 0).text, t.cell(1, 1).text = "NPS", "42"
    d.save(tmp_path / "retro.docx")
    doc = read_document(tmp_path / "retro.docx")
    para = next(b for b in doc.blocks if b.text.startswith("Vi satte"))
    assert para.heading_path == ("Retro Q1", "Lärdomar")
    assert any(b.kind == "item" and "Färre" in b.text for b in doc.blocks)
    assert any(b.kind == "record" and b.text == "KR: NPS; Utfall: 42" for b in doc.blocks)


def test_csv_one_row_one_record(tmp_path: Path):
    p = tmp_path / "checkins.csv"
    p.write_text(
        "date;team;note\n2025-10-03;support;Backlog grew after the release\n"
        '2025-10-10;support;"Two new hires,\nstill onboarding"\n',
        encoding="utf-8",
    )
    chunks = chunk_document(read_document(p), "checkins.csv")
    assert len(chunks) == 2
    assert chunks[0].lines == (2, 2) and chunks[1].lines == (3, 4)
    assert chunks[0].meta == {"date": "2025-10-03", "team": "support"}
    assert "Backlog grew" in chunks[0].text


def test_cycle_file_becomes_records(tmp_path: Path):
    p = tmp_path / "2025-Q4.yaml"
    p.write_text(
        """schema_version: 1
cycle: 2025-Q4
team: support
objectives:
  - title: Make support a reason to stay
    key_results:
      - text: Cut first response time from 8 h to 2 h
        baseline: 8
        target: 2
        unit: h
        checkins:
          - date: 2025-11-07
            value: 5
            confidence: 0.6
            note: Chatbot live for password resets; Monday peaks still slow
""",
        encoding="utf-8",
    )
    doc = read_document(p)
    assert doc.meta["cycle"] == "2025-Q4" and doc.meta["team"] == "support"
    texts = [b.text for b in doc.blocks]
    assert any(t.startswith("Objective: Make support a reason to stay") for t in texts)
    kr = next(t for t in texts if t.startswith("Key result"))
    assert "from 8 to 2 h" in kr and "score 0.50" in kr
    checkin = next(b for b in doc.blocks if b.meta.get("kind") == "checkin")
    assert checkin.meta["date"] == "2025-11-07" and "Monday peaks" in checkin.text
    assert checkin.lines == (7, 7)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4\n garbage without objects", "cannot read the PDF"),
        ("fake.pdf", b"hello", "is not a PDF"),
        ("fake.docx", b"not a zip", "is not a DOCX"),
        ("binary.txt", b"abc\x00\x01\x02", "binary"),
        ("latin1.md", "Möte om kundbortfall".encode("latin-1"), "not valid UTF-8"),
        ("empty.md", b"   \n\n", "is empty"),
        ("headings-only.md", b"# Title\n## Sub\n", "is empty"),
        ("notokr.yaml", b"just: a mapping\n", "not a readable OKR cycle file"),
        ("image.png", b"\x89PNG", "unsupported file type"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, name: str, data: bytes, reason: str):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_document(p)
    assert reason in str(e.value) and name in str(e.value)


def test_truncated_and_undecodable_pdfs(tmp_path: Path):
    good = tmp_path / "good.pdf"
    make_pdf(good, ["Lessons from Q3"])
    data = good.read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated.pdf: cannot read the PDF"):
        read_document(truncated)
    # A content stream that claims compression it does not have yields no text: reported as
    # empty, never as invented text.
    undecodable = tmp_path / "undecodable.pdf"
    undecodable.write_bytes(data.replace(b"<< /Length", b"<< /Filter /FlateDecode /Length", 1))
    with pytest.raises(InputError, match="undecodable.pdf: is empty"):
        read_document(undecodable)


def test_walk_skips_hidden_and_unsupported(tmp_path: Path):
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("x", encoding="utf-8")
    (tmp_path / "pic.png").write_bytes(b"x")
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "b.md").write_text("x", encoding="utf-8")
    found = [p.name for p, _ in iter_source_files([tmp_path], exclude=[tmp_path / "store"])]
    assert found == ["a.md"]


def test_swedish_cycle_records_read_as_swedish(tmp_path):
    p = tmp_path / "2026-Q2.yaml"
    p.write_text(
        "cycle: 2026-Q2\n"
        "objectives:\n"
        "  - title: Stugägarna ska kunna lösa vardagsproblem själva\n"
        "    key_results:\n"
        "      - text: Sänk första svarstid i chatten från 1,5 timmar till 1 timme\n"
        "        checkins:\n"
        "          - date: 2026-05-08\n"
        "            value: 1.2\n"
        "            confidence: 0.6\n"
        "            note: Färre i tjänst under semestern\n",
        encoding="utf-8",
    )
    texts = [b.text for b in read_document(p).blocks]
    assert any(t.startswith("Mål: Stugägarna") for t in texts)
    assert any(t.startswith("Nyckelresultat: Sänk") for t in texts)
    checkin = next(t for t in texts if t.startswith("Avstämning 2026-05-08"))
    assert "värde 1.2, säkerhet 0.6" in checkin and "value" not in checkin

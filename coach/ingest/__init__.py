"""Document readers and chunking for memory: turn files into citable, structured chunks.

``read_document(path)`` picks a reader by extension and returns a :class:`Document` of
:class:`Block` s (headings, paragraphs, list items, records) with line spans;
``chunk_document(doc, source)`` groups them into :class:`Chunk` s with a heading path and a
content-hash id. Readers raise :class:`coach.errors.InputError` naming the file, so one bad file
is reported and skipped while the rest goes in.
"""

from __future__ import annotations

from coach.ingest.chunking import Chunk, chunk_document, chunk_id
from coach.ingest.document import Block, Document
from coach.ingest.readers import SUPPORTED_EXTENSIONS, iter_source_files, read_document

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Block",
    "Chunk",
    "Document",
    "chunk_document",
    "chunk_id",
    "iter_source_files",
    "read_document",
]

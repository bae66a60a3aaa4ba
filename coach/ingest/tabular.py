"""CSV: one row a record ("column: value; …"), with the row's line number."""

from __future__ import annotations

import csv
import io

from coach.errors import InputError
from coach.ingest.document import Block

# Columns that carry metadata rather than content, English and Swedish.
META_COLUMNS = {
    "cycle": "cycle",
    "cykel": "cycle",
    "period": "cycle",
    "quarter": "cycle",
    "kvartal": "cycle",
    "team": "team",
    "kind": "kind",
    "typ": "kind",
    "date": "date",
    "datum": "date",
}


def parse_csv(text: str, name: str) -> list[Block]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return []
    except csv.Error as e:
        raise InputError(f"cannot read the CSV: {e}", name, 1) from None
    blocks: list[Block] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            end = reader.line_num
            meta: dict[str, str] = {}
            cells: list[str] = []
            for col, value in zip(header, row, strict=False):
                value = value.strip()
                if not value:
                    continue
                key = META_COLUMNS.get(col.lower())
                if key:
                    meta[key] = value
                cells.append(f"{col}: {value}" if col else value)
            if cells:
                blocks.append(Block("record", "; ".join(cells), (), (start, end), meta=meta))
            start = end + 1
    except csv.Error as e:
        raise InputError(f"cannot read the CSV: {e}", name, reader.line_num) from None
    return blocks

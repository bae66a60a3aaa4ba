"""Turn raw bytes into text, or explain why not: size limit, binary data, wrong encoding."""

from __future__ import annotations

from pathlib import Path

from coach.errors import InputError
from coach.files.gate import MAX_FILE_BYTES, read_input_bytes, size_text

__all__ = ["MAX_FILE_BYTES", "read_text"]


def read_text(path: str | Path, data: bytes | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a text file as UTF-8 (BOM and CRLF accepted). Raises InputError naming the file.

    Without ``data`` the file is read through the input gate (regular files only, size cap).
    """
    name = str(path)
    if data is None:
        data = read_input_bytes(path, max_bytes)
    elif len(data) > max_bytes:
        raise InputError(
            f"input is {size_text(len(data))}; the limit is {size_text(max_bytes)}", name
        )
    if b"\x00" in data[:8192]:
        raise InputError("looks like a binary file, not text", name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(
            "is not valid UTF-8 text (save it as UTF-8; Excel: 'CSV UTF-8')", name, line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")

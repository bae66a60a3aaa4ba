"""Turn raw bytes into text, or explain why not: size limit, binary data, wrong encoding."""

from __future__ import annotations

from pathlib import Path

from coach.errors import InputError

MAX_FILE_BYTES = 5 * 1024 * 1024  # an OKR file is a few KB; 5 MB means something is wrong


def read_text(path: str | Path, data: bytes | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a text file as UTF-8 (BOM and CRLF accepted). Raises InputError naming the file."""
    name = str(path)
    if data is None:
        p = Path(path)
        try:
            size = p.stat().st_size
        except FileNotFoundError:
            raise InputError("file not found", name) from None
        except OSError as e:
            raise InputError(f"cannot read the file ({e.strerror})", name) from None
        if p.is_dir():
            raise InputError("is a folder, not a file", name)
        if size > max_bytes:
            raise InputError(
                f"file is {size / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB",
                name,
            )
        try:
            data = p.read_bytes()
        except OSError as e:
            raise InputError(f"cannot read the file ({e.strerror})", name) from None
    elif len(data) > max_bytes:
        raise InputError(
            f"input is {len(data) / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB",
            name,
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

"""The input gate: every file or stream a command reads passes here before any parser sees it.

Hostile input must end in one readable line (InputError, exit 2), never a hang, a traceback or
a crash. So, before reading: regular files only (a FIFO would block forever, a device such as
/dev/zero never ends, even behind a symlink) and a size cap checked on the open descriptor;
stdin is read with a bound. Before parsing: a nesting-depth cap for JSON and YAML (libyaml's
composer recurses in C and segfaults on deep input, so the depth is measured on the event
stream or with a flat scan, never by catching RecursionError) and a cap on the digits of a
number literal (Python refuses to convert ints above 4,300 digits).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from itertools import accumulate
from pathlib import Path

from coach.errors import InputError

MAX_FILE_BYTES = 5 * 1024 * 1024  # an OKR file is a few KB; 5 MB means something is wrong
MAX_DEPTH = 64  # a cycle file nests ~8 levels; data files (catalog, lexicons) fewer than 10
MAX_NUMBER_DIGITS = 30  # more digits than any count, amount or percentage in an OKR


def size_text(n: int) -> str:
    """5 MB, 6.2 MB, 256 KB, 1,200 bytes: what a person reads in a limit message."""
    if n >= 1_048_576:
        return f"{n // 1_048_576} MB" if n % 1_048_576 == 0 else f"{n / 1_048_576:.1f} MB"
    if n >= 10_240:
        return f"{n / 1024:.0f} KB"
    return f"{n:,} bytes"


def _kind(mode: int) -> str | None:
    """Why a file of this type is refused (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file; save the content to a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _os_error(e: OSError, name: str) -> InputError:
    if isinstance(e, FileNotFoundError):
        return InputError("file not found", name)
    return InputError(f"cannot read the file ({e.strerror or e})", name)


def stat_regular(path: str | Path, name: str | None = None) -> os.stat_result:
    """stat() following symlinks (a link to /dev/zero is a device); refuse anything not a file."""
    name = name or str(path)
    try:
        st = os.stat(path)
    except OSError as e:
        raise _os_error(e, name) from None
    why = _kind(st.st_mode)
    if why:
        raise InputError(why, name)
    return st


def _open_regular(path: str | Path, name: str) -> tuple[int, os.stat_result]:
    """Open without blocking (O_NONBLOCK: a FIFO swapped in after the stat cannot hang the
    open) and check the type again on the descriptor itself."""
    stat_regular(path, name)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise _os_error(e, name) from None
    try:
        st = os.fstat(fd)
    except OSError as e:
        os.close(fd)
        raise _os_error(e, name) from None
    why = _kind(st.st_mode)
    if why:
        os.close(fd)
        raise InputError(why, name)
    return fd, st


def _too_big(size: int, max_bytes: int, name: str, what: str = "file") -> InputError:
    return InputError(f"{what} is {size_text(size)}; the limit is {size_text(max_bytes)}", name)


def _read_fd(fd: int, limit: int) -> bytes:
    """Read at most ``limit`` bytes (the caller passes cap + 1 to notice a file that grew)."""
    chunks: list[bytes] = []
    got = 0
    while got < limit:
        chunk = os.read(fd, min(1 << 20, limit - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_input_bytes(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file (or stdin for ``-``), refusing what is not a file or too big.

    The size is checked before reading; the read itself is bounded too (cap + 1 bytes), so a
    file that grows or a stdin fed from /dev/zero is refused instead of filling memory.
    """
    if str(path) == "-":
        return read_stdin_bytes(max_bytes)
    name = str(path)
    fd, st = _open_regular(path, name)
    try:
        if st.st_size > max_bytes:
            raise _too_big(st.st_size, max_bytes, name)
        data = _read_fd(fd, max_bytes + 1)
    except OSError as e:
        raise _os_error(e, name) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(
            f"file grew past the limit of {size_text(max_bytes)} while being read", name
        )
    return data


def read_stdin_bytes(max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read stdin up to the cap: cap + 1 bytes read means the input is refused."""
    name = "<stdin>"
    try:
        data = sys.stdin.buffer.read(max_bytes + 1)
    except OSError as e:
        raise InputError(f"cannot read standard input ({e.strerror or e})", name) from None
    if data is None:  # a non-blocking stdin with nothing to read yet
        data = b""
    if len(data) > max_bytes:
        raise InputError(f"input is larger than the limit of {size_text(max_bytes)}", name)
    return data


def read_head(path: str | Path, n: int) -> bytes:
    """The first ``n`` bytes of a regular file (to sniff a type or a status line)."""
    name = str(path)
    fd, _ = _open_regular(path, name)
    try:
        return _read_fd(fd, n)
    except OSError as e:
        raise _os_error(e, name) from None
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------ structure


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _too_deep(name: str, line: int | None, limit: int) -> InputError:
    return InputError(
        f"nested more than {limit} levels deep; an OKR file needs fewer than 10", name, line
    )


_ESCAPE = re.compile(rb"\\.", re.S)
_KEEP_QUOTES_AND_BRACKETS = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_QUOTED = re.compile(rb'"[^"]*"')
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


def check_json_depth(text: str, name: str, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` before json.loads recurses into it.

    A flat scan at C speed (a fifth of json.loads' time): drop escapes, keep only quotes and
    brackets, cut out the strings, sum the brackets. The slow walk that finds the line runs
    only for a file that is refused.
    """
    if text.count("[") + text.count("{") <= limit:
        return
    data = _ESCAPE.sub(b"", text.encode("utf-8", "surrogatepass"))
    # Dropping adjacent quote pairs keeps every bracket's parity of quotes before it (inside a
    # string or not) and leaves quotes only around the few strings that hold brackets.
    kept = data.translate(None, _KEEP_QUOTES_AND_BRACKETS).replace(b'""', b"")
    brackets = _QUOTED.sub(b"", kept)
    steps = (
        (_STEP.get(b, 0) for b in brackets)
        if b'"' in brackets
        else map(_STEP.__getitem__, brackets)
    )
    if len(brackets) <= limit or max(accumulate(steps)) <= limit:
        return
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > limit:
                raise _too_deep(name, _line(text, m.start()), limit)
        elif c in "]}":
            depth -= 1
    raise _too_deep(name, None, limit)  # an unterminated string: refused without a line


def check_yaml_depth(text: str, name: str, loader: type, limit: int = MAX_DEPTH) -> None:
    """Refuse YAML whose node graph is deeper than ``limit``, from the event stream alone.

    Composing recurses once per level (in C with libyaml, where 100,000 levels segfault), so
    this runs first. Aliases count with the height of what they point at: a chain of anchors
    each nesting the previous one is as deep as the graph it builds.
    """
    if _yaml_depth_bound(text) <= limit:
        return
    import yaml

    starts = {yaml.MappingStartEvent, yaml.SequenceStartEvent}
    ends = {yaml.MappingEndEvent, yaml.SequenceEndEvent}
    alias = yaml.AliasEvent
    heights: list[int] = []  # per open collection: the tallest child so far
    anchors: list[str | None] = []
    anchored: dict[str, int] = {}
    try:
        for ev in yaml.parse(text, Loader=loader):
            kind = type(ev)
            if kind in starts:
                heights.append(0)
                anchors.append(ev.anchor)
                if len(heights) > limit:
                    raise _too_deep(name, ev.start_mark.line + 1, limit)
            elif kind in ends:
                h = heights.pop() + 1
                anchor = anchors.pop()
                if anchor is not None:
                    anchored[anchor] = h
                if heights and h > heights[-1]:
                    heights[-1] = h
            elif kind is alias:
                h = anchored.get(ev.anchor, 0)
                if len(heights) + h > limit:
                    raise _too_deep(name, ev.start_mark.line + 1, limit)
                if heights and h > heights[-1]:
                    heights[-1] = h
    except yaml.YAMLError:
        return  # not YAML: the parser proper reports it with its line


_LINE_PREFIX = re.compile(r"^[ \t?:-]*", re.M)


def _yaml_depth_bound(text: str) -> float:
    """A cheap upper bound on YAML nesting, so ordinary files skip the event scan.

    Along any chain of nested collections, block collections come first and start at columns
    that only grow (a mapping and its indentless sequence may share one), so there are at most
    2 x (widest line prefix of spaces, dashes, ``?`` and ``:``) + 2 of them; every flow
    collection opens with a ``[`` or ``{``. Aliases can stack depth without either, so any
    anchor or alias character means no bound.
    """
    if "&" in text or "*" in text:
        return float("inf")
    widest = max(map(len, _LINE_PREFIX.findall(text)), default=0)
    return 2 * widest + 2 + text.count("[") + text.count("{")


def check_number_literal(literal: str, name: str, line: int | None = None) -> None:
    """Refuse a number literal with more digits than any OKR needs (int() fails past 4,300)."""
    digits = sum(c.isalnum() for c in literal) if len(literal) > MAX_NUMBER_DIGITS else 0
    if digits > MAX_NUMBER_DIGITS:
        raise InputError(
            f"a number with {digits:,} digits ({literal[:12]}…); "
            f"numbers may have at most {MAX_NUMBER_DIGITS} digits",
            name,
            line,
        )


def clip(value: object, n: int = 60) -> str:
    """A short repr of user text for an error message (one line, never megabytes)."""
    r = repr(value)
    return r if len(r) <= n else r[: n - 1] + "…"

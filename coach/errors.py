"""Errors that carry a message a person understands (the CLI prints them without a traceback)."""

from __future__ import annotations


class OkrCoachError(Exception):
    """Base class: ``str(err)`` is a complete sentence for the user."""

    exit_code = 1


class InputError(OkrCoachError):
    """Unreadable or invalid input (exit code 2). Names the file and, when known, the line."""

    exit_code = 2

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.detail = message
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")


class ConfigError(OkrCoachError):
    exit_code = 2


class LockTimeout(OkrCoachError):
    """Another process holds the workspace lock for longer than we wait."""

    exit_code = 1


class StaleFileError(OkrCoachError):
    """The file changed on disk since it was read; we refuse to overwrite it blindly."""

    exit_code = 1


class WriteError(OkrCoachError, OSError):
    """A file could not be written (disk full, read-only, immutable, no permission).

    Exit code 2 like unreadable input; the message names the file and says nothing was changed.
    Also an ``OSError``, so code that tolerates failed writes (caches) keeps doing so.
    """

    exit_code = 2

    def __init__(self, message: str, path: str, errno: int | None = None):
        super().__init__(errno, message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return self.message

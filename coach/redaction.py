"""Remove credentials from text before it is shown, cached, logged or stored.

A model (or a proxy in front of it) can echo the request back, Authorization header and all;
an error message can quote a URL with a key in it. Whatever text leaves a model call goes
through :func:`redact_secrets` first: the values of the key variables in the environment
(the ones litellm reads: OPENAI_API_KEY, ANTHROPIC_API_KEY, …) and anything shaped like a key.
"""

from __future__ import annotations

import os
import re

REDACTED = "***"
_SECRET_PATTERNS = [
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}"),  # provider key shapes (sk-…, sk-ant-…)
    re.compile(r"(?i)\bapi[_-]?key\b[\"']?\s*[:=]\s*[\"']?[^\s\"',}]+"),
    # A token has a digit: not "the bearer of bad news".
    re.compile(r"(?i)\bbearer\s+(?=[\w.~+/\-]*\d)[\w.~+/\-]{8,}=*"),
]
# A header line keeps its name, so a message still says what was hidden.
_HEADER = re.compile(
    r"(?i)\b((?:authorization|x-api-key|api-key):)\s*(?:(?:bearer|basic|token)\s+)?"
    r"(?!\*\*\*)\S+"
)
_SECRET_NAMES = ("KEY", "TOKEN", "SECRET", "PASSWORD")


def _secret_values() -> list[str]:
    """Values of the environment's key-like variables; short or numeric ones (a token limit,
    a flag) are not secrets and would only blank out ordinary numbers."""
    values = {
        v
        for k, v in os.environ.items()
        if len(v) >= 8 and not v.isdigit() and any(n in k.upper() for n in _SECRET_NAMES)
    }
    return sorted(values, key=len, reverse=True)  # a longer value first: no half-redacted key


def redact_secrets(text: str) -> str:
    """``text`` with every credential replaced by ``***``."""
    for value in _secret_values():
        text = text.replace(value, REDACTED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return _HEADER.sub(rf"\1 {REDACTED}", text)

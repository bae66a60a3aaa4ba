"""The steps of the guided flow, in order (a module of its own so the bar and the app can name
them without loading the session and the domain model)."""

from __future__ import annotations

STEPS = ("strategy", "objectives", "krs", "review", "save")

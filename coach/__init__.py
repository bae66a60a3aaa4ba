"""okr-coach: domain and engine (pure, fast to import; no UI, no heavy libraries at import)."""

__version__ = "0.1.0"

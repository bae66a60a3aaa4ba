"""The rule checks: a registry of coded rules (``registry.RULES``), one module per rule family,
lexicons per language under ``lexicons/``, and rule metadata and docs in ``rules.yaml``."""

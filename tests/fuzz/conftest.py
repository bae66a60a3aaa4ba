"""Property-based fuzzing profiles.

`make test` runs these properties with the quick "ci" profile; `make fuzz` runs the same tests
with the long "fuzz" profile (set HYPOTHESIS_PROFILE=fuzz). No example database is written
into the checkout.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # wall-clock limits are asserted per test where a bound matters
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("ci", max_examples=60, **_COMMON)
settings.register_profile("fuzz", max_examples=5000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

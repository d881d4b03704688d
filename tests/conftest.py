"""Hypothesis profiles for tests/test_fuzz.py: `bounded` in `make test`, `long` in `make fuzz`.

The profile comes from `VANPLAN_FUZZ` or hypothesis' own `--hypothesis-profile` option; profiles are
registered here because that option is read before test modules are imported.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # one example plans a week in a subprocess: seconds, not milliseconds
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "print_blob": True,
}
# Deterministic and small, so `make test` gives the same verdict on every machine and run.
settings.register_profile("bounded", derandomize=True, database=None, max_examples=150, **_COMMON)
# Fresh random examples on every run; failures are kept in .hypothesis/ and replayed first next time.
settings.register_profile("long", max_examples=6000, **_COMMON)
settings.load_profile(os.environ.get("VANPLAN_FUZZ", "bounded"))

"""Hypothesis profiles: ``ci`` runs the same examples every time, ``fuzz`` explores.

``ci`` is the default (``make test``): derandomized, so a run never finds something new by
chance; a failure it finds once it finds every time. ``fuzz`` (``make fuzz``, or
``HYPOTHESIS_PROFILE=fuzz``) draws random seeds, runs :data:`FUZZ_FACTOR` times the examples
and keeps what it finds in ``.hypothesis/``, where the next fuzz run retries it first.
An example worth keeping for good goes into the test as ``@example(...)``.

Derandomized examples also depend on which guibuilder modules are loaded when a test runs
(Hypothesis mixes in constants it reads from the project's own modules), so a file run
alone may try other examples than the whole suite does; the same command tries the same
examples every time.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

FUZZ_FACTOR = 20
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

_COMMON = {
    "deadline": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
# No shrinking in ci: a failure shows the example as found, and the run takes the same
# time whether it fails or not; `make fuzz` shrinks.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    **_COMMON,
)
settings.register_profile("fuzz", derandomize=False, **_COMMON)


def examples(count: int) -> int:
    """How many examples a test with ``count`` in ``ci`` runs in the current profile."""
    return count * FUZZ_FACTOR if PROFILE == "fuzz" else count

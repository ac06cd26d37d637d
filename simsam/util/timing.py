"""Where a run's time goes: seconds per phase (simulate, write, summarise), for the benchmarks.

Set ``SIMSAM_TIMINGS`` to a file path and ``simsam run`` writes there, as JSON,
the wall seconds spent in each phase (``{"simulate": s, "write": s, "summarise": s}``);
unset, the stopwatch costs two ``perf_counter`` calls per phase and writes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import defaultdict
from pathlib import Path

__all__ = ["TIMINGS_VARIABLE", "Stopwatch"]

#: The environment variable naming the JSON file a run's phase times go to.
TIMINGS_VARIABLE = "SIMSAM_TIMINGS"


class Stopwatch:
    """Wall seconds per named phase, summed over every entry into it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def phase(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - t0

    def save(self) -> None:
        """Write the phases to ``$SIMSAM_TIMINGS`` when it is set (a benchmark's request); else nothing."""
        target = os.environ.get(TIMINGS_VARIABLE)
        if target:
            Path(target).write_text(json.dumps(dict(self.seconds), indent=1) + "\n")

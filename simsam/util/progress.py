"""A progress bar for long runs and analyses (tqdm on stderr).

The bar appears only when it helps: after about a second of work, on a
terminal, and not with ``--quiet``; piped or redirected output (CI logs, tests)
stays clean. It is a callable, so it plugs into the ``progress=`` hook of
:func:`simsam.simulate` and :func:`simsam.workflows.run_folder.run_to_folder`, which call it
with the number of draws each finished chunk added:

>>> with progress_bar(10_000, quiet=True) as bar:       # quiet: nothing is shown
...     bar(4_000); bar(6_000)
>>> bar.done
10000
"""

from __future__ import annotations

import math
import shutil
import sys
from contextlib import contextmanager

__all__ = ["Progress", "progress_bar", "shows_progress"]

#: Seconds of work before the bar is drawn.
DELAY_SECONDS = 1.0


def shows_progress(quiet: bool = False, stream=None) -> bool:
    """Whether a bar would be drawn: not quiet, and ``stream`` (default stderr) is a terminal."""
    stream = sys.stderr if stream is None else stream
    if quiet:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a file
        return False


class Progress:
    """A callable counting work done: ``bar(n)`` adds ``n`` units (draws, model runs).

    ``chunk_draws`` suggests a chunk size giving the bar about 50 steps when it is
    shown (``None`` when hidden, leaving the caller's default alone).
    """

    def __init__(self, total: int, bar=None, chunk_draws: int | None = None):
        self.total = int(total)
        self.done = 0
        self._bar = bar
        self.chunk_draws = chunk_draws

    def __call__(self, n: int) -> None:
        n = int(n)
        self.done += n
        if self._bar is not None:
            self._bar.update(n)

    @property
    def shown(self) -> bool:
        return self._bar is not None


@contextmanager
def progress_bar(total: int, *, desc: str = "draws", unit: str = "draw", quiet: bool = False, stream=None, delay: float = DELAY_SECONDS,
                 max_chunk: int = 20_000, min_chunk: int = 2_000):
    """A :class:`Progress` for ``total`` units, drawn by tqdm on ``stream`` (stderr) when :func:`shows_progress`.

    Parameters
    ----------
    total : int
        Units of work (draws).
    quiet : bool
        ``--quiet``: never draw.
    delay : float
        Seconds before the bar appears, so that short runs print nothing extra.
    max_chunk, min_chunk : int
        Bounds of the suggested ``chunk_draws`` (about ``total / 50``).
    """
    stream = sys.stderr if stream is None else stream
    if not shows_progress(quiet, stream) or total <= 0:
        yield Progress(total)
        return
    from tqdm import tqdm  # only on a terminal

    chunk = min(max_chunk, max(min_chunk, math.ceil(total / 50)))
    # shutil falls back to 80 x 24 where a terminal reports a size of 0 x 0; tqdm would then draw nothing.
    size = shutil.get_terminal_size((80, 24))
    with tqdm(total=total, desc=desc, unit=unit, unit_scale=True, file=stream, delay=delay, leave=False,
              ncols=min(100, size.columns), nrows=max(size.lines, 2)) as bar:
        yield Progress(total, bar, chunk)

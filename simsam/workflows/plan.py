"""The plan of a simulating command, made before any work: draws, chunks, workers, memory, disk and time.

Every command that simulates (``run``, ``sensitivity``, ``compare``,
``breakeven``, ``decision`` from a config, ``portfolio``, ``experiment``)
builds a :class:`Plan` from its options and the config's shape, and
:func:`check` stops it (exit 2, one line) when the output would not fit the
free disk at ``--out`` or the work would not fit the memory available — with
the estimate, what is available and the largest size that fits. ``--dry-run``
prints the plan (:func:`plan_text`), with a time estimate from a quick
calibration run (:func:`calibrate`), and exits 0.

How the estimates are made
--------------------------
Memory is counted from the arrays each command holds, per draw (or per run of
the model), from the config's shape: actors ``A`` (with society), years ``Y``,
horizon months ``M``, uncertain inputs ``P``, outcome states ``S``,
participant groups ``G`` and the accounting's flow items ``I``:

* one model run in a chunk (:func:`chunk_row`): the flow table
  ``(1 + S)·(A − 1)·I``, the relative flows ``2·(1 + S)·A``, transitions
  ``S²``, shares ``G·S``, uniforms and values ``2P`` and the kernel's results
  ``2A + 2AY + 1`` (``+ A·M`` with monthly results), 8 bytes each;
* a draw kept in memory (:func:`output_row`): results ``2A + 2AY + 1`` and
  inputs ``P``;
* a draw in ``results.nc`` (:func:`file_row`): the compact layout's stored variables
  (:mod:`simsam.results.layout`) before compression, ``2AY + 1 + P`` and the project cost
  and the draw index, 8 bytes each, and the payback months, 2 bytes each at most (deflate
  makes a chunk smaller or stores it as it is).

Each command adds what it holds beyond that (documented with its function
below), and :data:`BASE_BYTES` for what is not an array of draws. The estimates are upper bounds of what NumPy allocates: the tests
(``tests/test_plan.py``) measure every command's peak with ``tracemalloc`` and
require estimate ≥ measured and estimate ≤ 3 × measured. What Python and the
libraries already occupy (a few hundred MB) is not in the estimate: it is
already used, and so not in the memory reported as available.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..analysis.convergence import DEFAULT_MAX_DRAWS
from ..analysis.sensitivity.model import design_columns
from ..analysis.summary import ACTOR_COLUMNS, PARALLEL_MAX_BYTES
from ..config.model import Config
from ..engine.accounting import ITEMS
from ..engine.evaluate import DEFAULT_CHUNK_DRAWS, default_threads, evaluate
from ..engine.run import count_dtype, run_chunk_draws
from ..engine.sampling import ParameterSpace
from ..errors import ResourceError
from ..util.folders import leftovers_of
from ..util.resources import available_memory, existing_ancestor, free_disk, grouped, human_bytes

__all__ = [
    "Shape",
    "Work",
    "Plan",
    "chunk_row",
    "output_row",
    "file_row",
    "dataset_row",
    "plan_run",
    "plan_sensitivity",
    "plan_split",
    "plan_compare",
    "plan_breakeven",
    "plan_decision",
    "plan_portfolio",
    "plan_experiment",
    "check",
    "calibrate",
    "plan_text",
    "out_of_memory_text",
]

#: What a command holds beyond the arrays counted here (the config, tables and frames of its results), bytes.
BASE_BYTES = 8_000_000
#: Resident size of one Dask worker process with simsam imported (measured: 150-190 MB), bytes.
WORKER_BYTES = 200_000_000
#: Bytes of an output that do not grow with the draws: coordinates, attributes (the config's text), the summaries
#: (150-160 kB for the shipped configs' run folders), with room to spare.
FILE_FIXED = 500_000
#: Variables a ResultsFile reads whole, once, up to this size each (:attr:`simsam.results.ResultsFile.WHOLE_BYTES`).
WHOLE_BYTES = 1 << 26
#: Sobol bootstrap resamples (:data:`simsam.analysis.sensitivity.sobol.RESAMPLES`).
RESAMPLES = 100
#: Break-even: model runs per draw (both ends, the run itself, ~17 bisection steps at rtol 1e-5, the value found).
BREAKEVEN_RUNS = 21


@dataclass(frozen=True)
class Shape:
    """The sizes of a config that memory and disk grow with."""

    actors: int  # with society
    years: int
    months: int
    parameters: int
    states: int
    groups: int

    @classmethod
    def of(cls, config: Config) -> Shape:
        horizon = config.simulation.horizon_months
        return cls(
            actors=len(config.actors) + 1,
            years=horizon // 12,
            months=horizon,
            parameters=ParameterSpace.from_config(config).size,
            states=len(config.outcomes.states),
            groups=max(1, len(config.groups)),
        )


def chunk_row(s: Shape, monthly: bool = False) -> int:
    """Bytes one model run occupies while its chunk is evaluated (see the module docstring)."""
    a, y, p, k = s.actors, s.years, s.parameters, s.states
    floats = (1 + k) * (a - 1) * len(ITEMS) + 2 * (1 + k) * a + k * k + s.groups * k + 2 * p + 2 * a + 2 * a * y + 1
    if monthly:
        floats += a * s.months
    return 8 * floats + 16  # and the draw index and the cohort's stream key


def output_row(s: Shape) -> int:
    """Bytes of one draw's results and inputs kept in memory."""
    return 8 * (2 * s.actors + 2 * s.actors * s.years + 1 + s.parameters)


def file_row(s: Shape) -> int:
    """Bytes of one draw in ``results.nc`` at most (the compact layout's stored variables, uncompressed)."""
    return 2 * s.actors + 8 * (2 * s.actors * s.years + 1 + s.parameters + 1 + 1)


def states_row(s: Shape, count_bytes: int) -> int:
    """Bytes of one draw in a ``results.nc`` of ``--store states`` at most: the occupancy (``count_bytes`` a count,
    uncompressed), the inputs and the draw index."""
    return count_bytes * s.groups * s.states * s.months + 8 * (s.parameters + 1)


def dataset_row(s: Shape) -> int:
    """Bytes of one draw of a result Dataset written as it is (:func:`simsam.results.netcdf.write_netcdf`:
    seven float64 variables and the draw index)."""
    return 8 * (3 * s.actors + 2 * s.actors * s.years + 1 + s.parameters + 1)


def summary_bytes(s: Shape, draws: int) -> int:
    """Memory of the summary of a run read from ``results.nc``: the variables read whole, one actor's columns and
    their copies per thread (the actors are summarised on every core, a year at a time), and the totals' sums."""
    a, y, p = s.actors, s.years, s.parameters
    whole = sum(min(8 * draws * k, WHOLE_BYTES) for k in (a, a, a, a * y, a * y, 1, p))
    threads = max(1, os.cpu_count() or 1) if 8 * draws * ACTOR_COLUMNS <= PARALLEL_MAX_BYTES else 1  # summary_of's threads
    return whole + 8 * draws * (threads * ACTOR_COLUMNS + 4)  # and the totals: two sums, a year's sum, a column read


@dataclass(frozen=True)
class Work:
    """Model runs of one config, for the time estimate (:func:`calibrate`)."""

    config: Config
    rows: int
    engine: str | None = None  # None: the config's own cohort path


@dataclass(frozen=True)
class Plan:
    """What a command will do and what it needs, before it does anything.

    Attributes
    ----------
    command : str
        As the user typed it: ``run``, ``sensitivity sobol``.
    option : str
        The option that sets the size (``--draws``, ``--n``, ``--max-draws``).
    size : int
        Its value (draws, base sample, trajectories).
    rows : int
        Model runs in all.
    chunk : int
        Model runs per call of the kernel.
    workers : str
        Where they run, in words.
    memory : int
        Peak memory, bytes, as a function of the size: :attr:`memory_of`.
    chunk_memory : int
        Memory of one chunk's working arrays, bytes (what ``--chunk-draws`` bounds).
    disk : int
        Bytes written under ``out``.
    out : Path or None
    work : tuple of Work
    memory_of, disk_of : callable
        Size → bytes, for "what would fit".
    valid : callable
        Size → the largest valid size not above it (Sobol: a power of 2).
    hint_memory, hint_disk : str
        What else the user can do, for the messages.
    parallel : int
        Processes the model runs are spread over (time estimate).
    threads : int or None
        Kernel threads per process.
    notes : tuple of str
    """

    command: str
    option: str
    size: int
    rows: int
    chunk: int
    workers: str
    memory: int
    chunk_memory: int
    disk: int
    out: Path | None
    work: tuple[Work, ...]
    memory_of: Callable[[int], int]
    disk_of: Callable[[int], int]
    valid: Callable[[int], int] = int
    hint_memory: str = ""
    hint_disk: str = ", or choose an --out on a disk with more room"
    parallel: int = 1
    threads: int | None = None
    notes: tuple[str, ...] = ()
    chunk_option: str = "--chunk-draws"
    chunk_of: Callable[[int], int] | None = None

    @property
    def chunks(self) -> int:
        return max(1, math.ceil(self.rows / max(1, self.chunk)))


def _workers(scheduler: str | None, threads: int | None) -> tuple[str, int, int]:
    """In words, processes the runs are spread over, and local worker processes (for their memory)."""
    if scheduler is None:
        t = threads or default_threads()
        return f"in this process on {t} thread{'s' if t != 1 else ''}", 1, 0
    if scheduler.startswith("local:") and scheduler.removeprefix("local:").isdigit():
        n = int(scheduler.removeprefix("local:"))
        return f"on {n} local Dask worker process{'es' if n != 1 else ''} (1 thread each)", n, n
    return f"on the Dask cluster at {scheduler} (its workers' memory is not checked here)", 1, 0


# --- the commands ------------------------------------------------------------------------------------------------


def _draws_plan(command: str, draws: int, rows: int, chunk: int, memory, disk, chunk_memory: int, work: tuple[Work, ...],
                out: Path | None, threads: int | None, **more) -> Plan:  # fmt: skip
    """The plan of a command sized by ``--draws`` that runs its chunks in this process."""
    return Plan(
        command=command,
        option="--draws",
        size=draws,
        rows=rows,
        chunk=chunk,
        workers=_workers(None, threads)[0],
        memory=memory(draws),
        chunk_memory=chunk_memory,
        disk=disk(draws),
        out=out,
        work=work,
        memory_of=memory,
        disk_of=disk,
        threads=threads,
        **more,
    )


def plan_run(
    config: Config,
    draws: int,
    *,
    chunk_draws: int | None = None,
    out: Path | None = None,
    scheduler: str | None = None,
    threads: int | None = None,
    until_se: bool = False,
    batch: int | None = None,
    store: str = "amounts",
) -> Plan:
    """``simsam run``: draws stream to ``results.nc`` a chunk at a time.

    Memory is the larger of the chunks in flight and the summary read back from
    the file (:func:`summary_bytes`: one actor's column of every year and the
    variables small enough to be read whole). With a local Dask cluster, each
    worker evaluates a chunk and the client holds up to two finished chunks per
    worker. ``until_se``: the batches are held in memory and concatenated
    (twice the results), then summarised; ``draws`` is then ``--max-draws``,
    and chunks are at most a ``batch``. ``store="states"`` (``--store states``): each chunk also
    carries its occupancy (:func:`states_row`, float64 from the kernel, then its integer copy), and the
    disk holds the states file and, until the summary is written, the file of amounts it is read from.
    """
    s = Shape.of(config)
    count_bytes = count_dtype(config.project.participants).itemsize
    # bytes a draw: the kernel's float64 occupancy and its integer copy
    occupancy = (8 + count_bytes) * s.groups * s.states * s.months if store == "states" else 0
    # a run written to a folder takes larger chunks by itself (run_chunk_draws); --until-se its batches' default
    default = DEFAULT_CHUNK_DRAWS if until_se else run_chunk_draws(draws, distributed=scheduler is not None)
    chunk = max(1, min(int(chunk_draws or default), draws, int(batch or draws)))
    words, parallel, local = _workers(scheduler, threads)

    def chunks_in_flight(c: int) -> int:
        if local:
            return local * (c * chunk_row(s) + WORKER_BYTES) + 2 * local * c * output_row(s)
        if scheduler is not None:
            return 2 * c * output_row(s)  # results arriving from remote workers
        return c * (chunk_row(s) + occupancy)

    def memory(n: int) -> int:
        c = min(chunk, n)
        if until_se:
            return BASE_BYTES + chunks_in_flight(c) + 2 * n * output_row(s) + summary_bytes(s, n)
        # the writer encodes a chunk (its results and their deflated copy) while the next is computed
        return BASE_BYTES + max(chunks_in_flight(c) + c * (output_row(s) + file_row(s)), summary_bytes(s, n))

    def disk(n: int) -> int:
        if until_se:  # the Dataset held in memory, written as it is (write_netcdf: every variable float64)
            return n * dataset_row(s) + FILE_FIXED
        c = min(chunk, n)
        rows = math.ceil(n / c) * c
        if store == "states":  # results.nc and, until the summary is written, the amounts without inputs beside it
            return rows * (states_row(s, count_bytes) + file_row(s) - 8 * s.parameters) + 2 * FILE_FIXED
        return rows * file_row(s) + FILE_FIXED

    option = "--max-draws" if until_se else "--draws"
    return Plan(
        command="run",
        option=option,
        size=draws,
        rows=draws,
        chunk=chunk,
        workers=words,
        memory=memory(draws),
        chunk_memory=chunks_in_flight(chunk),
        disk=disk(draws),
        out=out,
        work=(Work(config, draws),),
        memory_of=memory,
        disk_of=disk,
        hint_memory=", or drop --until-se (a plain run streams its draws to disk)" if until_se else "",
        parallel=parallel,
        threads=threads,
        chunk_of=chunks_in_flight,
    )


def plan_sensitivity(config: Config, options, *, out: Path | None = None, scheduler: str | None = None, threads: int | None = None) -> Plan:
    """``simsam sensitivity``: the design and the target of every run are held in memory.

    * tornado: ``2P + 1`` runs;
    * prcc: a run of ``n`` draws in memory, then ranks and regressions on
      ``(draw, input + 1)`` (five copies);
    * sobol: ``n·(groups + 2)`` design rows of ``D`` columns (the design and its
      layout copy), their input values (twice) and targets; SALib's bootstrap
      holds ``n × 100`` indices and five copies of resampled columns;
    * morris: ``r·(groups + 1)`` rows (design, values twice, targets).

    ``options`` come from :func:`simsam.analysis.sensitivity.options.prepare`.
    """
    s = Shape.of(config)
    method = options.method
    space = ParameterSpace.from_config(config)
    cohort = options.cohort or ("expected" if method in ("tornado", "sobol", "morris") else config.simulation.cohort)
    engine = "expected" if cohort == "expected" else None
    names, groups = design_columns(space, cohort if method in ("sobol", "morris") else "expected", getattr(options, "by", None) or "input")
    # Per-actor (--by evidence) and over-time targets: more outputs per run, held with the design.
    targets = 1 + (s.actors if getattr(options, "by", None) == "evidence" else 0)
    targets += 2 * s.actors * s.years if getattr(options, "over_time", False) else 0
    d, g = len(names), len(dict.fromkeys(groups))
    p = s.parameters
    words, parallel, _ = _workers(scheduler, threads)
    sensitivity_file = 1_000_000

    if method == "tornado":
        rows_of = lambda n: 2 * p + 1  # noqa: E731 - the size does not matter
        held = lambda n: 8 * (2 * p + 1) * (p + 2)  # noqa: E731
        size, option, valid = 2 * p + 1, "--n", int
    elif method == "prcc":
        rows_of = lambda n: n  # noqa: E731
        held = lambda n: n * (output_row(s) + 8 * targets + 8 * (p + targets) * 5)  # noqa: E731
        size, option, valid = int(options.n or config.simulation.draws), "--n", int
    elif method == "sobol":
        rows_of = lambda n: n * (g + 2)  # noqa: E731
        held = lambda n: n * ((g + 2) * 8 * (2 * d + 2 * p + 1 + targets) + 8 * RESAMPLES * 5)  # noqa: E731
        size, option = int(options.n), "--n"

        def valid(n: int) -> int:
            return 1 << (max(1, n).bit_length() - 1) if n >= 2 else 0
    else:
        rows_of = lambda n: n * (g + 1)  # noqa: E731
        held = lambda n: n * (g + 1) * 8 * (d + 2 * p + 2)  # noqa: E731
        size, option, valid = int(options.n), "--n", int

    def chunk_bytes(n: int) -> int:
        return min(rows_of(n), DEFAULT_CHUNK_DRAWS) * chunk_row(s)

    def memory(n: int) -> int:
        return BASE_BYTES + held(n) + chunk_bytes(n)

    rows = rows_of(size)
    return Plan(
        command=f"sensitivity {method}",
        option=option,
        size=size,
        rows=rows,
        chunk=min(rows, DEFAULT_CHUNK_DRAWS),
        workers=words,
        memory=memory(size),
        chunk_memory=chunk_bytes(size),
        disk=sensitivity_file,
        out=out,
        work=(Work(config, rows, engine),),
        memory_of=memory,
        disk_of=lambda n: sensitivity_file,
        valid=valid,
        hint_memory=", or use --scheduler to run the model on a cluster (the design stays here)" if method in ("sobol", "morris") else "",
        parallel=parallel,
        threads=threads,
    )


def plan_compare(configs: Sequence[Config], draws: int, *, chunk_draws: int | None = None, out: Path | None = None,
                 threads: int | None = None) -> Plan:  # fmt: skip
    """``simsam compare``: every variant's run in memory, then stacked and differenced.

    Per draw: ``V`` runs (and one more while a run's actors are selected), the
    stacked variables ``3A + AY`` per variant and the differences ``2A + AY``
    per contrast, twice (the selection and the result). ``compare.nc`` holds
    the stacked variables and the differences.
    """
    v = len(configs)
    shapes = [Shape.of(c) for c in configs]
    s = max(shapes, key=lambda x: (x.actors, x.parameters))
    a, y = s.actors, s.years
    chunk = max(1, min(int(chunk_draws or DEFAULT_CHUNK_DRAWS), draws))
    per_variant, per_contrast = 8 * (3 * a + a * y), 8 * (2 * a + a * y)

    def memory(n: int) -> int:
        held = (v + 1) * (output_row(s) + 8) + v * per_variant + 2 * (v - 1) * per_contrast
        return BASE_BYTES + n * held + min(chunk, n) * chunk_row(s)

    def disk(n: int) -> int:
        return n * (v * per_variant + (v - 1) * per_contrast) + FILE_FIXED

    work = tuple(Work(c, draws) for c in configs)
    return _draws_plan("compare", draws, v * draws, chunk, memory, disk, chunk * chunk_row(s), work, out, threads)


def plan_breakeven(config: Config, draws: int, *, chunk_draws: int | None = None, out: Path | None = None,
                   threads: int | None = None) -> Plan:  # fmt: skip
    """``simsam breakeven``: every chunk's inputs are kept (twice: as sampled, and set to a trial value) for its bisection.

    Per draw ``16·(P + 1) + 64`` bytes (inputs with the searched one, the
    thresholds, their sorted copy, the indicators); ``breakeven.nc`` holds the
    thresholds. About :data:`BREAKEVEN_RUNS` model runs per draw.
    """
    s = Shape.of(config)
    chunk = max(1, min(int(chunk_draws or DEFAULT_CHUNK_DRAWS), draws))

    def memory(n: int) -> int:
        return BASE_BYTES + n * (16 * (s.parameters + 1) + 64) + 2 * min(chunk, n) * chunk_row(s)

    def disk(n: int) -> int:
        return 16 * n + FILE_FIXED

    rows = BREAKEVEN_RUNS * draws
    return _draws_plan("breakeven", draws, rows, chunk, memory, disk, 2 * chunk * chunk_row(s), (Work(config, rows),), out, threads)


def plan_split(config: Config, draws: int, financing: int, *, splits: int = 5, with_run: bool = True, out: Path | None = None,
               threads: int | None = None) -> Plan:  # fmt: skip
    """``simsam split``: one run, with the kernel's monthly series of the ``financing`` actors kept for every draw.

    Per draw: the run and its inputs, ``F·H`` of monthly paths and ``H`` of the cost curve, three ``F·H``
    temporaries while a split is recomputed, and each split's payback, net benefit and society (twice:
    the results and ``split.nc``'s stacks). ``split.nc`` (and, from the command, ``results.nc``) on disk.
    """
    s = Shape.of(config)
    f, h, y = financing, s.months, s.years
    chunk = max(1, min(DEFAULT_CHUNK_DRAWS, draws))
    per_split = 8 * ((f + 1) * (2 + y) + y)

    def memory(n: int) -> int:
        held = output_row(s) + 8 * (4 * f * h + h) + 2 * splits * per_split
        return BASE_BYTES + n * held + min(chunk, n) * chunk_row(s, monthly=True)

    def disk(n: int) -> int:
        # The command writes the run's Dataset as it is (every variable as float64), not the compact layout of simsam run.
        return n * (splits * per_split + 8 + (dataset_row(s) if with_run else 0)) + (2 if with_run else 1) * FILE_FIXED

    return _draws_plan("split", draws, draws, chunk, memory, disk, chunk * chunk_row(s, monthly=True), (Work(config, draws),), out,
                       threads)


def _evppi_columns(space: ParameterSpace, groups: Sequence[str] | None) -> int:
    """Columns of the widest EVPPI regression basis (:func:`simsam.analysis.decision.regression_basis`)."""

    def columns(d: int) -> int:
        if d <= 1:
            return 12  # 1 + natural spline of at most 12 knots
        if d == 2:
            return 36  # tensor product of two 6-knot splines
        return 1 + 5 * d + d * (d - 1) // 2

    sizes = {g.path: len(g.keys) - 1 for g in space.groups}
    if groups is not None and not groups:
        return 0
    # Each evidence grade's inputs together (where the config grades them): additive 4-knot splines and pairwise products.
    graded = [space.evidence_of[j] for j, name in enumerate(space.names) if not any(name == g.names[-1] for g in space.groups)]
    grade_sizes = [graded.count(g) for g in dict.fromkeys(graded)] if any(g != "ungraded" for g in graded) else []
    by_grade = max([1 + 3 * d + d * (d - 1) // 2 if d > 2 else columns(d) for d in grade_sizes], default=0)
    if groups is None:
        return max([columns(1), by_grade] + [columns(k) for k in sizes.values()])
    widest = by_grade
    for spec in groups:
        d = sum(sizes.get(name.strip(), 1) for name in spec.split("+"))
        widest = max(widest, columns(d))
    return widest


def plan_decision(config: Config, draws: int, *, evppi: Sequence[str] | None = None, chunk_draws: int | None = None,
                  out: Path | None = None, threads: int | None = None, simulate: bool = True) -> Plan:  # fmt: skip
    """``simsam decision``: a run in memory, each draw's expected net benefit, the EVPI regret and the EVPPI regressions.

    Per draw: the run (unless it is read from a results file), ``7·A·Y`` for
    the expected net benefit, the regret and the regression's fitted values,
    and three copies of the widest regression basis.
    """
    s = Shape.of(config)
    space = ParameterSpace.from_config(config)
    chunk = max(1, min(int(chunk_draws or DEFAULT_CHUNK_DRAWS), draws))
    basis = _evppi_columns(space, evppi)
    sampled = config.simulation.cohort == "sampled"

    def memory(n: int) -> int:
        held = (output_row(s) + 8) + 8 * 7 * s.actors * s.years + 8 * 3 * basis
        return BASE_BYTES + n * held + min(chunk, n) * chunk_row(s)

    rows = (draws if simulate else 0) + (draws if sampled else 0)
    work = tuple(w for w in (Work(config, draws) if simulate else None, Work(config, draws, "expected") if sampled else None) if w)
    return _draws_plan("decision", draws, rows, chunk, memory, lambda n: FILE_FIXED, chunk * chunk_row(s), work, out, threads,
                       hint_memory=", or leave some inputs out of EVPPI (--evppi)" if basis > 12 else "")  # fmt: skip


def plan_portfolio(configs: Sequence[Config], draws: int, parameters: int, *, chunk_draws: int | None = None,
                   out: Path | None = None) -> Plan:  # fmt: skip
    """``simsam portfolio``: every project's results per draw, on the union of actors and inputs.

    Per draw and project: payback, cost, revenue and net benefit
    (``2A + 2AY``) and the inputs; the budget's sums and payback; per draw
    of a chunk, four ``A·M`` arrays of monthly cumulative net benefit. ``portfolio.nc`` is compressed: the
    estimate is its uncompressed size (an upper bound).
    """
    shapes = [Shape.of(c) for c in configs]
    n_p = len(configs)
    s = replace(max(shapes, key=lambda x: x.actors), parameters=parameters)
    a, y, m = s.actors, s.years, max(x.months for x in shapes)
    chunk = max(1, min(int(chunk_draws or DEFAULT_CHUNK_DRAWS), draws))
    per_project = 8 * (2 * a + 2 * a * y + parameters) + 8 * a  # and the NaN-masked payback copy

    def chunk_bytes(c: int) -> int:
        # The chunk's summed monthly net benefit, a project's monthly results, the selection of its
        # actors' columns (a copy) and the budget's payback search over it: four (draw, actor, month) arrays.
        return c * (4 * 8 * a * m + max(chunk_row(x, monthly=True) for x in shapes))

    def memory(n: int) -> int:
        held = n_p * per_project + 8 * (3 * a + a * y) + 8 * 8
        return BASE_BYTES + n * held + chunk_bytes(min(chunk, n))

    def disk(n: int) -> int:
        return n * (n_p * (8 * (3 * a + 2 * a * y + parameters)) + 8 * (2 * a + a * y + 4)) + FILE_FIXED

    work = tuple(Work(c, draws) for c in configs)
    return _draws_plan("portfolio", draws, n_p * draws, chunk, memory, disk, chunk_bytes(chunk), work, out, None)


def plan_experiment(exp, *, out: Path | None = None, threads: int | None = None) -> Plan:
    """``simsam experiment``: its analyses one after another, sharing the runs they simulate.

    Each analysis is planned as its command would be (a ``run`` analysis holds
    its draws in memory before writing them, as ``--until-se`` does); the runs
    that ``run`` and ``decision`` analyses share stay in memory throughout (one
    per number of draws). Memory: those runs plus the largest analysis; disk:
    all the analyses. Sizes are named by their keys in the file
    (``analysis[3].n``, ``draws``).

    ``exp`` is a :class:`simsam.workflows.experiment.Experiment`.
    """
    cfg = exp.config
    s = Shape.of(cfg)
    plans: list[tuple[str, Plan]] = []
    cached: dict[int, int] = {}
    for a in exp.analyses:
        key = f"{a.path}.draws" if "draws" in a.options or a.kind == "run" else "draws"
        if a.kind == "run":
            until = "until_se" in a.options
            n = int(a.options.get("max_draws", DEFAULT_MAX_DRAWS)) if until else a.draws
            p = replace(plan_run(cfg, n, out=out, threads=threads, until_se=True), option=f"{a.path}.max_draws" if until else key)
            if not until:
                cached[a.draws] = a.draws * (output_row(s) + 8)
        elif a.kind == "decision":
            p = replace(plan_decision(cfg, a.draws, evppi=a.options.get("evppi"), simulate=a.draws not in cached, threads=threads),
                        option=key)  # fmt: skip
            cached[a.draws] = a.draws * (output_row(s) + 8)
        elif a.kind == "compare":
            p = replace(plan_compare([v.config for v in a.extra["variants"]], a.draws, threads=threads), option=key)
        elif a.kind == "breakeven":
            p = replace(plan_breakeven(cfg, a.draws, threads=threads), option=key)
        elif a.kind == "split":
            p = replace(plan_split(cfg, a.draws, len(a.extra["actors"]), with_run=False, threads=threads), option=key)
        else:
            p = plan_sensitivity(cfg, a.extra["options"], threads=threads)
            p = replace(p, option=f"{a.path}.n" if p.option == "--n" else key)
        plans.append((a.path, p))
    held = sum(cached.values())
    name, big = max(plans, key=lambda x: x[1].memory)
    others_disk = sum(p.disk for n, p in plans if n != name)
    return Plan(
        command="experiment",
        option=big.option,
        size=big.size,
        rows=sum(p.rows for _, p in plans),
        chunk=max(p.chunk for _, p in plans),
        workers=big.workers,
        memory=held + big.memory,
        chunk_memory=max(p.chunk_memory for _, p in plans),
        disk=sum(p.disk for _, p in plans),
        out=out,
        work=tuple(w for _, p in plans for w in p.work),
        memory_of=lambda n: held + big.memory_of(n),
        disk_of=lambda n: others_disk + big.disk_of(n),
        valid=big.valid,
        hint_memory=big.hint_memory,
        threads=threads,
        notes=tuple(f"{n:<9} {p.command}: {grouped(p.rows)} model runs, ~{human_bytes(p.memory)} of memory" for n, p in plans),
    )


# --- checking and printing ---------------------------------------------------------------------------------------


def _largest(f: Callable[[int], int], limit: int, upto: int) -> int:
    """The largest n in [1, upto] with f(n) ≤ limit (f grows with n), or 0."""
    if f(1) > limit:
        return 0
    lo, hi = 1, max(1, upto)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if f(mid) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _round_down(n: int) -> int:
    """Two significant digits, rounded down: 60 438 213 → 60 000 000."""
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return n // step * step


def _fitting(plan: Plan, memory: int | None, disk: int | None) -> int:
    """The largest valid size whose memory and disk fit (0: none)."""

    def fits(n: int) -> int:  # 0 when n fits, 1 when not (monotone in n)
        ok = (memory is None or plan.memory_of(n) <= memory) and (disk is None or plan.disk_of(n) <= disk)
        return 0 if ok else 1

    n = plan.valid(_largest(fits, 0, plan.size))
    return n if plan.valid is not int else _round_down(n)


def _fits_text(plan: Plan, memory: int | None, disk: int | None) -> str:
    n = _fitting(plan, memory, disk)
    if n < 1:
        return "not even the smallest fits"
    unit = " draws" if plan.option.endswith("draws") else ""
    return f"at most ~{grouped(n)}{unit} fit"


def check(plan: Plan, *, memory: int | None = None, disk: int | None = None) -> None:
    """Stop a plan that does not fit: the output the free disk at ``out``, or the work the available memory.

    Parameters
    ----------
    memory, disk : int, optional
        Available memory and free disk, bytes (default: this machine's, now).

    Raises
    ------
    ResourceError
        Naming the option, the estimate, what is available and what would fit.
    """
    disk = (free_disk(plan.out) if disk is None else disk) if plan.out is not None else None
    memory = available_memory() if memory is None else memory
    if memory is not None and plan.chunk_of is not None and plan.chunk_memory > memory and plan.chunk > 1:
        n = _round_down(_largest(plan.chunk_of, memory, plan.chunk))
        fit = f"at most ~{grouped(n)} draws per chunk fit" if n else "not even one draw per chunk fits"
        raise ResourceError(plan.chunk_option, f"{grouped(plan.chunk)} draws per chunk need ~{human_bytes(plan.chunk_memory)} of memory, "
                            f"{human_bytes(memory)} available; {fit}")  # fmt: skip
    short = []
    if disk is not None and plan.disk > disk:
        short.append(f"~{human_bytes(plan.disk)} in {plan.out}, {human_bytes(disk)} free at {existing_ancestor(plan.out)}")
    if memory is not None and plan.memory > memory:
        short.append(f"~{human_bytes(plan.memory)} of memory, {human_bytes(memory)} available")
    if not short:
        return
    hints = (plan.hint_disk if disk is not None and plan.disk > disk else "") + (
        plan.hint_memory if memory is not None and plan.memory > memory else ""
    )
    raise ResourceError(plan.option, f"{grouped(plan.size)} needs {' and '.join(short)}; {_fits_text(plan, memory, disk)}{hints}")


def out_of_memory_text(plan: Plan | None, exc: BaseException) -> tuple[str, str]:
    """The one line for a MemoryError: ``(option, problem)``."""
    what = str(exc).strip() or "an allocation failed"
    if plan is None:
        return "", f"out of memory ({what}); use fewer draws or a smaller --chunk-draws"
    memory = available_memory()
    have = f", {human_bytes(memory)} available" if memory is not None else ""
    fits = f"; {_fits_text(plan, memory, None)}" if memory is not None else ""
    return plan.option, f"{grouped(plan.size)} ran out of memory ({what}); the plan estimated ~{human_bytes(plan.memory)}{have}{fits}"


@dataclass(frozen=True)
class Calibration:
    """Seconds per model run, measured on a few runs of each config."""

    seconds: float
    per_run: dict = field(default_factory=dict)  # config name → seconds per run
    runs: int = 0


def calibrate(plan: Plan, runs: int = 2000) -> Calibration:
    """Time a few model runs of each config of ``plan`` (after one to load the kernel) and scale up."""
    total, per, measured = 0.0, {}, 0
    for w in plan.work:
        if w.rows <= 0:
            continue
        space = ParameterSpace.from_config(w.config)
        n = max(1, min(runs, w.rows))
        idx = np.arange(n, dtype=np.int64)
        values = space.sample(w.config.simulation.seed, idx)
        threads = 1 if plan.parallel > 1 else plan.threads
        evaluate(w.config, space, values[:1], idx[:1], 1, engine=w.engine, threads=threads)  # loads the kernel
        start = time.perf_counter()
        evaluate(w.config, space, values, idx, 1, engine=w.engine, threads=threads)
        each = (time.perf_counter() - start) / n
        per[w.config.name] = each
        measured = max(measured, n)
        total += each * w.rows / max(1, plan.parallel)
    return Calibration(total, per, measured)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


def plan_text(plan: Plan, calibration: Calibration | None = None, *, memory: int | None = None, disk: int | None = None) -> str:
    """The plan as ``--dry-run`` prints it."""
    memory = available_memory() if memory is None else memory
    lines = [f"simsam {plan.command}: the plan (--dry-run: nothing is run or written)"]
    unit = "draws" if plan.option.endswith("draws") else plan.option
    size = f"{grouped(plan.size)} {unit}" if unit == "draws" else f"{plan.option} {grouped(plan.size)}"
    runs = f"{grouped(plan.rows)} model runs" if plan.rows != plan.size else ""
    chunks = f"{grouped(plan.chunks)} chunk{'s' if plan.chunks != 1 else ''} of {grouped(plan.chunk)}"
    lines.append(f"  work      {size}{': ' + runs if runs else ''}, in {chunks}, {plan.workers}")
    have = f" ({human_bytes(memory)} available)" if memory is not None else " (available memory unknown)"
    lines.append(f"  memory    ~{human_bytes(plan.memory)} at the peak{have}; ~{human_bytes(plan.chunk_memory)} per chunk")
    if plan.out is not None:
        free = free_disk(plan.out) if disk is None else disk
        lines.append(f"  disk      ~{human_bytes(plan.disk)} in {plan.out} ({human_bytes(free)} free)")
    if calibration is not None and plan.rows:
        each = max(calibration.per_run.values(), default=0.0)
        lines.append(
            f"  time      ~{_duration(calibration.seconds)} for the model runs ({each * 1e6:.3g} µs per run, measured on "
            f"{grouped(calibration.runs)}); writing and the analysis come on top"
        )
    if plan.out is not None:
        if plan.out.exists():
            lines.append(f"  output    {plan.out} exists: the new results replace it when complete")
        left = leftovers_of(plan.out)
        if left:
            size = human_bytes(sum(x.bytes for x in left))
            lines.append(f"  leftovers {len(left)} unfinished folder{'s' if len(left) != 1 else ''} of interrupted runs ({size}), "
                         "removed when the run starts")  # fmt: skip
    lines += [f"  {n}" for n in plan.notes]
    try:
        check(plan, memory=memory, disk=disk)
        lines.append("  verdict   fits")
    except ResourceError:
        lines.append("  verdict   does not fit (see the error below)")
    return "\n".join(lines)

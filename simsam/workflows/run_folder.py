"""Writing a run folder: ``results.nc``, ``summary.csv``, ``summary.json`` and ``summary.xlsx``.

A workflow above the result file (:mod:`simsam.results`), the summaries
(:mod:`simsam.analysis.summary`) and the Excel report (:mod:`simsam.report.excel`): the
folder appears only when everything is written (:func:`simsam.util.atomic_folder`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from pathlib import Path

import numpy as np

from ..analysis.summary import Summary, summarize, summary_json, summary_of
from ..config.model import Config
from ..engine.evaluate import engine_of
from ..engine.run import compute_chunk, run_chunk_draws, run_chunks
from ..engine.sampling import ParameterSpace
from ..report.excel import write_summary_xlsx
from ..results import ResultsFile, ResultWriter
from ..results.netcdf import EncodedChunk, decode_results, encoded_chunk, write_results
from ..util import atomic_folder
from ..util.timing import Stopwatch

__all__ = ["write_run_folder", "run_to_folder", "write_run", "write_summaries", "SUMMARY_COLUMNS"]

#: With ``--store states``: the amounts the summaries read, in the run's temporary folder only.
SUMMARY_COLUMNS = "results-amounts.nc"


def write_summaries(ds, summary, folder: Path, lang: str | None = None) -> None:
    """Write ``summary.csv``, ``summary.json`` and ``summary.xlsx`` (for Excel) of a run into ``folder``, and with
    ``[groups]`` ``summary_groups.csv``.

    ``ds``: a result Dataset or :class:`ResultsFile`; ``summary``: a
    :class:`simsam.analysis.summary.Summary` or :func:`simsam.summarize`'s DataFrame;
    ``lang``: the workbook's language (default: the config's ``[meta] language``, else Swedish).
    """
    summary = Summary.of(summary)
    summary.to_csv(folder / "summary.csv")
    if summary.groups:
        summary.groups_to_csv(folder / "summary_groups.csv")
    (folder / "summary.json").write_text(json.dumps(summary_json(ds, summary), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_summary_xlsx(ds, summary, folder / "summary.xlsx", lang=lang)


def write_run(ds, folder: str | os.PathLike, summary=None, lang: str | None = None, inputs: str = "stored") -> Path:
    """Write ``results.nc`` (compact, :func:`simsam.results.netcdf.write_results`; ``inputs`` stored or drawn again
    from the seed), ``summary.csv``, ``summary.json`` and ``summary.xlsx`` into ``folder`` atomically."""
    folder = Path(folder)
    summary = summarize(ds) if summary is None else summary
    with atomic_folder(folder) as tmp:
        write_results(ds, tmp / "results.nc", inputs=inputs)
        write_summaries(ds, summary, tmp, lang)
    return folder


def write_run_folder(
    config: Config,
    folder,
    draws: int | None = None,
    seed: int | None = None,
    *,
    chunk_draws: int | None = None,
    threads: int | None = None,
    client=None,
    progress=None,
    lang: str | None = None,
    compression: str = "fast",
    inputs: str = "stored",
    store: str = "amounts",
):
    """Run a config and write ``results.nc``, ``summary.csv``, ``summary.json``, ``summary.xlsx`` into ``folder``.

    The draws stream to NetCDF chunk by chunk, so memory stays bounded by the
    chunk size whatever the number of draws (``chunk_draws``, default
    :func:`simsam.engine.run.run_chunk_draws`); summaries are computed from the
    file a column at a time. The folder appears only when everything is
    written (:func:`simsam.util.atomic_folder`). Neither xarray nor pandas
    is imported (half a second of ``simsam run``'s start). ``compression``:
    ``"fast"`` or ``"small"`` (:data:`simsam.results.layout.COMPRESSIONS`); ``inputs``: ``"stored"``, or
    ``"seed"`` to leave the inputs out and draw them again on reading (:data:`simsam.results.layout.INPUTS`);
    ``store``: ``"amounts"``, or ``"states"`` for a ``results.nc`` of each draw's occupancy (layout 3,
    :mod:`simsam.results.layout`), the summaries then read from a file of the amounts written beside it in
    the temporary folder and removed before the folder appears.

    Returns
    -------
    simsam.analysis.summary.Summary
    """

    draws = config.simulation.draws if draws is None else int(draws)
    seed = config.simulation.seed if seed is None else int(seed)
    chunk = max(1, int(chunk_draws or run_chunk_draws(draws, distributed=client is not None)))
    space = ParameterSpace.from_config(config)
    index = np.arange(draws, dtype=np.int64)
    clock = Stopwatch()
    states = store == "states"
    columns = tmp_columns = None
    with atomic_folder(Path(folder)) as tmp, contextlib.ExitStack() as files:
        writer = files.enter_context(ResultWriter(tmp / "results.nc", config, space, index, seed, engine_of(config), chunk, compression,
                                                  inputs, store=store))
        if states:  # the summaries read columns of amounts: a file of them beside, for this run only
            tmp_columns = tmp / SUMMARY_COLUMNS
            # (without the inputs, which the summaries do not read, nor the states file needs from it)
            # (nor the later years' revenue: summary_only, the first year is all the summary reads of it)
            columns = files.enter_context(ResultWriter(tmp_columns, config, space, index, seed, engine_of(config), chunk, inputs="seed",
                                                       summary_only=True))
        # On a cluster each worker encodes its chunk for the file and sends back those bytes (ChunkEncoder); with
        # --store states only the states file's, and the client computes the amounts for the summary's file from them.
        if client is not None:
            task = {"task": functools.partial(encoded_chunk, writer.encoder)}
        else:
            task = {"task": functools.partial(compute_chunk, occupancy=True)} if states else {}
        parts = run_chunks(config, draws, seed, chunk, threads=threads, client=client, **task)
        while True:
            with clock.phase("simulate"):
                part = next(parts, None)
            if part is None:
                break
            with clock.phase("write"):
                writer.write(part)
                if columns is not None:
                    columns.write(writer.encoder.amounts(part) if isinstance(part, EncodedChunk) else part)
            if progress is not None:
                progress(part.stop - part.start)
        with clock.phase("write"):
            files.close()  # both files written out and closed
        with clock.phase("summarise"), ResultsFile(tmp_columns or tmp / "results.nc") as results:
            summary = summary_of(results)
            write_summaries(results, summary, tmp, lang)
        if tmp_columns is not None:
            tmp_columns.unlink()
    clock.save()
    return summary


def run_to_folder(config: Config, folder, draws: int | None = None, seed: int | None = None, **options):
    """:func:`write_run_folder`, then the results opened with xarray.

    Returns
    -------
    (xarray.Dataset, pandas.DataFrame)
        The results file opened lazily, and its summary.
    """
    import xarray as xr  # xarray, ~0.5 s: only where a Dataset is built or read

    summary = write_run_folder(config, folder, draws, seed, **options)
    ds = xr.open_dataset(Path(folder) / "results.nc", engine="h5netcdf")
    results = decode_results(ds)
    results.set_close(ds.close)
    return results, summary.frame()

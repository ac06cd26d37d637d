"""``simsam run --store states`` (layout 3): the file keeps each draw's occupancy and inputs, and every result is
computed again from them on reading, bit for bit, for every shipped config with a sampled cohort, with groups, on
the aggregate path and from a Dask cluster; the run's summary is the amounts run's; bad uses are refused."""

from __future__ import annotations

import dataclasses

import h5py
import numpy as np
import pytest
import xarray as xr

import simsam
from simsam.cli import main
from simsam.config import override
from simsam.engine.evaluate import engine_of, evaluate
from simsam.engine.run import compute_chunk
from simsam.engine.sampling import ParameterSpace
from simsam.results import ResultsFile, ResultWriter, layout, read_results
from simsam.workflows.run_folder import SUMMARY_COLUMNS, write_run_folder

from .helpers import ROOT
from .test_results_layout import SHIPPED, assert_file_reads, assert_same

SAMPLED = [p for p in SHIPPED if engine_of(simsam.load_config(p)) != "expected"]


@pytest.mark.parametrize("inputs", ["stored", "seed"])
@pytest.mark.parametrize("path", SAMPLED, ids=lambda p: p.stem)
def test_states_file_reads_back_the_in_memory_run(path, inputs, tmp_path):
    """Streamed in chunks (the last one short), read back with xarray, the simsam engine and ResultsFile: the Dataset
    simsam.simulate builds in memory, bit for bit, prefixes across a chunk edge included; the same summary files as a
    run of amounts, and no file of amounts left in the folder."""
    cfg = simsam.load_config(path)
    draws, chunk = 300, 128
    summary = write_run_folder(cfg, tmp_path / "states", draws, 5, chunk_draws=chunk, store="states", inputs=inputs)
    write_run_folder(cfg, tmp_path / "amounts", draws, 5, chunk_draws=chunk)
    ref = simsam.simulate(cfg, draws=draws, seed=5, chunk_draws=chunk)
    file = tmp_path / "states" / "results.nc"
    assert_same(read_results(tmp_path / "states"), ref)
    with xr.open_dataset(file, engine="simsam") as back:
        assert_same(back, ref)
    assert_file_reads(file, ref)
    assert_same(read_results(tmp_path / "states", max_draws=200), ref.isel(draw=slice(0, 200)))
    assert summary.frame().equals(simsam.summarize(ref))
    for name in ("summary.csv", "summary.json"):
        assert (tmp_path / "states" / name).read_text() == (tmp_path / "amounts" / name).read_text(), name
    assert sorted(p.name for p in (tmp_path / "states").iterdir()) == sorted(p.name for p in (tmp_path / "amounts").iterdir())
    assert not (tmp_path / "states" / SUMMARY_COLUMNS).exists()


def test_states_file_is_the_occupancy_a_netcdf_reader_sees(tmp_path):
    """What a reader without simsam finds: the occupancy as uint8 whole participants (no fill value to mask the empty
    states), the kernel's own, summing to the cohort in every month; the inputs; no amount. Samverkansteamet takes
    under 400 bytes a draw with its inputs (the issue's target) and under 100 with --inputs seed."""
    cfg = simsam.load_config(simsam_config := SHIPPED[[p.stem for p in SHIPPED].index("samverkansteamet")])
    draws = 4000
    write_run_folder(cfg, tmp_path / "stored", draws, 2, chunk_draws=1000, store="states")
    write_run_folder(cfg, tmp_path / "seed", draws, 2, chunk_draws=1000, store="states", inputs="seed")
    file = tmp_path / "stored" / "results.nc"
    with h5py.File(file, "r") as f:
        assert f.attrs[layout.LAYOUT_ATTRIBUTE] == layout.STATES
        assert set(f) >= {"occupancy", "inputs"} and not {"revenue", "net_benefit", "payback_months", "project_cost"} & set(f)
        assert f["occupancy"].dtype == np.uint8 and f["occupancy"].chunks == (1000, 3, 60)
        assert (f["occupancy"].compression, f["occupancy"].compression_opts) == ("gzip", layout.DEFLATE_LEVEL)
        assert "_FillValue" not in f["occupancy"].attrs
    with xr.open_dataset(file, engine="h5netcdf") as plain:
        occupancy = plain["occupancy"]
        assert occupancy.dims == ("draw", "state", "month") and occupancy.dtype == np.uint8
        assert list(plain["state"].values) == list(cfg.outcomes.states)
        np.testing.assert_array_equal(occupancy.sum("state").values, cfg.project.participants)  # all exit at month 1, none lost
        space = ParameterSpace.from_config(cfg)
        draws_read = plain["draw"].values[:50]
        kernel = evaluate(cfg, space, plain["inputs"].values[:50], draws_read, 2, occupancy=True).occupancy
        np.testing.assert_array_equal(occupancy.values[:50], kernel)
    per_draw = {d: (tmp_path / d / "results.nc").stat().st_size / draws for d in ("stored", "seed")}
    assert per_draw["stored"] < 400 and per_draw["seed"] < 100, (per_draw, simsam_config)


def test_states_on_the_aggregate_path(tmp_path):
    """The aggregate path draws counts, not persons: its occupancy is whole participants too and reads back to the bit,
    with a cohort too large for uint8."""
    cfg = override(simsam.load_config(SHIPPED[0]), {"simulation": {"engine": "aggregate"}, "project": {"participants": 700}})
    assert engine_of(cfg) == "aggregate"
    write_run_folder(cfg, tmp_path / "run", 200, 9, chunk_draws=64, store="states")
    with h5py.File(tmp_path / "run" / "results.nc", "r") as f:
        assert f["occupancy"].dtype == np.uint16
    assert_same(read_results(tmp_path / "run"), simsam.simulate(cfg, draws=200, seed=9, chunk_draws=64))


def test_occupancy_types_fit_the_cohort():
    assert [layout.occupancy_dtype(n) for n in (0, 255, 256, 65535, 65536)] == [np.uint8, np.uint8, np.uint16, np.uint16, np.uint32]


def test_chunks_carry_whole_counts_small():
    """A run's chunk holds its occupancy as the file's integer type (a ninth of the kernel's float64 while it waits to be
    written), the expected cohort's fractions as they are."""
    cfg = simsam.load_config(SAMPLED[0])
    chunk = compute_chunk(cfg, 0, 50, 0, 1, occupancy=True)
    assert chunk.output.occupancy.dtype == layout.occupancy_dtype(cfg.project.participants)
    space = ParameterSpace.from_config(cfg)
    kernel = evaluate(cfg, space, chunk.inputs, np.arange(50), 1, occupancy=True).occupancy
    assert kernel.dtype == np.float64
    np.testing.assert_array_equal(chunk.output.occupancy, kernel)
    expected = simsam.load_config(next(p for p in SHIPPED if engine_of(simsam.load_config(p)) == "expected"))
    assert compute_chunk(expected, 0, 5, 0, 1, occupancy=True).output.occupancy.dtype == np.float64


def _writer(cfg, path, **options):
    space = ParameterSpace.from_config(cfg)
    return ResultWriter(path, cfg, space, np.arange(100), 1, engine_of(cfg), 100, **options)


def test_writer_checks_what_it_leaves_out(tmp_path):
    """The writer stores whole participants only, and computes the run's first draws again from what it keeps: an
    occupancy that is not whole, or results that do not follow from it, are a RuntimeError (a bug), not a file."""
    cfg = simsam.load_config(SAMPLED[0])
    chunk = compute_chunk(cfg, 0, 100, 0, 1, occupancy=True)
    with _writer(cfg, tmp_path / "ok.nc", store="states") as w:
        w.encoder.encode(chunk)  # as the run gives it
        half = dataclasses.replace(chunk.output, occupancy=chunk.output.occupancy * 0.5)
        with pytest.raises(RuntimeError, match="not whole participants"):
            w.encoder.encode(dataclasses.replace(chunk, output=half))
        moved = chunk.output.occupancy.astype(np.float64)
        moved[3, 0, 10:] += 1.0
        with pytest.raises(RuntimeError, match="does not come out bit for bit"):
            w.encoder.encode(dataclasses.replace(chunk, output=dataclasses.replace(chunk.output, occupancy=moved)))
        with pytest.raises(RuntimeError, match="needs each chunk's occupancy"):
            w.encoder.encode(compute_chunk(cfg, 0, 100, 0, 1))


def test_states_are_refused_where_they_cannot_hold_the_results(tmp_path, capsys):
    """The expected cohort's occupancy is fractions of participants; --until-se writes from memory: both are exit 2 with
    one line naming --store, and no folder."""
    expected = next(p for p in SHIPPED if engine_of(simsam.load_config(p)) == "expected")
    with pytest.raises(ValueError, match="needs a sampled cohort"):
        _writer(simsam.load_config(expected), tmp_path / "x.nc", store="states")
    with pytest.raises(ValueError, match="store must be one of amounts, states"):
        _writer(simsam.load_config(SAMPLED[0]), tmp_path / "y.nc", store="occupancy")
    for config, extra in ((expected, []), (SAMPLED[0], ["--until-se", "0.05"])):
        out = tmp_path / "out"
        assert main(["run", str(config), "--draws", "50", "--store", "states", "--out", str(out), "--quiet", *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --store: ") and err.count("\n") == 1, err
        assert not out.exists()


def test_cli_store_states(tmp_path, capsys):
    """``simsam run --store states`` prints the table of the amounts run and reads back as it."""
    out, ref = tmp_path / "states", tmp_path / "amounts"
    config = str(SAMPLED[0])
    assert main(["run", config, "--draws", "400", "--chunk-draws", "150", "--store", "states", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert main(["run", config, "--draws", "400", "--chunk-draws", "150", "--out", str(ref)]) == 0
    assert printed.replace(str(out), str(ref)) == capsys.readouterr().out
    assert_same(read_results(out), read_results(ref))
    with ResultsFile(out / "results.nc") as results:
        assert results.layout == layout.STATES and "occupancy" not in results and "state" not in results.coords


@pytest.mark.parametrize("path", [SAMPLED[0], ROOT / "experiments" / "data" / "samverkansteamet_groups.toml"], ids=lambda p: p.stem)
def test_the_summarys_own_file_keeps_the_first_years_revenue_alone(path, tmp_path):
    """A file written only for the summary (--store states's amounts: ResultWriter(summary_only=True)) holds no HDF5
    chunk of the later years' revenue (nor the groups'), takes less room, and gives the summary of the whole file
    to the character; its first year reads as the whole file's."""
    from simsam.analysis.summary import summary_of
    from simsam.results.netcdf import SUMMARY_FIRST_YEAR

    cfg = simsam.load_config(path)
    space = ParameterSpace.from_config(cfg)
    chunks = [compute_chunk(cfg, start, start + 100, 0, 1) for start in (0, 100, 200)]
    files, text = {}, {}
    for only in (False, True):
        files[only] = tmp_path / f"{only}.nc"
        with ResultWriter(files[only], cfg, space, np.arange(300), 1, engine_of(cfg), 100, inputs="seed", summary_only=only) as w:
            for chunk in chunks:
                w.write(chunk)
        with ResultsFile(files[only]) as results:
            text[only] = summary_of(results).frame().to_csv()
    assert text[True] == text[False]
    assert files[True].stat().st_size < files[False].stat().st_size
    with h5py.File(files[True], "r") as small, h5py.File(files[False], "r") as full:
        for name in SUMMARY_FIRST_YEAR:
            if name not in full:
                continue
            years = full[name].shape[-1]
            assert small[name].id.get_num_chunks() * years == full[name].id.get_num_chunks(), name
            np.testing.assert_array_equal(small[name][..., 0], full[name][..., 0], err_msg=name)
    with h5py.File(files[False], "r") as full:
        assert ("group_revenue" in full) == bool(cfg.groups)


@pytest.mark.parametrize("store", ["amounts", "states"])
def test_encoded_chunks_decode_to_their_values(store, tmp_path):
    """ChunkEncoder.decode undoes encode (a chunk of the file's size, the short last one, one that is not the file's),
    and an encoded chunk of --store states gives back the run chunk's amounts to the bit (what a cluster's client
    computes for the summary's file)."""
    cfg = simsam.load_config(SAMPLED[0])
    space = ParameterSpace.from_config(cfg)
    for inputs in ("stored", "seed"):
        with ResultWriter(tmp_path / f"{inputs}.nc", cfg, space, np.arange(250), 1, engine_of(cfg), 100, store=store,
                          inputs=inputs) as w:
            for start, stop in ((0, 100), (200, 250), (30, 90)):
                chunk = compute_chunk(cfg, start, stop, 0, 1, occupancy=True)
                encoded = w.encoder.encode(chunk)
                values, _, _ = w.encoder._values(chunk)
                decoded = w.encoder.decode(encoded)
                assert decoded.keys() == values.keys()
                for name, v in values.items():
                    np.testing.assert_array_equal(decoded[name], v, err_msg=name)
                    assert decoded[name].dtype == v.dtype, name
                if store == "states":
                    again = w.encoder.amounts(encoded)
                    np.testing.assert_array_equal(again.inputs, chunk.inputs)
                    for name in ("payback", "net_benefit", "revenue", "cost", "utilised_potential"):
                        a, b = getattr(again.output, name), getattr(chunk.output, name)
                        np.testing.assert_array_equal(a.view(np.uint64), b.view(np.uint64), err_msg=name)
            w._stop(discard=True)


def test_counts_kernel_is_numpys_cast_and_check():
    """kernels.counts.as_counts against its NumPy twin (astype, then array_equal) on random occupancies: whole counts
    (to the type's top), fractions, negatives, NaN, ±inf and values past the top."""
    from simsam.kernels.counts import as_counts

    rng = np.random.default_rng(15)
    for case in range(40):
        dtype = np.dtype([np.uint8, np.uint16, np.uint32][case % 3])
        top = float(np.iinfo(dtype).max)
        values = rng.integers(0, int(top) + 1, size=(int(rng.integers(1, 30)), 3, 12)).astype(np.float64)
        if case % 2:  # one value that is not a count
            values.reshape(-1)[int(rng.integers(values.size))] = rng.choice([0.5, -1.0, np.nan, np.inf, -np.inf, top + 1.0, 2.0**70])
        out = np.empty(values.shape, dtype=dtype)
        whole = as_counts(values, out, top)
        twin = values.astype(dtype) if np.isfinite(values).all() and (values >= 0).all() and (values <= top).all() else None
        assert whole == (twin is not None and np.array_equal(twin, values)), case
        if whole:
            np.testing.assert_array_equal(out, twin)

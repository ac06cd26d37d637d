"""The compact results file (issue 15, item 1): every variable reads back bit for bit, for every shipped
config, through ``read_results`` (xarray) and ``ResultsFile`` (the summaries' reader); a file of the previous
layout still reads; plain NetCDF readers see standard filters and masked integers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import simsam
from simsam.engine.run import run_chunks
from simsam.engine.sampling import ParameterSpace
from simsam.results import ResultsFile, ResultWriter, layout, read_results
from simsam.results.netcdf import write_netcdf
from simsam.workflows.run_folder import write_run, write_run_folder

from .helpers import CONFIGS, DATA, ROOT

SHIPPED = sorted(CONFIGS.glob("*.toml")) + [ROOT / "experiments" / "data" / "samverkansteamet_groups.toml"]


def _bits(a) -> np.ndarray:
    a = np.asarray(a)
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64) if a.dtype.kind == "f" else a


def assert_same(back: xr.Dataset, ref: xr.Dataset) -> None:
    """``back`` is ``ref``: variables, order, dims, dtypes, attributes, and every value to the bit."""
    xr.testing.assert_identical(back, ref)
    assert list(back.data_vars) == list(ref.data_vars)
    for name in ref.variables:
        assert back[name].dtype == ref[name].dtype, name
        np.testing.assert_array_equal(_bits(back[name].values), _bits(ref[name].values), err_msg=name)


def assert_file_reads(path: Path, ref: xr.Dataset) -> None:
    """:class:`ResultsFile` gives every variable of ``ref``, whole and one actor at a time, to the bit."""
    with ResultsFile(path) as results:
        assert {k: results.sizes[k] for k in ref.sizes} == dict(ref.sizes)
        for name in ref.data_vars:
            assert name in results, name
            np.testing.assert_array_equal(_bits(results[name].values), _bits(ref[name].values), err_msg=name)
            if "actor" in ref[name].dims:
                for actor in ref["actor"].values:
                    got = results.sel(actor=str(actor))[name].values
                    np.testing.assert_array_equal(_bits(got), _bits(ref[name].sel(actor=actor).values), err_msg=f"{name} {actor}")
        assert "project_cost" not in results and "cost_split" not in results.coords
        assert "occupancy" not in results and "state" not in results.coords
        if results.layout in (layout.COMPACT, layout.STATES):  # each actor's largest |value|, recorded while writing, exact
            for name in ("revenue", "annual_revenue", "cost", "net_benefit"):
                for actor in ref["actor"].values:
                    peak = np.nanmax(np.abs(ref[name].sel(actor=actor).values), initial=0.0)
                    assert results.max_abs(name, str(actor)) == peak, (name, actor)
        else:
            assert results.max_abs("revenue", "society") is None


def test_summary_a_column_at_a_time_is_the_whole_matrix_summary(tmp_path):
    """summary_of reads a year's column at a time (and the totals' sums year by year): the numbers of the
    whole (draw, year) matrices, bit for bit, from the file as from memory, above the threads' threshold too."""
    from simsam.analysis.summary import COLUMNS, continuous_stats, probability_stats, summary_of

    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    draws = 60_000  # > PARALLEL_DRAWS: the actors on two threads
    summary = write_run_folder(cfg, tmp_path / "run", draws, 4, chunk_draws=20_000)
    ds = simsam.simulate(cfg, draws=draws, seed=4, chunk_draws=20_000)
    parts = [ds.sel(actor=a) for a in ("fk", "af", "stat")]
    nb = sum(p["net_benefit"].values for p in parts)  # the whole matrix, summed as before
    expected = {"annual_revenue": continuous_stats(sum(p["annual_revenue"].values for p in parts)),
                "cost": continuous_stats(sum(p["cost"].values for p in parts))}
    expected.update({f"net_benefit_{y}y": continuous_stats(nb[:, i]) for i, y in enumerate(range(1, 6))})
    expected.update({f"p_net_benefit_positive_{y}y": probability_stats(nb[:, i] > 0) for i, y in enumerate(range(1, 6))})
    expected = {m: {**dict.fromkeys(COLUMNS, float("nan")), **r} for m, r in expected.items()}
    for got in (summary.totals, summary_of(ds).totals):
        assert json.dumps(got["state_total"]["rows"]) == json.dumps(expected)
    assert summary.frame().equals(simsam.summarize(ds))
    with ResultsFile(tmp_path / "run" / "results.nc") as results:
        column = results.sel(actor="kommun")["net_benefit"]
        np.testing.assert_array_equal(column.year_values(2), ds["net_benefit"].sel(actor="kommun", year=3).values)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_compact_file_reads_back_the_in_memory_run(path, tmp_path):
    """Streamed in chunks (the last one short) into the compact layout, read back with xarray and without:
    the Dataset simsam.simulate builds in memory, bit for bit, and the same summary."""
    cfg = simsam.load_config(path)
    draws, chunk = 300, 128
    summary = write_run_folder(cfg, tmp_path / "run", draws, 5, chunk_draws=chunk)
    ref = simsam.simulate(cfg, draws=draws, seed=5, chunk_draws=chunk)
    back = read_results(tmp_path / "run")
    assert_same(back, ref)
    assert_file_reads(tmp_path / "run" / "results.nc", ref)
    assert summary.frame().equals(simsam.summarize(ref))
    half = read_results(tmp_path / "run", max_draws=200)  # a prefix across a chunk boundary
    assert_same(half, ref.isel(draw=slice(0, 200)))


def test_compact_layout_is_standard_netcdf(tmp_path):
    """What a NetCDF reader without simsam sees: shuffle + deflate (no plugin), payback as masked uint8,
    no derived variable stored; the file is at least a third smaller than the float64 layout with
    --compression small, a quarter with the default (fast), whose float chunks are stored as they are."""
    import h5py

    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    write_run_folder(cfg, tmp_path / "new", 4000, 2, chunk_draws=1000, compression="small")
    write_run_folder(cfg, tmp_path / "fast", 4000, 2, chunk_draws=1000)
    ref = simsam.simulate(cfg, draws=4000, seed=2, chunk_draws=1000)
    (tmp_path / "old").mkdir()
    write_netcdf(ref, tmp_path / "old" / "results.nc")  # every variable float64, the previous layout
    with h5py.File(tmp_path / "new" / "results.nc", "r") as f:
        assert f.attrs[layout.LAYOUT_ATTRIBUTE] == layout.COMPACT
        for name in ("net_benefit", "revenue", "inputs", "payback_months", "project_cost"):
            assert (f[name].compression, f[name].compression_opts, f[name].shuffle) == ("gzip", layout.DEFLATE_LEVEL, True), name
            assert f[name].chunks[0] == 1000
        assert f["payback_months"].dtype == np.uint8
        assert not {"annual_revenue", "cost"} & set(f)
    with xr.open_dataset(tmp_path / "new" / "results.nc", engine="h5netcdf") as plain:
        months = plain["payback_months"].values
        expected = ref["payback_months"].values
        assert np.array_equal(np.isnan(months), np.isnan(expected))
        np.testing.assert_array_equal(months[~np.isnan(months)], expected[~np.isnan(expected)])
        np.testing.assert_array_equal(plain["project_cost"].values * plain["cost_split"].values[0], ref["cost"].values[:, 0])
    new, fast, old = ((tmp_path / d / "results.nc").stat().st_size for d in ("new", "fast", "old"))
    assert new < 0.67 * old and new < fast < 0.75 * old, (new, fast, old)
    assert_same(read_results(tmp_path / "fast"), ref)  # chunks stored as they are (filter mask) read as well
    with h5py.File(tmp_path / "fast" / "results.nc", "r") as f:
        masks = {f["net_benefit"].id.read_direct_chunk((0, a, 0))[0] for a in range(10)}
        assert masks == {0, layout.AS_IS}  # zeros (actors without flows) deflated, amounts as they are
        np.testing.assert_array_equal(f["net_benefit"][:], ref["net_benefit"].values)  # HDF5's own reading


def test_previous_layout_still_reads(tmp_path):
    """A results.nc of layout 1: the committed file (written by simsam run before the compact layout, a config
    with groups) and one written now by write_netcdf; both read as stored, by either reader. (write_run, a Dataset
    held in memory, now writes the compact layout: test_a_dataset_held_in_memory_is_written_compact.)"""
    old = DATA / "results_layout1.nc"
    with xr.open_dataset(old, engine="h5netcdf") as raw:
        raw = raw.load()
    assert layout.LAYOUT_ATTRIBUTE not in raw.attrs and raw["payback_months"].dtype == np.float64
    assert {"cost", "annual_revenue", "group_cost"} <= set(raw.data_vars)
    assert_same(read_results(old), raw)
    assert_file_reads(old, raw)
    config = simsam.results.config_of_results(raw)
    assert config.groups and raw.sizes["draw"] == 12
    ds = simsam.simulate(simsam.load_config(DATA / "engine.toml"), draws=50, seed=3)
    write_netcdf(ds, tmp_path / "results.nc")
    assert_same(read_results(tmp_path / "results.nc"), ds)
    assert_file_reads(tmp_path / "results.nc", ds)
    write_run(ds, tmp_path / "run")
    with ResultsFile(tmp_path / "run" / "results.nc") as results:
        assert results.layout == layout.COMPACT
    assert_same(read_results(tmp_path / "run"), ds)


def test_chunks_other_than_the_files_go_through_hdf5(tmp_path):
    """Run chunks that do not fall on the file's chunks (written through HDF5's own filters), in any order."""
    cfg = simsam.load_config(DATA / "engine.toml")
    space = ParameterSpace.from_config(cfg)
    path = tmp_path / "results.nc"
    with ResultWriter(path, cfg, space, np.arange(250), 9, "person", 100) as writer:
        for part in reversed(list(run_chunks(cfg, 250, 9, 60))):
            writer.write(part)
    assert_same(read_results(path), simsam.simulate(cfg, draws=250, seed=9))


def test_payback_codes_round_trip():
    """Whole months and NaN through the integer codes, for short and long horizons."""
    for horizon in (60, 254, 255, 600):
        dtype = layout.payback_dtype(horizon)
        months = np.array([1.0, 2.0, float(horizon), np.nan, 12.0])
        np.testing.assert_array_equal(_bits(layout.decode_payback(layout.encode_payback(months, dtype))), _bits(months))
        assert np.iinfo(dtype).max > horizon
    assert layout.payback_dtype(60) == np.uint8 and layout.payback_dtype(600) == np.uint16


def test_shuffle_is_hdf5s():
    """Chunks shuffled and deflated by simsam read back through HDF5's own filters (h5py)."""
    import io

    import h5py

    values = np.random.default_rng(1).normal(size=(64, 1, 5))
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        ds = f.create_dataset("x", shape=(64, 3, 5), dtype="f8", chunks=(64, 1, 5), compression="gzip", compression_opts=1, shuffle=True)
        ds.id.write_direct_chunk((0, 1, 0), layout.deflate(layout.shuffled(values)))
        np.testing.assert_array_equal(ds[:, 1:2, :], values)
    assert json.dumps(layout.DERIVED)


def test_xarray_engine_simsam_opens_the_whole_dataset(tmp_path):
    """xr.open_dataset(path, engine="simsam") (the entry point in pyproject.toml) gives simulate's Dataset to the bit
    from a compact file, where a plain open shows only what is stored; a file of layout 1 reads as stored."""
    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    ds = simsam.simulate(cfg, draws=300, seed=4)
    write_run_folder(cfg, tmp_path / "run", draws=300, seed=4)
    path = tmp_path / "run" / "results.nc"
    with xr.open_dataset(path, engine="h5netcdf") as plain:
        assert "cost" not in plain and "annual_revenue" not in plain and "project_cost" in plain
    with xr.open_dataset(path, engine="simsam") as back:
        assert_same(back, ds)
    with xr.open_dataset(path, engine="simsam", drop_variables=["inputs"]) as back:
        assert "inputs" not in back and "cost" in back
    old = DATA / "results_layout1.nc"
    with xr.open_dataset(old, engine="h5netcdf") as raw, xr.open_dataset(old, engine="simsam") as back:
        assert_same(back, raw.load())


@pytest.mark.parametrize("path", [CONFIGS / "samverkansteamet.toml", CONFIGS / "bas_trelleborg.toml",
                                  ROOT / "experiments" / "data" / "samverkansteamet_groups.toml"], ids=lambda p: p.stem)
def test_inputs_from_the_seed_read_back_bit_for_bit(path, tmp_path):
    """``--inputs seed``: no inputs variable in the file, yet read_results, the xarray engine and ResultsFile give the
    in-memory run to the bit (inputs drawn again from the stored config and seed), prefixes across a chunk edge
    included; the summary is the stored-inputs run's; the file is smaller by about the inputs' 8 bytes per value."""
    import h5py

    cfg = simsam.load_config(path)
    draws, chunk = 300, 128
    summary = write_run_folder(cfg, tmp_path / "seed", draws, 5, chunk_draws=chunk, inputs="seed")
    write_run_folder(cfg, tmp_path / "stored", draws, 5, chunk_draws=chunk)
    ref = simsam.simulate(cfg, draws=draws, seed=5, chunk_draws=chunk)
    file = tmp_path / "seed" / "results.nc"
    with h5py.File(file) as f:
        assert "inputs" not in f and f.attrs[layout.INPUTS_ATTRIBUTE] == "seed"
        checks = json.loads(f.attrs[layout.INPUTS_CHECK_ATTRIBUTE])
    assert [c[:2] for c in checks] == [[0, 128], [128, 256], [256, 300]]
    assert_same(read_results(tmp_path / "seed"), ref)
    assert_same(xr.open_dataset(file, engine="simsam"), ref)
    assert_file_reads(file, ref)
    with ResultsFile(file) as results:
        assert results.attrs == {k: (v.item() if isinstance(v, np.generic) else v) for k, v in ref.attrs.items()}
    assert_same(read_results(tmp_path / "seed", max_draws=200), ref.isel(draw=slice(0, 200)))
    assert summary.frame().equals(simsam.summarize(ref))
    assert (tmp_path / "seed" / "summary.csv").read_text() == (tmp_path / "stored" / "summary.csv").read_text()
    saved = (tmp_path / "stored" / "results.nc").stat().st_size - file.stat().st_size
    assert saved >= 0.8 * 8 * draws * ref.sizes["parameter"]


def test_inputs_that_do_not_come_out_as_written_are_refused(tmp_path):
    """A file whose inputs a different sampling would give (here: one checksum changed) is refused with a ConfigError
    naming the file and the draws, never read with other inputs; the other variables still read."""
    import h5py

    from simsam.errors import ConfigError

    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    write_run_folder(cfg, tmp_path / "run", 200, 3, chunk_draws=100, inputs="seed")
    file = tmp_path / "run" / "results.nc"
    with h5py.File(file, "r+") as f:
        checks = json.loads(f.attrs[layout.INPUTS_CHECK_ATTRIBUTE])
        checks[1][2] ^= 1
        f.attrs[layout.INPUTS_CHECK_ATTRIBUTE] = json.dumps(checks)
    with pytest.raises(ConfigError, match=r"results\.nc: its inputs .* draws 100\.\.199"):
        read_results(tmp_path / "run")
    with ResultsFile(file) as results:
        with pytest.raises(ConfigError, match="draws 100..199"):
            results.inputs()
        assert results["payback_months"].values.shape == (200, len(cfg.actors) + 1)
    assert read_results(tmp_path / "run", max_draws=100).sizes["draw"] == 100  # the first chunk alone is as written


def test_writer_refuses_an_unknown_inputs_mode(tmp_path):
    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    with pytest.raises(ValueError, match="inputs must be one of stored, seed"):
        ResultWriter(tmp_path / "r.nc", cfg, ParameterSpace.from_config(cfg), np.arange(10), 1, "person", 10, inputs="none")


@pytest.mark.parametrize("path", [CONFIGS / "samverkansteamet.toml", ROOT / "experiments" / "data" / "samverkansteamet_groups.toml"],
                         ids=lambda p: p.stem)
def test_a_dataset_held_in_memory_is_written_compact(path, tmp_path):
    """write_results (--until-se, experiment, split and monitor folders): a simulate Dataset, with attributes of its own
    added, is written in the compact layout and reads back as itself, bit for bit; one edited by hand (a cost that is
    not project cost × split) is written as it is (layout 1), and reads back as itself too."""
    import h5py

    from simsam.results.netcdf import write_results

    cfg = simsam.load_config(path)
    ref = simsam.simulate(cfg, draws=700, seed=8)
    ref.attrs["until_se"], ref.attrs["converged"] = 0.01, 1
    write_results(ref, tmp_path / "a.nc", chunk_draws=256)
    with h5py.File(tmp_path / "a.nc") as f:
        assert layout.layout_of(f.attrs) == layout.COMPACT and "cost" not in f
    assert_same(read_results(tmp_path / "a.nc"), ref)
    assert_file_reads(tmp_path / "a.nc", ref)
    edited = ref.copy(deep=True)
    edited["cost"].values[3, 0] += 1.0
    write_results(edited, tmp_path / "b.nc")
    with h5py.File(tmp_path / "b.nc") as f:
        assert layout.layout_of(f.attrs) == 1 and "cost" in f
    assert_same(read_results(tmp_path / "b.nc"), edited)


def test_until_se_folder_is_compact_and_reads_back(tmp_path):
    """simsam run --until-se writes its results.nc in the compact layout; it reads back as the run in memory."""
    from simsam.analysis.convergence import run_until_se
    from simsam.cli import main

    config = CONFIGS / "samverkansteamet.toml"
    out = tmp_path / "se"
    assert main(["run", str(config), "--until-se", "0.2", "--draws", "300", "--seed", "3", "--out", str(out), "--quiet"]) == 0
    with ResultsFile(out / "results.nc") as results:
        assert results.layout == layout.COMPACT
    ds, _ = run_until_se(simsam.load_config(config), 0.2, seed=3, batch=300)
    back = read_results(out)
    assert {k: v for k, v in back.attrs.items() if k not in ("until_se", "converged")} == dict(ds.attrs)
    assert_same(back.drop_attrs(), ds.drop_attrs())
    seeded = tmp_path / "se-seed"  # --inputs seed applies to --until-se too
    assert main(["run", str(config), "--until-se", "0.2", "--draws", "300", "--seed", "3", "--out", str(seeded), "--quiet",
                 "--inputs", "seed"]) == 0
    with ResultsFile(seeded / "results.nc") as results:
        assert results._seeded and "inputs" not in results._file.variables
    assert_same(read_results(seeded), back)


def test_full_mantissas_spare_the_trial_and_decide_as_it_would(tmp_path):
    """encode_chunk's quick test (the last mantissa byte of the first numbers): amounts go as they are without a trial
    deflate, and zeros, whole numbers, short fractions and uint8 still go through the trial; on a shipped config's
    draws every chunk stored as it is would also have been by the trial alone."""
    from simsam.results.layout import _full_mantissas

    rng = np.random.default_rng(3)
    amounts = rng.normal(size=2000) * 1e6
    assert _full_mantissas(amounts) and _full_mantissas(amounts.astype(">f8"))
    for other in (np.zeros(2000), np.round(amounts), np.full(2000, 0.25), rng.integers(0, 255, 2000).astype(np.uint8)):
        assert not _full_mantissas(other)
    cfg = simsam.load_config(CONFIGS / "samverkansteamet.toml")
    chunk = next(run_chunks(cfg, 4000, 1, 4000))
    with ResultWriter(tmp_path / "r.nc", cfg, ParameterSpace.from_config(cfg), np.arange(4000), 1, "person", 4000) as writer:
        stored = 0
        for name, _, data, mask in writer.encoder.encode(chunk).pieces:
            if mask != layout.AS_IS:
                continue
            block = np.frombuffer(data, dtype=np.dtype(writer.encoder.specs[name][1]))
            sample = block[: max(1, len(block) // 16)]
            assert len(layout.deflate(layout.shuffled(sample))) > layout.DEFLATE_WORTH * sample.nbytes, name
            stored += 1
    assert stored > 50


def test_column_peaks_kernel_is_numpys_reductions():
    """simsam.kernels.extremes.column_peaks against its NumPy twin, max(fmax.reduce, −fmin.reduce, 0) per column:
    random columns with NaN, ±inf, all-NaN and all-zero columns and zeros of both signs (a zero peak is +0.0)."""
    from simsam.kernels.extremes import column_peaks

    rng = np.random.default_rng(21)
    for _ in range(30):
        n, m = rng.integers(1, 400), rng.integers(1, 12)
        v = rng.normal(size=(n, m)) * 10.0 ** rng.integers(-5, 8, size=(n, m))
        v[rng.random(v.shape) < 0.1] = np.nan
        v[rng.random(v.shape) < 0.05] = 0.0
        v[rng.random(v.shape) < 0.05] = -0.0
        v[:, 0] = np.nan
        if m > 1:
            v[:, 1] = -0.0
        if m > 2 and rng.random() < 0.3:
            v[0, 2] = -np.inf
        want = np.fmax(np.fmax(np.fmax.reduce(v, axis=0), -np.fmin.reduce(v, axis=0)), 0.0) + 0.0
        got = column_peaks(v)
        assert np.array_equal(got.view(np.uint64), want.view(np.uint64)), (got, want)

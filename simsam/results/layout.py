"""The compact layout of ``results.nc`` (layout 2): what is stored, what is rebuilt on reading.

A results file of layout 2 (attribute ``simsam_layout = 2``) holds every variable of the
result Dataset (:mod:`simsam.results.dataset`) bit for bit, in less room:

- ``annual_revenue`` and ``group_annual_revenue`` are not stored: they are the first year
  of ``revenue`` / ``group_revenue``.
- ``cost`` is not stored: it is the project cost ``project_cost (draw,)`` kr times each
  actor's share ``cost_split (actor,)`` (society: the sum over actors), computed as the
  engine computes it (:func:`simsam.engine.accounting.split_cost`,
  :func:`simsam.engine.inputs.with_society`); ``group_cost`` is ``cost`` times each group's
  ``group_cost_share``. The writer checks, chunk by chunk, that the rebuilt values are the
  engine's to the bit before it leaves them out.
- ``payback_months`` and ``group_payback_months`` (whole months 1 … horizon, NaN when not
  reached) are stored as ``uint8`` (``uint16`` beyond a horizon of 254 months) with
  ``_FillValue`` = the type's largest value for NaN; a plain NetCDF reader sees them as
  masked integers.
- Every stored variable is HDF5-chunked along ``draw`` (one chunk per run chunk, actor,
  parameter and year), with the shuffle filter and deflate level 1: the filters every
  NetCDF-4 reader has (netCDF-C, netCDF4-python, h5py, R's ncdf4, MATLAB), no plugin
  needed. The writer compresses the chunks itself (ISA-L's deflate when the ``isal``
  package is there, ~1 GB/s, else zlib's), in a thread of its own, and hands them to HDF5
  as they are. By default (``simsam run --compression fast``) a chunk that would not
  deflate to 60 % of its size (a column of amounts: only the sign and exponent bytes of a
  double compress) is stored as it is, the filters marked as skipped in that chunk's
  filter mask, which every HDF5 reader honours; ``--compression small`` deflates every
  chunk. ``nccopy -d1 -s`` or ``h5repack -f SHUF -f GZIP=1`` recompress either file.

With ``simsam run --inputs seed`` the inputs are not stored either (232 of a Samverkansteamet
draw's 892 bytes): every input value of draw *i* is a function of the config, the seed and *i*
only (:mod:`simsam.engine.streams`), and the file keeps all three (attributes ``config``,
``seed`` and the ``draw`` coordinate), so they are drawn again on reading
(:func:`rebuild_inputs`). The file attribute ``simsam_inputs = "seed"`` says so, and
``simsam_inputs_crc32`` holds the CRC-32 of each written chunk's inputs: a file read by a simsam
whose sampling gives other numbers is refused, never read with other inputs. A plain NetCDF
reader does not see the inputs of such a file.

With ``simsam run --store states`` (layout 3, ``simsam_layout = 3``) the file keeps what the
simulation drew and nothing it computed from it: every draw's ``occupancy (draw, state, month)``,
the participants in each of the kernel's states (with ``[groups]`` one block of states per group,
named ``group/state``) in every month, whole numbers stored as ``uint8`` (``uint16``, ``uint32``
for larger cohorts), and the inputs (or, with ``--inputs seed``, not even those). Every result
is linear in the occupancy: the revenue and net benefit of each actor, its payback month, cost
and utilised potential are computed again on reading by the engine's own code
(:func:`simsam.engine.evaluate.evaluate` with ``given``) from the occupancy and the inputs: bit
for bit what the run computed (the writer checks the run's first chunk). A Samverkansteamet draw
takes ~300 bytes (~60 with ``--inputs seed``), but only simsam can read the amounts back.

``simsam.open_results`` (:func:`simsam.results.read_results`) and
:class:`simsam.results.ResultsFile` rebuild the rest; a file of layout 1 (every variable
stored as float64, written before layout 2 and by :func:`simsam.results.netcdf.write_netcdf`)
reads as before.
"""

from __future__ import annotations

import json
import sys
import zlib
from types import SimpleNamespace

import numpy as np

from ..engine.accounting import split_cost
from ..engine.inputs import with_society
from ..engine.run import count_dtype
from ..engine.sampling import ParameterSpace
from ..errors import ConfigError
from .dataset import config_of_results

__all__ = [
    "INPUTS_ATTRIBUTE", "INPUTS_CHECK_ATTRIBUTE", "INPUTS", "FILE_ATTRIBUTES", "inputs_checksum", "rebuild_inputs", "inputs_from_seed",
    "LAYOUT_ATTRIBUTE", "MAX_ABS_ATTRIBUTE", "COMPACT", "DERIVED", "STORAGE", "PAYBACK", "DEFLATE_LEVEL", "payback_dtype", "encode_payback",
    "STATES", "STORES", "STATES_STORAGE", "occupancy_dtype", "state_labels",
    "decode_payback", "rebuild_cost", "rebuild_group_cost", "same_bits", "shuffled", "deflate", "layout_of", "encode_chunk", "decode_chunk", "inflate", "unshuffled", "DEFLATE_WORTH", "AS_IS", "COMPRESSIONS",
]

#: The file attribute naming the layout (absent: layout 1).
LAYOUT_ATTRIBUTE = "simsam_layout"
#: The file attribute with, per variable, each actor's largest ``|value|`` (JSON; what tables ask of a file
#: to leave out actors without flows, without reading every draw).
MAX_ABS_ATTRIBUTE = "simsam_max_abs"
COMPACT = 2
#: The layout of ``--store states``: occupancy and inputs, every result computed again on reading.
STATES = 3
#: ``simsam run --store``: the results as amounts (layout 2, any NetCDF reader) or the cohort's states (layout 3).
STORES = ("amounts", "states")
#: What a file of layout 3 stores beside the inputs (not in the Dataset read back).
STATES_STORAGE = ("occupancy", "state", "month")
#: The file attribute ``"seed"`` when the inputs are drawn again on reading (absent: stored).
INPUTS_ATTRIBUTE = "simsam_inputs"
#: The file attribute with ``[[first draw position, stop, CRC-32 of the inputs' float64 bytes], ...]`` per written chunk (JSON).
INPUTS_CHECK_ATTRIBUTE = "simsam_inputs_crc32"
#: ``simsam run --inputs``: stored in the file, or drawn again from the seed on reading.
INPUTS = ("stored", "seed")
#: Attributes of the file, not of the result Dataset it holds (left out on reading).
FILE_ATTRIBUTES = (LAYOUT_ATTRIBUTE, MAX_ABS_ATTRIBUTE, INPUTS_ATTRIBUTE, INPUTS_CHECK_ATTRIBUTE)
#: Dataset variables a compact file does not store (rebuilt on reading).
DERIVED = ("annual_revenue", "cost", "group_annual_revenue", "group_cost")
#: Variables a compact file stores only to rebuild others (not in the Dataset read back).
STORAGE = ("project_cost", "cost_split")
#: Whole months, stored as small unsigned integers.
PAYBACK = ("payback_months", "group_payback_months")
#: deflate's level: 1 compresses doubles as well as 9 does (only their sign and exponent bytes
#: compress) at several times the speed.
DEFLATE_LEVEL = 1

try:  # ISA-L's deflate, 10-20 times zlib's speed at level 1, the same zlib format
    from isal import isal_zlib as _zlib  # optional (pyproject's dependency); zlib writes the same files
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    _zlib = zlib


def layout_of(attrs) -> int:
    """The layout of a results file from its attributes (1 when it does not say)."""
    return int(np.asarray(attrs.get(LAYOUT_ATTRIBUTE, 1)).reshape(-1)[0])  # h5py reads the attribute as a 1-element array


#: The file's type of a state's occupancy: the type a run's chunks carry it in (:func:`simsam.engine.run.count_dtype`).
occupancy_dtype = count_dtype


def state_labels(config) -> list[str]:
    """The kernel's states as ``occupancy`` names them: the config's outcome states, with ``[groups]``
    ``group/state`` for each group's block (:func:`simsam.engine.inputs.kernel_arguments`)."""
    states = [str(k) for k in config.outcomes.states]
    if not config.groups:
        return states
    return [f"{g}/{k}" for g in config.groups for k in states]


def payback_dtype(horizon_months: int) -> np.dtype:
    """The smallest unsigned type holding months 1 … ``horizon_months`` and a fill value."""
    return np.dtype(np.uint8) if horizon_months < 255 else np.dtype(np.uint16) if horizon_months < 65535 else np.dtype(np.uint32)


def encode_payback(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Payback months (float, NaN: never) as ``dtype`` with its largest value for NaN."""
    fill = np.iinfo(dtype).max
    return np.where(np.isnan(values), fill, values).astype(dtype)


def decode_payback(stored: np.ndarray) -> np.ndarray:
    """:func:`encode_payback` undone: float64 months, NaN where the fill value is."""
    stored = np.asarray(stored)
    out = stored.astype(np.float64)
    out[stored == np.iinfo(stored.dtype).max] = np.nan
    return out


def rebuild_cost(total: np.ndarray, split: np.ndarray) -> np.ndarray:
    """Each actor's cost, society last, shape ``(draw, actor)``, from ``total (draw,)`` kr and ``split (actor - 1,)``."""
    return with_society(split_cost(total, split), axis=1)


def rebuild_group_cost(cost: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Each group's cost ``(draw, group, actor)`` from ``cost (draw, actor)`` and ``shares (group,)``."""
    return np.asarray(cost)[:, None, :] * np.asarray(shares)[None, :, None]


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` and ``b`` have the same shape and the same bits (-0.0 is not 0.0; NaN is NaN)."""
    a, b = np.ascontiguousarray(a, dtype=np.float64), np.ascontiguousarray(b, dtype=np.float64)
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


def shuffled(block: np.ndarray) -> bytes:
    """The bytes of ``block`` as HDF5's shuffle filter leaves them: byte 0 of every element, then byte 1, …"""
    a = np.ascontiguousarray(block)
    if a.itemsize == 1:
        return a.tobytes()
    return a.view(np.uint8).reshape(-1, a.itemsize).T.tobytes()


def deflate(data: bytes) -> bytes:
    """``data`` compressed as HDF5's deflate filter stores it (a zlib stream)."""
    return _zlib.compress(data, DEFLATE_LEVEL)


#: A chunk is deflated when a sample of it deflates to at most this share of its size; else it is stored
#: as it is (HDF5's filter mask says so per chunk, and every HDF5 reader honours it). Zeros, payback months
#: and other regular data deflate to a few per cent; a column of float64 amounts only to ~82 % (the six
#: low bytes of a double are noise), which is not worth deflating at write and inflating at every read.
DEFLATE_WORTH = 0.6
#: The filter mask of a chunk stored as it is: shuffle (bit 0) and deflate (bit 1) not applied.
AS_IS = 0b11


#: ``simsam run --compression``: ``fast`` deflates the chunks that pay (:data:`DEFLATE_WORTH`), ``small`` every chunk
#: (Samverkansteamet: ~890 and ~770 bytes a draw; ``small`` costs ~1 s more per 10⁶ draws to write and to read).
COMPRESSIONS = ("fast", "small")


def encode_chunk(block: np.ndarray, compression: str = "fast") -> tuple[bytes | np.ndarray, int]:
    """A chunk's bytes as HDF5 stores them and its filter mask: shuffled and deflated (mask 0) when that pays
    (:data:`DEFLATE_WORTH`, judged on the first 1/16) or ``compression`` is ``"small"``, else as they are
    (:data:`AS_IS`): then the block's own memory as a flat ``uint8`` array, not a copy (what HDF5 writes from and
    pickles as bytes; ``len`` is its size in bytes, as of the deflated ``bytes``)."""
    block = np.ascontiguousarray(block)
    sample = block[: max(1, len(block) // 16)]
    if compression == "fast" and sample.nbytes and (_full_mantissas(sample) or len(deflate(shuffled(sample))) > DEFLATE_WORTH * sample.nbytes):
        return block.reshape(-1).view(np.uint8), AS_IS
    return deflate(shuffled(block)), 0


def _full_mantissas(sample: np.ndarray) -> bool:
    """Whether ``sample`` is float64 whose last mantissa byte is nonzero in 9 of 10 of its first 256 numbers: amounts
    computed from continuous inputs, of which deflate takes only the sign and exponent bytes (two of eight, never
    :data:`DEFLATE_WORTH`), so the trial deflate is spared; zeros, whole numbers and short fractions go to the trial."""
    if sample.dtype.kind != "f" or sample.dtype.itemsize != 8:
        return False
    little = sample.dtype.byteorder == "<" or (sample.dtype.byteorder == "=" and sys.byteorder == "little")
    low = np.ascontiguousarray(sample.reshape(-1)[:256]).view(np.uint8)[0 if little else 7 :: 8]
    return np.count_nonzero(low) >= 0.9 * low.size


def decode_chunk(data: bytes, mask: int, dtype, shape: tuple[int, ...]) -> np.ndarray:
    """:func:`encode_chunk` undone: the block of ``shape`` and ``dtype`` from a chunk's stored bytes and filter mask
    (a set bit is a filter skipped: bit 1 deflate, bit 0 shuffle)."""
    raw = data if mask & 2 else inflate(data)
    if mask & 1:
        return np.frombuffer(raw, dtype=dtype).reshape(shape)
    return unshuffled(raw, dtype, shape)


def inflate(data: bytes) -> bytes:
    """:func:`deflate` undone."""
    return _zlib.decompress(data)


def unshuffled(data: bytes, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """:func:`shuffled` undone: the block of ``shape`` and ``dtype``."""
    dtype = np.dtype(dtype)
    raw = np.frombuffer(data, dtype=np.uint8)
    if dtype.itemsize > 1:
        raw = raw.reshape(dtype.itemsize, -1).T.copy()
    return raw.view(dtype).reshape(shape)


def inputs_from_seed(attrs) -> bool:
    """Whether a results file with these attributes draws its inputs again on reading (``--inputs seed``)."""
    return attrs.get(INPUTS_ATTRIBUTE) == "seed"


def inputs_checksum(values: np.ndarray) -> int:
    """CRC-32 of ``values (draw, parameter)`` as C-ordered float64 bytes."""
    return _zlib.crc32(memoryview(np.ascontiguousarray(values, dtype=np.float64)).cast("B"))


def rebuild_inputs(attrs, draws: np.ndarray, path="results.nc") -> np.ndarray:
    """The inputs ``(draw, parameter)`` of a file written with ``--inputs seed``, drawn again.

    ``attrs`` are the file's attributes (its ``config``, ``seed`` and the checksums), ``draws``
    the global draw indices read (the ``draw`` coordinate, or its first ``max_draws``). Every
    written chunk wholly among ``draws`` is checked against its CRC-32.

    Raises
    ------
    ConfigError
        The inputs drawn do not match the file's checksums (``path`` named): this simsam samples
        differently from the one that wrote the file.
    """
    config = config_of_results(SimpleNamespace(attrs=attrs))
    values = ParameterSpace.from_config(config).sample(int(attrs["seed"]), np.asarray(draws, dtype=np.int64))
    for start, stop, crc in json.loads(attrs.get(INPUTS_CHECK_ATTRIBUTE, "[]")):
        if stop <= len(values) and inputs_checksum(values[start:stop]) != crc:
            raise ConfigError(str(path), f"its inputs (not stored: --inputs seed) do not come out as written for draws {start}..{stop - 1}: "
                                         f"read it with the simsam that wrote it (version {attrs.get('simsam_version', '?')})")
    return values

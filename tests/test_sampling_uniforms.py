"""The compiled keyed uniforms (:func:`simsam.kernels.rng.keyed_uniforms`) against their NumPy twin
(:func:`simsam.engine.streams.uniforms`, column by column): the same bits, for any seed, draws and names."""

from __future__ import annotations

import numpy as np
import pytest

import simsam
from simsam.engine import streams
from simsam.engine.sampling import ParameterSpace

from .helpers import CONFIGS


@pytest.mark.parametrize("case", range(8))
def test_compiled_uniforms_are_the_numpy_streams(case):
    rng = np.random.default_rng(case)
    cfg = simsam.load_config(sorted(CONFIGS.glob("*.toml"))[case % 7])  # the point configs have no uncertain input
    space = ParameterSpace.from_config(cfg)
    seed = int(rng.integers(0, 2**63))
    draws = rng.integers(0, 2**40, size=int(rng.integers(1, 300)))  # global indices, in any order, large ones too
    got = space.uniforms(seed, draws)
    want = np.stack([streams.uniforms(seed, name, draws) for name in space.names] or [np.empty(len(draws))], axis=1)[:, : space.size]
    np.testing.assert_array_equal(got.view(np.uint64), want.view(np.uint64))
    assert got.shape == (len(draws), space.size)
    assert got.size == 0 or (0.0 < got.min() and got.max() < 1.0)


def test_no_draws_no_numbers():
    space = ParameterSpace.from_config(simsam.load_config(CONFIGS / "samverkansteamet.toml"))
    assert space.uniforms(1, np.array([], dtype=np.int64)).shape == (0, space.size)

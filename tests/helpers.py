"""Shared fixtures of the engine tests (imported by the test modules that use them)."""

from __future__ import annotations

from pathlib import Path

import pytest

import simsam

DATA = Path(__file__).parent / "data"
CONFIGS = Path(__file__).parents[1] / "configs"


@pytest.fixture(scope="session")
def engine_config():
    """Uncertain inputs of every kind, Dirichlet shares, uncertain transitions."""
    return simsam.load_config(DATA / "engine.toml")

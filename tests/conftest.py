"""Fixtures shared by the test modules: ``engine_config`` (every kind of input) and ``make_config`` (edited copies of tests/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

import simsam

DATA = Path(__file__).parent / "data"


def _edit(text: str, edits, name: str) -> str:
    """Apply ``(old, new)`` replacements (``old`` must occur exactly once); ``(None, new)`` appends."""
    for old, new in edits:
        if old is None:
            text += new
            continue
        count = text.count(old)
        assert count == 1, f"{name}: {old!r} occurs {count} times, not once (stale test edit?)"
        text = text.replace(old, new)
    return text


@pytest.fixture
def make_config(tmp_path):
    """Write tests/data/minimal.toml and base.toml, edited, to a fresh folder; return minimal's path.

    ``make(main=[(old, new), ...], base=[...], files={"other.toml": text})``.
    """

    def make(main=(), base=(), files=None) -> Path:
        folder = tmp_path / "cfg"
        folder.mkdir(exist_ok=True)
        for name, edits in (("minimal.toml", main), ("base.toml", base)):
            text = _edit((DATA / name).read_text(encoding="utf-8"), edits, name)
            (folder / name).write_text(text, encoding="utf-8")
        for name, text in (files or {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        return folder / "minimal.toml"

    return make


@pytest.fixture(scope="session")
def engine_config():
    """Uncertain inputs of every kind, Dirichlet shares, uncertain transitions (tests/data/engine.toml)."""
    return simsam.load_config(DATA / "engine.toml")


@pytest.fixture(scope="session")
def experiment_folder(tmp_path_factory):
    """The shipped experiment (experiments/samverkansteamet.toml) with 400 draws and Sobol n = 64: every kind of analysis."""
    from .helpers import small_experiment

    return small_experiment(tmp_path_factory.mktemp("experiment"), draws=400, sobol_n=64)

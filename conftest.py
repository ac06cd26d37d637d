"""Doctests of the package run from the checkout's root, so their examples can use the README's paths (``configs/...``)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parent


@pytest.fixture(autouse=True)
def _doctests_run_in_the_checkout(request, monkeypatch):
    # Only doctest items: the tests in tests/ choose their own folders (tmp_path, monkeypatch.chdir).
    if isinstance(request.node, pytest.DoctestItem):
        monkeypatch.chdir(ROOT)

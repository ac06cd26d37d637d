"""Configs: TOML with ``extends``, validated into a typed :class:`Config`."""

from __future__ import annotations

import os

from .loading import RawConfig, read_config, read_config_string
from .schema import Config, build_config

__all__ = ["Config", "RawConfig", "load_config", "loads"]


def load_config(path: str | os.PathLike) -> Config:
    """Read, merge (``extends``) and validate a config file.

    Raises
    ------
    simsam.ConfigError
        Naming the key path and what is wrong with it.
    """
    return build_config(read_config(path))


def loads(text: str, folder: str | os.PathLike = ".") -> Config:
    """Like :func:`load_config` for TOML text; ``extends`` is relative to ``folder``."""
    return build_config(read_config_string(text, folder))

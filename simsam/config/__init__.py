"""Configs: TOML with ``extends``, validated into a typed :class:`Config`."""

from __future__ import annotations

import copy
import os

from .build import build_config
from .loading import RawConfig, _merge, read_config, read_config_string
from .model import Config

__all__ = ["Config", "RawConfig", "load_config", "loads", "override"]


def load_config(path: str | os.PathLike) -> Config:
    """Read, merge (``extends``) and validate a config file.

    Raises
    ------
    simsam.ConfigError
        Naming the key path and what is wrong with it.

    Examples
    --------
    >>> cfg = load_config("configs/samverkansteamet.toml")    # extends base/sweden.toml
    >>> cfg.benefits["activity_support"].monthly.describe()  # this file's 2016 level, not the base's
    'pert(min 4850, mode 4850, max 7940)'
    >>> cfg.economy.uplift.value                             # from the base
    1.25
    >>> cfg.economy.tax_rules, cfg.economy.rules_year        # the base's rules, this file's year
    ('sweden', 2016)
    """
    return build_config(read_config(path))


def loads(text: str, folder: str | os.PathLike = ".") -> Config:
    """Like :func:`load_config` for TOML text; ``extends`` is relative to ``folder``."""
    return build_config(read_config_string(text, folder))


def override(config: Config, table: dict, label: str = "override") -> Config:
    """The config with ``table`` merged over it, as an extending file would be.

    For scenarios and command-line changes. Errors in ``table`` name ``label`` as their source.

    >>> cfg = load_config("configs/samverkansteamet.toml")
    >>> override(cfg, {"project": {"participants": 100}}).project.participants
    100
    >>> override(cfg, {"project": {"participants": 0}}, label="--participants")
    Traceback (most recent call last):
    simsam.errors.ConfigError: project.participants: must be at least 1, not 0 (in --participants)
    """
    origins = dict(config.raw.origins)
    merged = _merge(copy.deepcopy(config.raw.data), copy.deepcopy(table), origins, label)
    return build_config(config.raw.with_layer(merged, origins, label, table))

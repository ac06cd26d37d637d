"""``simsam describe CONFIG``: what a config has, so that nobody needs to open its base files to learn the names."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import Command

__all__ = ["COMMANDS"]


def _describe_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", type=Path)


def cmd_describe(args) -> int:
    # Imported here so that `simsam --help` stays fast; neither imports xarray or scipy.stats.
    from ..config import load_config
    from ..report.config_text import config_text  # on use: simsam --help and the other commands do not load it

    print(config_text(load_config(args.config)))
    return 0


COMMANDS = (
    Command(
        "describe",
        "print a config's actors, benefits, resources, project, outcome states, transitions and uncertain inputs",
        _describe_arguments,
        cmd_describe,
    ),
)

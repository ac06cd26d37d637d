"""What a folder holds for the report: a run folder, an experiment folder (``manifest.json``) or a portfolio folder.

:func:`find_analyses` looks in the folder and in its subfolders (one level:
``simsam run`` writes ``results/<stem>/``, the other commands their
``results/<stem>/<analysis>/`` beside it; ``simsam experiment`` one subfolder per
analysis) and returns every analysis it finds, by the files each command
writes: ``results.nc`` (a run), ``sensitivity.nc``, ``compare.csv``,
``decision.nc``, ``breakeven.json``, ``portfolio.csv``, ``monitor.json``, ``split.json``. Nothing large is read
here: the report reads each file for what it shows (``compare.csv`` rather
than the paired draws of ``compare.nc``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.sensitivity import METHODS
from ..errors import ConfigError

__all__ = ["Analyses", "find_analyses", "SENSITIVITY_METHODS"]

SENSITIVITY_METHODS = METHODS  # the sensitivity analysis's methods, in the order the report shows them

#: The file that marks each kind of analysis folder.
MARKERS = {
    "run": "results.nc",
    "sensitivity": "sensitivity.nc",
    "compare": "compare.csv",
    "decision": "decision.nc",
    "breakeven": "breakeven.json",
    "portfolio": "portfolio.csv",
    "monitor": "monitor.json",
    "split": "split.json",
}


@dataclass(frozen=True)
class Analyses:
    """The analyses of a folder, each a folder path, in the order a reader meets them.

    Attributes
    ----------
    kind : {"run", "experiment", "portfolio"}
    root : Path
    run : Path or None
        The folder with ``results.nc`` (the folder itself, or an experiment's ``run/``).
    manifest : dict or None
        An experiment's ``manifest.json``.
    sensitivity, compare, decision, breakeven, portfolio, monitor, split : list of Path
    names : dict
        Folder → the analysis's name in the manifest (else the folder's name).
    options : dict
        Folder → the analysis's options in the manifest (e.g. the decision's ``year``).
    """

    kind: str
    root: Path
    run: Path | None = None
    manifest: dict | None = None
    sensitivity: list = field(default_factory=list)
    compare: list = field(default_factory=list)
    decision: list = field(default_factory=list)
    breakeven: list = field(default_factory=list)
    portfolio: list = field(default_factory=list)
    monitor: list = field(default_factory=list)
    split: list = field(default_factory=list)
    names: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    def kinds(self) -> list[str]:
        """The kinds of analysis found, in report order."""
        return [k for k in ("run", "split", "monitor", "compare", "breakeven", "decision", "sensitivity", "portfolio") if getattr(self, k)]


def _sensitivity_order(path: Path) -> tuple:
    method = path.name.removeprefix("sensitivity-")
    return (SENSITIVITY_METHODS.index(method) if method in SENSITIVITY_METHODS else 99, path.name)


def find_analyses(folder) -> Analyses:
    """Every analysis in ``folder`` (a run, experiment or portfolio folder) and its subfolders.

    Raises
    ------
    ConfigError
        When the folder does not exist or holds no result of any simsam command.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ConfigError(str(root), "no such folder: give a run folder (simsam run), an experiment folder (simsam experiment) "
                                     "or a portfolio folder (simsam portfolio)")
    manifest = None
    if (root / "manifest.json").is_file():
        try:
            manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(str(root / "manifest.json"), f"cannot be read: {exc}") from None
    found: dict[str, list[Path]] = {k: [] for k in MARKERS}
    names, options = {}, {}
    if manifest is not None:
        for a in manifest.get("analyses", []):
            sub = root / str(a.get("folder", a.get("name", "")))
            kind = a.get("kind")
            if kind in MARKERS and (sub / MARKERS[kind]).is_file():
                found[kind].append(sub)
                names[sub] = str(a.get("name", sub.name))
                options[sub] = dict(a.get("options") or {})
    for candidate in [root, *sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "figures")))]:
        for kind, marker in MARKERS.items():
            if (candidate / marker).is_file() and candidate not in found[kind]:
                found[kind].append(candidate)
                names.setdefault(candidate, candidate.name)
    runs = found["run"]
    run = root if root in runs else (runs[0] if runs else None)
    if run is None and not found["portfolio"]:
        raise ConfigError(str(root), "no results.nc here or in a subfolder: run `simsam run CONFIG --out DIR` "
                                     "(or `simsam experiment FILE`) first")
    kind = "experiment" if manifest is not None else ("run" if run is not None else "portfolio")
    return Analyses(
        kind=kind,
        root=root,
        run=run,
        manifest=manifest,
        sensitivity=sorted(found["sensitivity"], key=_sensitivity_order),
        compare=found["compare"],
        decision=found["decision"],
        breakeven=found["breakeven"],
        portfolio=found["portfolio"],
        monitor=sorted(found["monitor"]),
        split=sorted(found["split"]),
        names=names,
        options=options,
    )

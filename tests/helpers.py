"""Paths and helpers shared by the test modules (fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

DATA = Path(__file__).parent / "data"
CONFIGS = Path(__file__).parents[1] / "configs"
ROOT = Path(__file__).parents[1]


def simsam_env(**extra) -> dict:
    """The environment for ``python -m simsam.cli`` in another folder: this checkout's simsam first."""
    import os

    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {**os.environ, "PYTHONPATH": path, **extra}


def fixed_sample(cfg, n: int = 1):
    """A Sample of ``n`` identical draws, every input at its base value (median, Dirichlet mean)."""
    from simsam.engine.sampling import ParameterSpace, Sample

    space = ParameterSpace.from_config(cfg)
    return Sample(space, np.tile(space.base_values(), (n, 1)))


def make_sensitivity(
    ds, method: str, *, target: str = "net_benefit_5y", actor: str = "society", nan: bool = False, awkward: bool = False
) -> xr.Dataset:
    """A sensitivity Dataset in the format of ``simsam sensitivity``, with made-up indices.

    One row per input of ``ds`` (a Dirichlet group as one row), the first input
    the most influential; ``nan`` puts a NaN in the second row. ``awkward``
    (tornado) gives the last rows no swing at all and the third both ends on
    one side of the base, as real one-way analyses do.
    """
    groups = list(dict.fromkeys(str(g) for g in ds["parameter_group"].values))
    n = len(groups)
    w = np.linspace(1.0, 0.1, n)
    inputs = {str(g): ds["inputs"].values[:, list(map(str, ds["parameter_group"].values)).index(str(g))] for g in groups}
    base = float(np.median(ds["net_benefit"].sel(actor=actor).values[:, -1]))
    columns = {
        "sobol": {"S1": 0.5 * w, "S1_conf": 0.05 * w + 0.01, "ST": 0.6 * w + 0.02, "ST_conf": 0.06 * w + 0.01},
        "prcc": {
            "prcc": 0.9 * w * np.where(np.arange(n) % 3 == 1, -1, 1),
            "prcc_low": 0.9 * w - 0.05,
            "prcc_high": 0.9 * w + 0.05,
            "p_value": np.exp(-20 * w),
        },
        "tornado": {
            "low_value": [np.quantile(inputs[g], 0.05) for g in groups],
            "high_value": [np.quantile(inputs[g], 0.95) for g in groups],
            "low": base - 4e6 * w,
            "high": base + 5e6 * w,
            "base": np.full(n, base),
            "swing": 9e6 * w,
        },
        "morris": {"mu_star": 3e6 * w, "mu_star_conf": 3e5 * w, "sigma": 1e6 * w},
    }[method]
    if method == "prcc":
        columns["prcc_low"] = columns["prcc"] - 0.05
        columns["prcc_high"] = columns["prcc"] + 0.05
    if awkward and method == "tornado" and n > 3:
        columns["low"][-2:] = base
        columns["high"][-2:] = base
        columns["swing"][-2:] = 0.0
        columns["low"][2] = base + 1e6 * w[2]
    data = {k: ("parameter", np.asarray(v, dtype=float)) for k, v in columns.items()}
    if nan and n > 1:
        for k in data:
            data[k][1][1] = np.nan
    return xr.Dataset(data, coords={"parameter": groups}, attrs={"method": method, "target": target, "actor": actor, "n": 256})


def figure_problems(fig) -> list[str]:
    """What in a drawn matplotlib Figure could mislead a reader: tick labels and overlapping text.

    * every tick label drawn by simsam's number formatter reads back as its tick's
      value (no "2" for 2.5, no "−0,2" for −0.25);
    * numeric tick labels set as text equal their tick's value;
    * no two drawn texts (titles, axis and tick labels, legend entries, value
      labels) overlap by more than half a pixel, and none runs off the figure.
    """
    import itertools

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from simsam.report import figures as F

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    out, hidden = [], set()
    for ax in fig.axes:
        if not ax.get_visible():  # an empty place of a grid: nothing in it is drawn
            hidden.update(id(t) for t in ax.findobj(Text))
            continue
        for axis in (ax.xaxis, ax.yaxis):
            drawn = axis._update_ticks()  # the ticks matplotlib draws (inside the view)
            ids = {id(t) for t in drawn}
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if id(tick) not in ids:
                    hidden.update({id(tick.label1), id(tick.label2)})
            fmt = axis.get_major_formatter()
            for tick in drawn:
                label, value = tick.label1.get_text(), tick.get_loc()
                if not label:
                    continue
                if isinstance(fmt, F._NumberFormatter):
                    shown = fmt.value_of(label)
                else:
                    try:
                        shown = float(label.replace("\u2212", "-").replace(",", "."))
                    except ValueError:
                        continue  # a word ("År 1", "Ej inom 60 mån")
                if abs(shown - value) > 1e-9 * max(1.0, abs(value)):
                    out.append(f"tick label {label!r} at {value:g}")
    boxes = []
    page = fig.bbox
    for t in fig.findobj(Text):
        if id(t) in hidden or not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        box = t.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            boxes.append((t.get_text(), box))
            if box.x0 < page.x0 - 1 or box.x1 > page.x1 + 1 or box.y0 < page.y0 - 1 or box.y1 > page.y1 + 1:
                out.append(f"{t.get_text()!r} runs off the figure")
    for (a, A), (b, B) in itertools.combinations(boxes, 2):
        if min(A.x1, B.x1) - max(A.x0, B.x0) > 0.5 and min(A.y1, B.y1) - max(A.y0, B.y0) > 0.5:
            out.append(f"{a!r} overlaps {b!r}")
    return out


def small_experiment(tmp: Path, *, draws: int = 400, sobol_n: int = 64, config: Path | None = None) -> Path:
    """``experiments/samverkansteamet.toml`` run into ``tmp/experiment`` with at most ``draws`` draws and Sobol ``n``.

    Every analysis of the shipped experiment is kept (run, decision, compare,
    three break-even values, tornado, PRCC, Sobol); its config is the real one
    (an absolute path), or ``config``. Returns the experiment folder.
    """
    import json
    import re
    import tomllib

    from simsam.workflows.experiment import load_experiment, run_experiment

    source = Path(__file__).parents[1] / "experiments" / "samverkansteamet.toml"
    text = source.read_text(encoding="utf-8")
    rel = tomllib.loads(text)["config"]
    target = config if config is not None else (source.parent / rel).resolve()
    text = re.sub(r'^config\s*=\s*".*"$', f"config = {json.dumps(Path(target).as_posix())}", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^(\s*draws\s*=\s*)(\d+)", lambda m: m.group(1) + str(min(int(m.group(2)), draws)), text, flags=re.MULTILINE)
    text = re.sub(r"^(\s*n\s*=\s*)(\d+)", lambda m: m.group(1) + str(min(int(m.group(2)), sobol_n)), text, flags=re.MULTILINE)
    path = tmp / "samverkansteamet.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp / "experiment"
    run_experiment(load_experiment(path), out, threads=1, echo=lambda _: None)
    return out

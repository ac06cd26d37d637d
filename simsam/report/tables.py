"""The summary table printed by ``simsam run``."""

from __future__ import annotations

import math

import numpy as np

from ..analysis.summary import Summary, headline

__all__ = ["summary_text"]


def _mkr(x: float) -> str:
    return f"{x / 1e6:.2f}" if math.isfinite(x) else "–"


def _month(x: float, horizon: int) -> str:
    return f"{x:.0f}" if math.isfinite(x) else f">{horizon}"


def summary_text(ds, summary) -> str:
    """An aligned text table: per actor revenue, net benefit, payback and its probabilities.

    ``ds`` is a result Dataset or :class:`simsam.results.ResultsFile`;
    ``summary`` a :class:`simsam.analysis.summary.Summary` or :func:`simsam.summarize`'s DataFrame.
    """
    summary = Summary.of(summary)
    horizon = int(ds.attrs["horizon_months"])
    years = int(ds.sizes["year"])
    months = [c.removeprefix("p_payback_") for c in summary.metrics("society") if c.startswith("p_payback_") and c[10:].isdigit()]
    labels = dict(zip([str(a) for a in ds["actor"].values], [str(a) for a in ds["actor_label"].values]))
    header = ["actor", "revenue yr 1, Mkr", f"net benefit {years} y, Mkr", "payback, months"] + [f"P(≤{m})" for m in months]
    sub = ["", "median [90% interval]", "median [90% interval]", "median [90% int.]"] + [""] * len(months)
    rows = []
    silent = []
    for actor in summary.actors:
        # Rounding leaves the employer's exactly offsetting items at ±1e-10 kr.
        sel = ds.sel(actor=actor)
        if actor != "society" and np.abs(sel["revenue"].values).max() < 1e-3 and np.abs(sel["cost"].values).max() < 1e-3:
            silent.append(labels.get(actor, actor))  # e.g. the employer: pays back "in month 1" by definition
            continue
        rev, nb, pb = (summary.rows[(actor, m)] for m in ("annual_revenue", f"net_benefit_{years}y", "payback_months"))
        rows.append(
            [
                f"{labels.get(actor, actor)}" + (" (sum)" if actor == "society" else ""),
                f"{_mkr(rev['median'])} [{_mkr(rev['p05'])}, {_mkr(rev['p95'])}]",
                f"{_mkr(nb['median'])} [{_mkr(nb['p05'])}, {_mkr(nb['p95'])}]",
                f"{_month(pb['median'], horizon)} [{_month(pb['p05'], horizon)}, {_month(pb['p95'], horizon)}]",
            ]
            + [f"{summary(actor, f'p_payback_{m}'):.2f}" for m in months]
        )
    table = [header, sub] + rows
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for i, r in enumerate(table):
        cells = [c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
        if i == 1:
            lines.append("  ".join("-" * w for w in widths))
    draws = f"{ds.attrs['draws']:,}".replace(",", " ")  # Swedish thousands separator
    title = (
        f"{ds.attrs.get('name', '')}: {draws} draws, seed {ds.attrs['seed']}, "
        f"{ds.attrs['cohort']} cohort of {ds.attrs['participants']}"
        + (f" ({ds.attrs['engine']} path)" if ds.attrs.get("engine") in ("person", "aggregate") else "")
        + f", horizon {horizon} months"
    )
    society = "Society: " + headline(summary, "society", horizon)
    note = [f"Not shown (no flows and no cost in any draw): {', '.join(silent)}"] if silent else []
    return "\n".join([title, ""] + lines + note + ["", society])

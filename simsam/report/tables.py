"""What the commands print: every terminal table, aligned by one renderer (:func:`text_table`).

``simsam run`` prints :func:`summary_text`, ``compare`` :func:`compare_text`,
``decision`` :func:`decision_text`, ``breakeven`` :func:`breakeven_text`,
``sensitivity`` :func:`ranking_text` and ``portfolio`` :func:`portfolio_text`.
Actors with no flows and no cost in any draw are left out of every table, with
one line saying so (:func:`simsam.results.actors_with_flows`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..analysis.portfolio import COUPLED, INDEPENDENT, PORTFOLIO, SHARED, SPECIFIC
from ..analysis.sensitivity.output import COLUMNS, EXTRA_COLUMNS
from ..analysis.summary import Summary, headline
from ..config.model import SOCIETY
from ..results import actors_with_flows

__all__ = ["text_table", "summary_text", "compare_text", "decision_text", "breakeven_text", "ranking_text", "portfolio_text"]


def text_table(rows: Sequence[Sequence[str]], *, head: int = 1, left: Sequence[int] | None = (0,), indent: str = "") -> list[str]:
    """The lines of an aligned table: ``head`` header rows, a rule of dashes, then the body.

    Columns in ``left`` are left-aligned (``None``: every column), the others
    right-aligned (numbers); cells are separated by two spaces, each line starts
    with ``indent``, and trailing blanks are trimmed.
    """
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    left = range(len(widths)) if left is None else left
    lines = []
    for i, row in enumerate(rows):
        lines.append((indent + "  ".join(c.ljust(w) if j in left else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths)))).rstrip())
        if i == head - 1:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return lines


def _mkr(x: float) -> str:
    return f"{x / 1e6:.2f}" if math.isfinite(x) else "–"


def _month(x: float, horizon: int) -> str:
    return f"{x:.0f}" if math.isfinite(x) else f">{horizon}"


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.3e}"
    return f"{x:.4g}"


def summary_text(ds, summary) -> str:
    """An aligned text table: per actor revenue, net benefit, payback and its probabilities.

    ``ds`` is a result Dataset or :class:`simsam.results.ResultsFile`;
    ``summary`` a :class:`simsam.analysis.summary.Summary` or :func:`simsam.summarize`'s DataFrame.
    """
    summary = Summary.of(summary)
    horizon = int(ds.attrs["horizon_months"])
    years = int(ds.sizes["year"])
    months = [c.removeprefix("p_payback_") for c in summary.metrics(SOCIETY) if c.startswith("p_payback_") and c[10:].isdigit()]
    labels = dict(zip([str(a) for a in ds["actor"].values], [str(a) for a in ds["actor_label"].values]))
    header = ["actor", "revenue yr 1, Mkr", f"net benefit {years} y, Mkr", "payback, months"] + [f"P(≤{m})" for m in months]
    sub = ["", "median [90% interval]", "median [90% interval]", "median [90% int.]"] + [""] * len(months)
    rows = []
    shown = actors_with_flows(ds, ("revenue", "cost"))
    silent = [labels.get(a, a) for a in summary.actors if a not in shown]
    for actor in [a for a in summary.actors if a in shown]:
        rev, nb, pb = (summary.rows[(actor, m)] for m in ("annual_revenue", f"net_benefit_{years}y", "payback_months"))
        rows.append(
            [
                f"{labels.get(actor, actor)}" + (" (sum)" if actor == SOCIETY else ""),
                f"{_mkr(rev['median'])} [{_mkr(rev['p05'])}, {_mkr(rev['p95'])}]",
                f"{_mkr(nb['median'])} [{_mkr(nb['p05'])}, {_mkr(nb['p95'])}]",
                f"{_month(pb['median'], horizon)} [{_month(pb['p05'], horizon)}, {_month(pb['p95'], horizon)}]",
            ]
            + [f"{summary(actor, f'p_payback_{m}'):.2f}" for m in months]
        )
    lines = text_table([header, sub] + rows, head=2)
    draws = f"{ds.attrs['draws']:,}".replace(",", " ")  # Swedish thousands separator
    title = (
        f"{ds.attrs.get('name', '')}: {draws} draws, seed {ds.attrs['seed']}, "
        f"{ds.attrs['cohort']} cohort of {ds.attrs['participants']}"
        + (f" ({ds.attrs['engine']} path)" if ds.attrs.get("engine") in ("person", "aggregate") else "")
        + f", horizon {horizon} months"
    )
    society = "Society: " + headline(summary, SOCIETY, horizon)
    note = [f"Not shown (no flows and no cost in any draw): {', '.join(silent)}"] if silent else []
    return "\n".join([title, ""] + lines + note + ["", society])


def compare_text(ds, table) -> str:
    """The printed table: per contrast and actor, the paired differences and P(better).

    ``table`` is :func:`simsam.analysis.scenarios.compare_summary` of ``ds``.
    """
    horizon = int(ds.attrs["horizon_months"])
    years = int(ds.sizes["year"])
    ref = ds.attrs["reference"]
    labels = dict(zip(ds["actor"].values.tolist(), ds["actor_label"].values.tolist()))
    vlabels = dict(zip(ds["variant"].values.tolist(), ds["variant_label"].values.tolist()))
    draws = f"{ds.attrs['draws']:,}".replace(",", " ")
    lines = [f"{ds.attrs['name']}: {draws} paired draws (seed {ds.attrs['seed']}), reference {ref} ({vlabels[ref]})"]
    if ds.attrs.get("actors_left_out"):
        lines.append(f"Actors not in every variant, left out (society is each variant's own total): {ds.attrs['actors_left_out']}")
    header = ["actor", f"Δ net benefit {years} y, Mkr", "P(higher)", "Δ payback, months", "P(earlier)", f"P(≤{horizon}) ref → variant"]
    sub = ["", "median [90% interval]", "", "median [90% int.]", "", ""]
    contrasts, actors = table.index.get_level_values("contrast"), table.index.get_level_values("actor")
    shown = actors_with_flows(ds, ("net_benefit", "cost"))
    silent = [labels.get(a, a) for a in ds["actor"].values.tolist() if a not in shown]
    for c in ds["contrast"].values.tolist():
        rows = []
        for actor in [a for a in ds["actor"].values.tolist() if a in shown]:
            part = table[(contrasts == c) & (actors == actor)].droplevel(["contrast", "actor"])
            nb, pb, pr = part.loc[f"net_benefit_{years}y"], part.loc["payback_months"], part.loc[f"p_payback_{horizon}"]
            rows.append(
                [
                    labels.get(actor, actor) + (" (sum)" if actor == SOCIETY else ""),
                    f"{nb['median'] / 1e6:+.2f} [{nb['p05'] / 1e6:+.2f}, {nb['p95'] / 1e6:+.2f}]",
                    f"{nb['p_better']:.2f}",
                    f"{pb['median']:+.0f} [{pb['p05']:+.0f}, {pb['p95']:+.0f}]",
                    f"{pb['p_better']:.2f}",
                    f"{pr['reference_mean']:.2f} → {pr['variant_mean']:.2f}",
                ]
            )
        lines += ["", f"{c} ({vlabels[c]}) − {ref}:"]
        lines += text_table([header, sub] + rows, head=2)
        soc = table[(contrasts == c) & (actors == SOCIETY)].droplevel(["contrast", "actor"]).loc[f"net_benefit_{years}y"]
        lines.append(
            f"Society: mean Δ net benefit after {years} years {soc['mean'] / 1e6:+.3f} Mkr (paired MC s.e. {soc['mcse'] / 1e6:.3f}); "
            f"P(variant better) {soc['p_better']:.2f}"
        )
        if silent:
            lines.append(f"Not shown (no flows and no cost): {', '.join(silent)}")
    lines.append(f"\nPayback not reached within {horizon} months counts as {horizon + 1} in Δ payback.")
    return "\n".join(lines)


def decision_text(dec, top: int = 10, year: int | None = None) -> str:
    """What ``simsam decision`` prints: acceptability per actor, EVPI, and the EVPPI ranking.

    EVPI and EVPPI are those of the decision judged after ``year`` years (default: the horizon).
    """
    horizon = int(dec.attrs.get("horizon_months", dec.sizes["month"]))
    years = dec["year"].values.tolist()
    last = years[-1] if year is None else int(year)
    labels = dict(zip(dec["actor"].values.tolist(), dec["actor_label"].values.tolist())) if "actor_label" in dec.coords else {}
    months = [m for m in range(12, horizon + 1, 12)]
    header = ["actor"] + [f"P(≤{m})" for m in months] + [f"E[NB {last} y], Mkr", "EVPI, Mkr", "per participant, kr"]
    rows = []
    shown = actors_with_flows(dec, ("expected_net_benefit", "evpi_total"))
    silent = [labels.get(a, a) for a in dec["actor"].values.tolist() if a not in shown]
    for actor in [a for a in dec["actor"].values.tolist() if a in shown]:
        s = dec.sel(actor=actor)
        rows.append(
            [labels.get(actor, actor)]
            + [f"{float(s.acceptability.sel(month=m)):.2f}" for m in months]
            + [
                f"{float(s.expected_net_benefit.sel(year=last)) / 1e6:.2f}",
                f"{float(s.evpi.sel(year=last)) / 1e6:.3f}",
                f"{float(s.evpi_per_participant.sel(year=last)):,.0f}".replace(",", " "),
            ]
        )
    draws = f"{dec.attrs.get('draws', '?'):,}".replace(",", " ") if isinstance(dec.attrs.get("draws"), int) else dec.attrs.get("draws", "?")
    lines = [f"{dec.attrs.get('name', '')}: decision analysis of {draws} draws (invest vs not, judged after {last} years for EVPI)", ""]
    lines += text_table([header] + rows)
    if silent:
        lines.append(f"Not shown (no flows and no cost): {', '.join(silent)}")
    if dec.sizes.get("input", 0):
        soc = dec.sel(actor=SOCIETY, year=last)
        order = np.argsort(-soc["evppi"].values)[:top]
        lines += [
            "",
            f"Society: value of learning each input before deciding (EVPPI, after {last} years; EVPI {float(soc.evpi) / 1e6:.3f} Mkr):",
        ]
        w = max(len(str(dec["input"].values[i])) for i in order)
        for i in order:
            e = soc.isel(input=i)
            lines.append(
                f"  {str(e.input.values):<{w}}  {float(e.evppi) / 1e6:7.3f} Mkr  {float(e.evppi_per_participant):9,.0f} "
                f"kr/participant  R² {float(e.evppi_r2):.2f}".replace(
                    ",", " "
                )
            )
    lines.append("")
    lines.append(
        "EVPI/EVPPI: value of perfect information on the inputs (each draw's expected cohort); P(≤m): this cohort, chance included."
    )
    return "\n".join(lines)


def breakeven_text(result) -> str:
    """What ``simsam breakeven`` prints (``result``: a :class:`simsam.analysis.breakeven.BreakEven`)."""
    r = result
    draws = f"{r.draws:,}".replace(",", " ")
    lines = [
        f"Break-even of {r.parameter} for {r.actor}: payback within {r.month} months with probability {r.probability:g}",
        f"({draws} draws on common random numbers, seed {r.seed}; search range [{r.low:g}, {r.high:g}]; value in the config "
        f"{r.base_value:.4g})",
        "",
        f"P(payback ≤ {r.month}): {r.p_run:.3f} as the config stands; {r.p_low:.3f} with the input at {r.low:g}, {r.p_high:.3f} "
        f"at {r.high:g}",
    ]
    if math.isfinite(r.value):
        lines.append(
            f"Break-even value: {r.value:.4g} (MC s.e. {r.mcse:.2g}; 95% interval {r.ci_low:.4g}–{r.ci_high:.4g}); "
            f"measured there: P = {r.p_at_value:.3f}"
        )
    if math.isfinite(r.switching_value):
        change = f", {100 * r.switching_change:+.1f}% from the config's value" if math.isfinite(r.switching_change) else ""
        lines.append(f"Deterministic switching value (expected cohort, other inputs at medians): {r.switching_value:.4g}{change}")
    base = f"{r.base_payback:.0f} months" if math.isfinite(r.base_payback) else "not within the horizon"
    lines.append(f"Deterministic payback at the config's value: {base}")
    if r.nonmonotone_draws:
        lines.append(f"Note: {r.nonmonotone_draws} draws respond against the overall direction (counted as never reaching payback)")
    if r.message:
        lines.append(f"No value: {r.message}")
    return "\n".join(lines)


def ranking_text(ds, top: int | None = None) -> str:
    """The ranking as an aligned text table, most important first.

    ``top`` limits the rows shown (all by default).
    """
    a = ds.attrs
    method = a["method"]
    size = f"{a['sample_size']:,}".replace(",", " ")
    runs = f"{a['evaluations']:,}".replace(",", " ")
    what = {"tornado": "one-way (tornado)", "prcc": "PRCC", "sobol": "Sobol indices", "morris": "Morris screening"}[method]
    design = {
        "tornado": f"inputs at p{a.get('low_percentile', 5):g}/p{a.get('high_percentile', 95):g}, the rest at base",
        "prcc": f"{size} draws",
        "sobol": f"N = {size}",
        "morris": f"{size} trajectories, {a.get('levels', 4)} levels",
    }[method]
    last = f"base {_num(float(a['base']))}" if method == "tornado" else f"seed {a.get('seed', '–')}"
    lines = [f"{what} of {a['target_description']}", f"{a['name']}: {a['cohort']} cohort, {design}, {runs} model runs, {last}"]
    if "payback_not_reached" in a and float(a["payback_not_reached"]) > 0:
        share = 100 * float(a["payback_not_reached"])
        lines.append(f"payback not reached within the horizon in {share:.1f} % of runs (counted as month {a['horizon_months'] + 1})")
    if a.get("note"):
        lines.append(str(a["note"]))
    header = ["rank", "parameter"]
    rows = []
    n = ds.sizes["parameter"] if top is None else min(top, ds.sizes["parameter"])
    for i in range(n):
        row = ds.isel(parameter=i)
        v = {k: float(row[k]) for k in COLUMNS[method] + EXTRA_COLUMNS[method]}
        if method == "tornado":
            cells = [_num(v["low_value"]), _num(v["high_value"]), _num(v["low"]), _num(v["high"]), _num(v["swing"])]
        elif method == "prcc" and math.isnan(v["prcc"]):
            cells = ["–", "–", "–"]
        elif method == "prcc":
            cells = [f"{v['prcc']:+.3f}", f"[{v['prcc_low']:+.3f}, {v['prcc_high']:+.3f}]", f"{v['p_value']:.2g}"]
        elif method == "sobol" and math.isnan(v["ST"]):
            cells = ["–", "–"]
        elif method == "sobol":
            cells = [f"{v['S1']:.3f} ± {v['S1_conf']:.3f}", f"{v['ST']:.3f} ± {v['ST_conf']:.3f}"]
        else:
            cells = [f"{_num(v['mu_star'])} ± {_num(v['mu_star_conf'])}", _num(v["mu"]), _num(v["sigma"])]
        rows.append([str(i + 1), str(row["parameter"].values)] + cells)
    header += {
        "tornado": ["input low", "input high", "target low", "target high", "swing"],
        "prcc": ["PRCC", "95% interval", "p-value"],
        "sobol": ["S1 ± 95%", "ST ± 95%"],
        "morris": ["mu* ± 95%", "mu", "sigma"],
    }[method]
    lines += text_table([header] + rows, left=(1,))
    if n < ds.sizes["parameter"]:
        lines.append(f"... {ds.sizes['parameter'] - n} more in sensitivity.csv")
    return "\n".join(lines)


def portfolio_text(ds, table) -> str:
    """The printed report: inputs shared, per project and for the budget (society), P(at least k)."""
    horizon = int(ds.attrs["horizon_months"])
    years = int(ds.sizes["year"])
    months = ds["month"].values.tolist()
    draws = f"{ds.attrs['draws']:,}".replace(",", " ")
    names = ds["project"].values.tolist()
    lines = [
        f"{ds.attrs['name']}: {len(names)} projects, {draws} draws (seed {ds.attrs['seed']}), all starting together, horizon "
        f"{horizon} months"
    ]
    status = ds["input_status"].values
    params = ds["parameter"].values.tolist()
    for what, label in (
        (SHARED, "Shared (same value in every project)"),
        (COUPLED, "Coupled (restated differently: same quantile, own distribution)"),
        (INDEPENDENT, "Drawn per project (restated differently, restated = independent)"),
    ):
        hit = [n for j, n in enumerate(params) if (status[:, j] == what).any()]
        if hit:
            lines.append(f"{label}: {len(hit)}: {', '.join(hit)}")
    lines.append(
        f"Project-specific (independent across projects): {sum((status[:, j] == SPECIFIC).any() for j in range(len(params)))} "
        "inputs; cohorts independent"
    )
    header = ["", "cost, Mkr", f"net benefit {years} y, Mkr", "payback, months"] + [f"P(≤{m})" for m in months]
    sub = ["", "mean", "median [90% interval]", "median [90% int.]"] + [""] * len(months)
    grid = [header, sub]
    for entity in names + [PORTFOLIO]:
        part = table.loc[entity].loc[SOCIETY]
        nb, pb = part.loc[f"net_benefit_{years}y"], part.loc["payback_months"]
        label = f"{entity} ({ds['project_label'].sel(project=entity).item()})" if entity != PORTFOLIO else "portfolio (sum)"
        grid.append(
            [
                label,
                _mkr(part.loc["cost", "mean"]),
                f"{_mkr(nb['median'])} [{_mkr(nb['p05'])}, {_mkr(nb['p95'])}]",
                f"{_month(pb['median'], horizon)} [{_month(pb['p05'], horizon)}, {_month(pb['p95'], horizon)}]",
                *[f"{part.loc[f'p_payback_{m}', 'mean']:.2f}" for m in months],
            ]
        )
    lines.append("")
    lines.append("Society:")
    lines += text_table(grid, head=2)
    lines.append("")
    lines.append("P(at least k projects pay back for society within m months):")
    ks = ds["k"].values.tolist()
    kw = max(len(str(k)) for k in ks)
    lines.append("  " + "k".rjust(kw) + "  " + "  ".join(f"m={m}".rjust(7) for m in months))
    for k in ks:
        cells = [f"{table.loc[(PORTFOLIO, SOCIETY, f'p_at_least_{k}_within_{m}'), 'mean']:.3f}".rjust(7) for m in months]
        lines.append("  " + str(k).rjust(kw) + "  " + "  ".join(cells))
    if len(names) > 1:
        w = max(len(n) for n in names)
        for actor in (SOCIETY, "kommun"):
            if actor not in ds["actor"].values.tolist():
                continue
            corr = ds["correlation_net_benefit"].sel(actor=actor).values
            lines.append("")
            lines.append(
                f"Correlation (Spearman) of the {years}-year net benefit between projects, {ds['actor_label'].sel(actor=actor).item()}:"
            )
            lines.append("  " + " " * w + "  " + "  ".join(n[:8].rjust(8) for n in names))
            for i, n in enumerate(names):
                lines.append("  " + n.ljust(w) + "  " + "  ".join(f"{c:+.2f}".rjust(8) for c in corr[i]))
    return "\n".join(lines)

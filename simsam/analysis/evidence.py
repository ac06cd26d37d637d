"""Follow-up data (SUS) → outcome counts, the BEFORE income mix and exit months.

Coordination associations record each participant's status at entry and at
exit in their follow-up system (SUS). This module reads such an export, one row
per participant, and maps the statuses onto a config's benefits and outcome
states. It is used by ``simsam evidence`` and by a config's outcome shares read from a file
(:mod:`simsam.config.build`)::

    [outcomes]
    shares = { dist = "dirichlet", counts_file = "sus.csv", counts_map = "sus_map.toml", prior = 1.0 }

which is the Dirichlet posterior ``counts + prior`` of the file's exit statuses,
exactly as if the counts had been written by hand (paths relative to the config
file that sets them).

The export's columns, its encodings, the mapping's tables and how bad rows are reported are
described once, in :mod:`simsam.config.followup`, which reads both files.

Exit months are whole calendar months from the first exit:
``12·(year − year₀) + (month − month₀)``. ``simsam evidence`` writes them as a
commented ``exit_months = [...]`` line for ``[project]`` (staggered intake): the
first exit is taken as project month 0, and a config that sets them switches to
project timing, so pasting them is left to the evaluator.
"""

from __future__ import annotations

from ..config.followup import NO_BENEFIT, FollowUp
from ..errors import ConfigError

__all__ = ["snippet", "evidence_report"]

# --- the snippet ---------------------------------------------------------------------------


def _toml_key(key: str) -> str:
    return (
        key
        if key and all(c.isalnum() and c.isascii() or c in "-_" for c in key)
        else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    )


def _number(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() else repr(float(x))


def snippet(followup: FollowUp, prior: float = 1.0, *, states=(), before_dirichlet: bool = False, config_label: str = "") -> str:
    """A TOML snippet to paste into a config: ``[project] participants``, ``[before] income``, ``[outcomes] shares``.

    Exit months go into a comment (``# exit_months = [...]``): with them a config's
    ``[simulation] timing`` defaults to ``"project"``, a choice left to the evaluator.

    Raises
    ------
    ConfigError
        ``--before-dirichlet`` when some participants had no benefit at entry
        (a Dirichlet income mix must sum to 1).
    """
    inc = followup.included
    n = len(inc)
    counts = followup.outcome_counts(states)
    entry = followup.entry_counts()
    excluded = followup.excluded
    lines = [
        f"# From {followup.file} with mapping {followup.mapping.path.name} (simsam "
        f"evidence){' for ' + config_label if config_label else ''}.",
        f"# {len(followup.participants)} participants in the file; {n} counted"
        + (f", {sum(excluded.values())} excluded ({', '.join(f'{k}: {v}' for k, v in excluded.items())})" if excluded else "")
        + ".",
        f"# Exits {followup.first_exit} to {max(p.exit_date for p in inc)}.",
        "",
        "[project]",
        f"participants = {n}",
        "",
        "[before]",
    ]
    benefit = {b: c for b, c in entry.items() if b != NO_BENEFIT}
    none = entry.get(NO_BENEFIT, 0)
    if before_dirichlet:
        if none:
            raise ConfigError(
                "--before-dirichlet",
                f"{none} participants had no benefit at entry, so the income mix sums to less than 1; a Dirichlet mix must sum "
                "to 1 (leave the option out)",
            )
        body = ", ".join(f"{_toml_key(b)} = {c}" for b, c in benefit.items())
        lines.append(f'income = {{ dist = "dirichlet", counts = {{ {body} }}, prior = {_number(prior)} }}')
    else:
        body = ", ".join(f"{_toml_key(b)} = {_number(c / n)}" for b, c in benefit.items())
        lines.append(f"income = {{ {body} }}" + (f"   # shares of {n}; {none} had no benefit at entry" if none else f"   # shares of {n}"))
    lines += [
        "",
        "[outcomes]",
        f'shares = {{ dist = "dirichlet", counts = {{ {", ".join(f"{_toml_key(s)} = {c}" for s, c in counts.items())} }}, '
        f"prior = {_number(prior)} }}",
        "# posterior mean: " + ", ".join(f"{s} {(c + prior) / (n + prior * len(counts)):.3f}" for s, c in counts.items()),
        "",
        "# Staggered intake: each counted participant's exit month, calendar months after the first exit",
        f"# ({followup.first_exit}, taken as project month 0). Uncommented under [project], it makes",
        '# [simulation] timing default to "project" (payback from the project start), so it is left to you:',
        f"# exit_months = {followup.exit_months()}",
    ]
    return "\n".join(lines) + "\n"


def evidence_report(fu: FollowUp, counts: dict[str, int], prior: float, config_label: str) -> tuple[str, dict]:
    """``report.txt`` (text) and ``evidence.json`` (data) of an import: counts, the Dirichlet posterior per state, the BEFORE mix."""
    from scipy import stats  # scipy.stats/special, 0.3-1 s: only here

    inc = fu.included
    n = len(inc)
    alpha = {s: c + prior for s, c in counts.items()}
    a0 = sum(alpha.values())
    excluded = fu.excluded
    months = fu.exit_months()
    lines = [
        f"{fu.file}: {len(fu.participants)} participants, {n} counted"
        + (f", {sum(excluded.values())} excluded ({', '.join(f'{k}: {v}' for k, v in excluded.items())})" if excluded else "")
        + (f"; for {config_label}" if config_label else ""),
        f"exits {fu.first_exit} to {max(p.exit_date for p in inc)} (months 0-{months[-1]} after the first exit)",
        "",
        f"{'outcome state':<16}{'count':>6}   posterior mean [90% interval], prior {prior:g}",
    ]
    posterior = {}
    for s, a in alpha.items():
        mean = a / a0
        lo, hi = (stats.beta(a, a0 - a).ppf([0.05, 0.95]) if a > 0 and a0 - a > 0 else (mean, mean))
        posterior[s] = {"count": counts[s], "alpha": a, "mean": mean, "p05": float(lo), "p95": float(hi)}
        lines.append(f"{s:<16}{counts[s]:>6}   {mean:.3f} [{lo:.3f}, {hi:.3f}]")
    entry = fu.entry_counts()
    lines += ["", "BEFORE income mix (status at entry): " + ", ".join(f"{b} {c / n:.3f} ({c})" for b, c in entry.items())]
    if fu.unused_columns:
        lines.append(f"columns not used: {', '.join(fu.unused_columns)}")
    lines.append(f"read as {fu.encoding}")
    data = {
        "file": fu.file,
        "encoding": fu.encoding,
        "mapping": str(fu.mapping.path),
        "config": config_label,
        "participants_in_file": len(fu.participants),
        "participants": n,
        "excluded": excluded,
        "prior": prior,
        "outcomes": posterior,
        "before_income_counts": entry,
        "first_exit": str(fu.first_exit),
        "exit_months": months,
    }
    return "\n".join(lines), data

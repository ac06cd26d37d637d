"""What a sensitivity analysis explains: one number per model run.

=========================  ==========================================================
target                     per run
=========================  ==========================================================
``payback_months``         the actor's payback month; **not reached within the
                           horizon counts as horizon + 1** (61 for 60 months)
``p_payback_M``            1 if the actor pays back within ``M`` months, else 0; its
                           mean over the runs is P(payback ≤ M), so variance-based
                           indices of it explain that probability's uncertainty
``annual_revenue``         first-year revenue, kr
``net_benefit_Yy``         cumulative net benefit at the end of year ``Y``, kr
``cost``                   the actor's share of the uplifted project cost, kr
``utilised_potential``     society's first-year revenue / potential (society only)
=========================  ==========================================================

Why horizon + 1 for payback: a run that does not pay back within the horizon is
censored, not missing. Dropping it would hide exactly the inputs that make the
project fail (and would break the paired designs of Sobol and Morris, which
need every run); horizon + 1 keeps it as "later than any month we model", which
is all the model knows, and keeps the rank order PRCC uses. Variance-based
indices of this censored payback are honest about the model as run but depend
on the horizon when many runs are censored; the share of censored runs is
recorded in the result's attributes (``payback_not_reached``), and
``p_payback_M`` is the alternative that needs no convention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ...config.model import SOCIETY, Config, actor_labels
from ...errors import ConfigError, unknown_key_error

__all__ = ["Target", "TARGETS", "parse_target"]

#: Target variables; ``p_payback`` takes a month and ``net_benefit`` a year.
TARGETS = ("payback_months", "p_payback", "annual_revenue", "net_benefit", "cost", "utilised_potential")
DEFAULT_MONTH = 36

_UNITS = {
    "payback_months": "months",
    "p_payback": "1",
    "annual_revenue": "kr",
    "net_benefit": "kr",
    "cost": "kr",
    "utilised_potential": "1",
}


@dataclass(frozen=True)
class Target:
    """One scalar output of the model per run.

    Attributes
    ----------
    variable : str
        One of :data:`TARGETS`.
    actor : str
        An actor of the config, or ``"society"``.
    actor_index : int
        Its position on the result's actor axis (the config's actors, then society).
    horizon_months : int
    month : int or None
        For ``p_payback``.
    year : int or None
        For ``net_benefit``.
    """

    variable: str
    actor: str
    actor_index: int
    horizon_months: int
    month: int | None = None
    year: int | None = None

    @property
    def name(self) -> str:
        """``payback_months``, ``p_payback_36``, ``net_benefit_5y``, ... (the result's ``target`` attribute)."""
        if self.variable == "p_payback":
            return f"p_payback_{self.month}"
        if self.variable == "net_benefit":
            return f"net_benefit_{self.year}y"
        return self.variable

    @property
    def units(self) -> str:
        return _UNITS[self.variable]

    @property
    def description(self) -> str:
        """In words, with the payback convention where it applies."""
        who = self.actor
        return {
            "payback_months": f"payback time of {who}, months (not reached within the horizon = {self.horizon_months + 1})",
            "p_payback": f"payback of {who} within {self.month} months (1 = yes, 0 = no; its mean is the probability)",
            "annual_revenue": f"first-year revenue of {who}, kr",
            "net_benefit": f"net benefit of {who} after {self.year} years, kr",
            "cost": f"project cost borne by {who}, kr",
            "utilised_potential": "utilised potential (society's first-year revenue / potential)",
        }[self.variable]

    def from_arrays(self, payback, annual_revenue, net_benefit, cost, utilised_potential) -> np.ndarray:
        """The target from result arrays laid out as in the result Dataset.

        Parameters
        ----------
        payback : ndarray, shape ``(run, actor)``
            Months, NaN when not reached.
        annual_revenue, cost : ndarray, shape ``(run, actor)``
            kr.
        net_benefit : ndarray, shape ``(run, actor, year)``
            kr.
        utilised_potential : ndarray, shape ``(run,)``

        Returns
        -------
        ndarray, shape ``(run,)``
        """
        a = self.actor_index
        if self.variable == "payback_months":
            pb = np.asarray(payback)[:, a]
            return np.where(np.isnan(pb), self.horizon_months + 1.0, pb)
        if self.variable == "p_payback":
            pb = np.asarray(payback)[:, a]
            return (np.nan_to_num(pb, nan=np.inf) <= self.month).astype(np.float64)
        if self.variable == "annual_revenue":
            return np.asarray(annual_revenue, dtype=np.float64)[:, a]
        if self.variable == "net_benefit":
            return np.asarray(net_benefit, dtype=np.float64)[:, a, self.year - 1]
        if self.variable == "cost":
            return np.asarray(cost, dtype=np.float64)[:, a]
        return np.asarray(utilised_potential, dtype=np.float64)

    def of_output(self, out) -> np.ndarray:
        """The target of a :class:`simsam.engine.evaluate.ModelOutput`, shape ``(run,)``."""
        return self.from_arrays(out.payback, out.revenue[:, :, 0], out.net_benefit, out.cost, out.utilised_potential)

    def of_dataset(self, ds) -> np.ndarray:
        """The target of a result Dataset (``simsam.simulate``), shape ``(draw,)``."""
        return self.from_arrays(
            ds["payback_months"].values,
            ds["annual_revenue"].values,
            ds["net_benefit"].values,
            ds["cost"].values,
            ds["utilised_potential"].values,
        )

    def check_finite(self, y: np.ndarray) -> np.ndarray:
        """``y`` itself, or ConfigError naming ``--target`` if some run has no finite value.

        Only ``utilised_potential`` can fail this: a potential of zero.
        """
        bad = int(np.count_nonzero(~np.isfinite(y)))
        if bad:
            raise ConfigError("--target", f"{self.name} is not a finite number in {bad} of {np.size(y)} runs; choose another target")
        return y

    def not_reached(self, y: np.ndarray) -> float | None:
        """For ``payback_months``: the share of runs ``y`` not paying back within the horizon; else None."""
        if self.variable != "payback_months":
            return None
        return float(np.mean(np.asarray(y) > self.horizon_months))


def parse_target(text: str, config: Config, actor: str = SOCIETY, *, month: int | None = None, year: int | None = None) -> Target:
    """A :class:`Target` from command-line words, checked against the config.

    ``text`` is a variable of :data:`TARGETS`, or ``p_payback_M`` /
    ``net_benefit_Yy`` with the month or year built in.

    Raises
    ------
    ConfigError
        Naming ``--target``, ``--actor``, ``--month`` or ``--year``.
    """
    horizon = config.simulation.horizon_months
    years = horizon // 12
    variable = text
    if m := re.fullmatch(r"p_payback_(\d+)", text):
        variable = "p_payback"
        if month is not None and month != int(m[1]):
            raise ConfigError("--month", f"{month} contradicts --target {text}")
        month = int(m[1])
    elif m := re.fullmatch(r"net_benefit_(\d+)y", text):
        variable = "net_benefit"
        if year is not None and year != int(m[1]):
            raise ConfigError("--year", f"{year} contradicts --target {text}")
        year = int(m[1])
    if variable not in TARGETS:
        raise unknown_key_error("--target", text, TARGETS + ("p_payback_36", "net_benefit_5y"), what="target")
    actors = list(config.actors) + [SOCIETY]
    if actor not in actors:
        raise unknown_key_error("--actor", actor, actor_labels(config), what="actor")
    if variable == "utilised_potential" and actor != SOCIETY:
        raise ConfigError("--actor", f"utilised_potential is society's only, not {actor}'s; leave out --actor")
    if variable == "p_payback":
        month = min(DEFAULT_MONTH, horizon) if month is None else month
        if not 1 <= month <= horizon:
            raise ConfigError("--month", f"must be between 1 and the horizon ({horizon} months), not {month}")
    elif month is not None:
        raise ConfigError("--month", f"is for --target p_payback, not {text}")
    if variable == "net_benefit":
        year = years if year is None else year
        if not 1 <= year <= years:
            raise ConfigError("--year", f"must be between 1 and {years} (the horizon in years), not {year}")
    elif year is not None:
        raise ConfigError("--year", f"is for --target net_benefit, not {text}")
    return Target(variable, actor, actors.index(actor), horizon, month, year)

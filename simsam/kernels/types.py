"""The kernel's inputs and results as named tuples, and its payback tolerance (numpy only: importing this does not load numba)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["CohortInputs", "CohortResults", "PAYBACK_RTOL", "PAYBACK_ATOL"]

#: Net benefit within ``PAYBACK_RTOL · cost + PAYBACK_ATOL`` kr below zero counts
#: as paid back, so an exact break-even month is not lost to rounding.
PAYBACK_RTOL = 1e-9
PAYBACK_ATOL = 1e-6


class CohortInputs(NamedTuple):
    """What the kernel needs for a set of draws: arrays with draws first, then the cohort's shape.

    Attributes
    ----------
    shares : ndarray, shape ``(draw, state)`` or ``(draw, group, state)``
        Exit-state shares (sum to 1), per participant group if 3-D.
    trans : ndarray, shape ``(draw, state, state)``
        Monthly transition probabilities ``from → to``, zero diagonal, rows sum ≤ 1.
    rel : ndarray, shape ``(draw, state, actor)``
        Relative flow of one participant-month, kr per month (include society as
        a column to get its results).
    cost : ndarray, shape ``(draw, actor)``
        Uplifted project cost, kr, falling at month 0 (or per ``cost_months``).
    rate : ndarray, shape ``(draw,)``
        Discount rate per year; month ``t`` is weighted ``(1 + rate)^(−t/12)``.
    keys : ndarray of uint64, shape ``(draw,)``
        Random stream key of each draw (unused for the expected cohort).
    participants : int
    horizon : int
        Months; a multiple of 12.
    exit_months : ndarray of int, shape ``(participants,)``, optional
        Month index (0-based, ``< horizon``) in which each participant exits and
        starts contributing flows; default all 0 (NyttoSam: month 1 is
        everyone's first month after exit).
    cost_months : ndarray, shape ``(horizon + 1,)``, optional
        Share of the cost falling in month ``t`` (index 0: the undiscounted lump
        at month 0); default ``[1, 0, ..., 0]``.
    drop_off : ndarray, shape ``(draw,)``, optional
        Yearly decay of the effect: month ``t``'s flow is weighted
        ``(1 − drop_off)^floor((t − 1 − drop_from) / 12)`` for ``t > drop_from``;
        default 0 (no decay).
    drop_from : int
        Month after which drop-off years are counted.
    groups : ndarray of int, shape ``(participants,)``, optional
        Each participant's group (row of a 3-D ``shares``); default all 0.
    exit_states : ndarray of int, shape ``(participants,)``, optional
        Each participant's exit state when it is known (observed follow-up data:
        fixed in every draw), −1 where it is drawn from the shares; default all −1.
    """

    shares: np.ndarray
    trans: np.ndarray
    rel: np.ndarray
    cost: np.ndarray
    rate: np.ndarray
    keys: np.ndarray
    participants: int
    horizon: int
    exit_months: np.ndarray | None = None
    cost_months: np.ndarray | None = None
    drop_off: np.ndarray | None = None
    drop_from: int = 0
    groups: np.ndarray | None = None
    exit_states: np.ndarray | None = None


class CohortResults(NamedTuple):
    """Each draw's results per actor.

    Attributes
    ----------
    payback : ndarray, shape ``(draw, actor)``
        First month with net benefit ≥ 0, NaN if not within the horizon.
    net_benefit : ndarray, shape ``(draw, actor, year)``
        Cumulative discounted net benefit at the end of each year, kr.
    revenue : ndarray, shape ``(draw, actor, year)``
        Undiscounted cohort flow within each year, kr.
    cumulative : ndarray, shape ``(draw, actor, month)`` or None
        Only with ``monthly=True``: the cumulative net benefit after every
        month, kr (what a portfolio of projects adds up month by month).
    occupancy : ndarray, shape ``(draw, state, month)`` or None
        Only with ``occupancy=True``: participants in each state in every month
        (whole numbers on the sampled paths), from which every other result follows
        (:func:`simsam.kernels.cohort.simulate_cohorts`, ``given``).
    """

    payback: np.ndarray
    net_benefit: np.ndarray
    revenue: np.ndarray
    cumulative: np.ndarray | None = None
    occupancy: np.ndarray | None = None

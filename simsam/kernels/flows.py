"""Relative flows from a flow table in compiled code: the twin of ``FlowTable.by_actor`` differenced.

NumPy's ``flows.sum(axis=3)`` over the seven items of a ``(draw, situation, actor, item)``
table calls its inner loop once per row of seven numbers: a third of the accounting's time.
This kernel adds the items in the same order (0.0, then item 0, 1, …: NumPy's order for a
reduction of fewer than eight numbers; from eight on NumPy sums pairwise, and the caller
uses NumPy) and subtracts BEFORE's total, so the values are NumPy's to the bit (tested on
random tables with zeros of both signs).
"""

from __future__ import annotations

import numpy as np

from ._jit import jit

__all__ = ["relative_totals"]


@jit
def relative_totals(flows):
    """Each outcome state's total flow minus BEFORE's, per draw and actor, kr per month.

    Parameters
    ----------
    flows : ndarray, shape ``(draw, situation, actor, item)``
        Situation 0 is BEFORE; 1 to 7 items (NumPy's order of addition). Any strides; fastest
        stored draws last, as :func:`simsam.engine.accounting.flow_table` stores it.

    Returns
    -------
    ndarray, shape ``(draw, situation − 1, actor)``
        ``Σ_i flows[d, s + 1, a, i] − Σ_i flows[d, 0, a, i]``, each sum from 0.0 and item 0 up.
    """
    n, n_situations, n_actors, n_items = flows.shape
    out = np.empty((n, n_situations - 1, n_actors))
    before = np.empty(n)
    total = np.empty(n)
    # Draws innermost: the accounting stores its table draws last (a contiguous run per situation, actor, item).
    for a in range(n_actors):
        before[:] = 0.0  # NumPy's sum starts from its identity: a row of −0.0 sums to +0.0
        for i in range(n_items):
            for d in range(n):
                before[d] += flows[d, 0, a, i]
        for s in range(1, n_situations):
            total[:] = 0.0
            for i in range(n_items):
                for d in range(n):
                    total[d] += flows[d, s, a, i]
            for d in range(n):
                out[d, s - 1, a] = total[d] - before[d]
    return out

"""Distributions of uncertain inputs: specs and checks, scipy-free laws, inverse-CDF tables.

``specs`` parses and checks what a config writes (``{ dist = "beta", mean = ..,
sd = .. }``) into a :class:`Distribution` with a quantile function; ``laws``
computes scipy.stats' values on scipy.special without importing scipy.stats;
``tables`` holds the validated inverse-CDF tables of beta, PERT and gamma
inputs and their on-disk cache.
"""

from .specs import (
    ANY,
    DISTRIBUTIONS,
    EVIDENCE_GRADES,
    EVIDENCE_KEYS,
    UNGRADED,
    Distribution,
    Domain,
    Quantity,
    beta_ab,
    parse_distribution,
    split_evidence,
)
from .tables import AS241, TABLE_NODES, TABLE_TOLERANCE, TABULATED, Z_MAX, InverseCdfTable, ndtri, table_cache_dir

__all__ = [
    "ANY", "DISTRIBUTIONS", "Distribution", "Domain", "Quantity", "beta_ab", "parse_distribution",
    "EVIDENCE_GRADES", "EVIDENCE_KEYS", "UNGRADED", "split_evidence",
    "AS241", "TABLE_NODES", "TABLE_TOLERANCE", "TABULATED", "Z_MAX", "InverseCdfTable", "ndtri", "table_cache_dir",
]

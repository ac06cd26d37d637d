"""The model: counter-based random streams, sampling, the accounting, the kernel's inputs, evaluating and running draws.

``streams`` (random numbers keyed by seed, name and draw) → ``sampling``
(``(draw, parameter)`` inputs) → ``copula`` (rank correlations) →
``accounting`` (flows per situation, actor and item) → ``inputs`` (the cohort
kernel's arrays) → ``evaluate`` (one block of draws through the kernel) →
``run`` (chunks of draws here or on a Dask cluster).
"""

"""The compiled core: numba kernels on arrays, importing only numpy, numba and math.

``cohort`` simulates each draw's cohort month by month (person, aggregate and
expected paths) and computes revenue, net benefit and payback per actor;
``binomial`` is the aggregate path's exact binomial sampler; ``rng`` the
counter-based random numbers the kernels draw from keys given as arguments.
Every kernel has a plain NumPy/Python twin in ``tests/reference.py``.
"""

"""Figures, an HTML report and an Excel summary from a finished run (``simsam report DIR``).

Everything here reads result Datasets (``results.nc``) and sensitivity Datasets
(``sensitivity-<method>/sensitivity.nc``); nothing simulates.
"""

"""Workflows above the analyses and the report: a run folder, an experiment."""

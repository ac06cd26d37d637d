"""Analyses of results: summaries, convergence, scenarios, break-even, decision, portfolio, evidence, sensitivity."""

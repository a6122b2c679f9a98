"""Packages between levels: a report exported as a signed data package, imported at the level
above beside the figures it holds itself, and the differences listed (issue 22)."""

"""Restructuring: move, merge, split, dissolve and change of kind, one at a time or by a plan.

It changes the tree (``orgs``) and re-homes members (``members``), so it sits above both
(DESIGN.md, Shape of the code); the counts follow through ``core.projections``.
"""

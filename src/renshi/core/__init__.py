"""Framework-free core: money, months, the policy library and the calculators.

Nothing in this package imports Django; everything is plain functions over frozen dataclasses.
"""

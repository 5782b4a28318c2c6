"""Analysis of a loaded process: graph (executions, lead time, ``use`` folded once), metrics,
findings, and records (the :class:`~bprkit.analysis.records.Analysis` the facade returns).
"""

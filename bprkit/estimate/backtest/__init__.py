"""The backtest: cases (published before/after figures, scored) and fit (ranges fitted to them,
scored out of sample). The cases are the ``.bpr`` files in ``cases/``.
"""

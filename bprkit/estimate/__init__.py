"""Estimates: levers (rules as data, facts that flow with documents), sampling, the Monte Carlo
(montecarlo), redesign (the automatic To-Be), diff (step matching), assumptions/ (the catalog
and its data files) and backtest/ (published cases, the fit, out-of-sample scores).
"""

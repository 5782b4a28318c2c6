"""Portfolio planning: inventory (every procedure estimated and ranked, in a process pool) and
roadmap (which levers in which year, shared investments).

The design calls this folder ``portfolio/``; it is ``planning/`` because ``bprkit.portfolio`` is
the facade's verb, and a subpackage of that name would replace the function when imported.
"""

"""The assumptions catalog: ``default.toml`` and ``fitted.toml`` beside this file, read by
:mod:`bprkit.assumptions.catalog`.
"""

"""Texts in Japanese and English: ``ja.toml`` and ``en.toml`` beside this file, read by
:mod:`bprkit.messages.catalog`.
"""

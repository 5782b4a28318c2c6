"""The bprkit grammar, shipped as the package data ``bprkit.grammar``.

``bpr.lark`` in this folder is the only copy of the grammar.
"""

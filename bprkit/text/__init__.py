"""The .bpr language: source (decoding, limits), lexer, parser (the grammar in grammar/),
transformer (tree → model), loader (files and imports), validate, flow, writer (model → text)
and fmt (the formatter).
"""

"""Presentation: the department-head report (build, html, charts, workbook), SARIF for
``check``, and the browser that prints the report to PDF.
"""

"""Files from and for other tools: BPMN 2.0 (bpmn_export, bpmn_import), the Excel time survey
(xlsx_export, xlsx_import), and the importers' limits (limits).
"""

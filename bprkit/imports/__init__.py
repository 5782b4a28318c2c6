"""Files from other tools into ``.bpr``: BPMN 2.0 (bpmn.py) and the Excel time survey
(xlsx.py)."""

"""Rich display in Jupyter, in one module that only IPython sessions load.

``import bprkit`` registers these formatters when IPython is running (and
``%load_ext bprkit.notebook`` does it by hand), so a ``Process`` or an
``Analysis`` left as a cell's last value shows as its swimlane diagram, while
model.py and analysis.py know nothing about rendering. A ``bprkit.diagram``
result displays through its own ``_repr_svg_``.
"""

from __future__ import annotations

from typing import Any

from bprkit.analysis.records import Analysis, analyze_process
from bprkit.model import Process


def svg(obj: Process | Analysis) -> str:
    """A process (analysed on its own: one that ``use``s others needs its bundle,
    ``bprkit.analyze(path)`` displays with them) or an analysis, as SVG."""
    from bprkit.render import drawing as render

    analysis = analyze_process(obj) if isinstance(obj, Process) else obj
    return render.diagram(analysis, analysis.bundle).svg()


def register(ip: Any = None) -> None:
    """Show processes and analyses as diagrams in this IPython session."""
    if ip is None:
        from IPython import get_ipython

        ip = get_ipython()
    if ip is None:
        return
    formatter = ip.display_formatter.formatters["image/svg+xml"]
    for kind in (Process, Analysis):
        formatter.for_type(kind, svg)


load_ipython_extension = register

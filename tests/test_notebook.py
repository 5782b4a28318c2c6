"""The notebook runs on a real Jupyter kernel and shows the table and the figures."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from .conftest import ROOT, needs_dot


def _run(name: str) -> list:
    """Execute a notebook of notebooks/ on a real kernel; its cells' outputs."""
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@needs_dot
def test_time_savings_notebook_runs() -> None:
    outputs = _run("time_savings.ipynb")
    assert not [o for o in outputs if o.output_type == "error"]
    html = " ".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "合計" in html and "P10" in html and "投資回収（年）" in html
    assert "住民の削減（期待値）" in html and "外部の削減" in html  # hours kept apart
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2  # the bar chart and the tornado chart
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1 and "見直し後" in svgs[0]["data"]["image/svg+xml"]
    text = " ".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    count = len([p for p in (ROOT / "processes").glob("*.bpr") if "tobe" not in p.stem])
    assert f"{count} procedures" in text


def test_portfolio_notebook_runs() -> None:
    outputs = _run("portfolio.ipynb")
    assert not [o for o in outputs if o.output_type == "error"]
    html = " ".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "削減 P50" in html and "所管" in html and "施策" in html and "年度" in html
    assert "会計の支出命令" in html  # the procedure with the most hours saved
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the roadmap chart
    text = " ".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "procedures" in text and "ranked" in text

"""Benchmark: `bprkit portfolio` over 10,000 procedures, in the process pool and on a
dask.distributed LocalCluster (issue 26, item 6), and whether both give the same result.

The procedures are copies of the library's 14 As-Is files (each its own file, the
`common/` processes they use copied once), 300 samples each; both runs use the same
workers (``--jobs``, default 2: this machine's CPUs). Prints wall seconds, the child
processes' CPU seconds for the pool (dask's workers are not children of the command
in the same way, so only its wall time is fair), and whether the two Parquet rankings
are equal. Run: `make bench` or `.venv/bin/python benchmarks/bench_dask.py [COUNT]`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_portfolio import ENV, children_cpu, make  # noqa: E402

ROOT = HERE.parent
BPRKIT = str(ROOT / ".venv" / "bin" / "bprkit")


def run(args: list[str]) -> tuple[float, float]:
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run([BPRKIT, *args], check=False, capture_output=True, env=ENV)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode())
    return time.perf_counter() - start, children_cpu() - cpu


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    jobs = str(os.cpu_count() or 2)
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "procs"
        folder.mkdir()
        make(folder, count)
        pool_out, dask_out = Path(tmp) / "pool.parquet", Path(tmp) / "dask.parquet"
        common = [str(folder), "--samples", "300", "--jobs", jobs, "--quiet"]
        pool_wall, pool_cpu = run(["portfolio", *common, "-o", str(pool_out)])
        dask_wall, _ = run(["portfolio", *common, "--dask", "local", "-o", str(dask_out)])
        a, b = pd.read_parquet(pool_out), pd.read_parquet(dask_out)
        a["file"] = a["file"].map(os.path.basename)
        b["file"] = b["file"].map(os.path.basename)
        same = a.equals(b)
    print(f"{count:,} procedures, {jobs} workers, 300 samples each")
    print(f"process pool: {pool_wall:.1f} s wall, {pool_cpu:.1f} CPU-s "
          f"({pool_cpu / count * 1000:.1f} CPU-ms a procedure)")
    print(f"dask LocalCluster: {dask_wall:.1f} s wall (cluster start included)")
    print(f"rankings equal: {'yes' if same else 'NO'} ({len(a):,} rows)")


if __name__ == "__main__":
    main()

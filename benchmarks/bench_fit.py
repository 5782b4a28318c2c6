"""Benchmark: `bprkit fit` on a log of 1,000,000 events (issue 26). Goal: under 30 s here
and within 2 GiB. The log is simulated from processes/inkan_shomei.bpr (about 7.2 events
a case, so some 139,000 cases) and written as a core system's CSV; the fit runs in a child
process so its peak memory (ru_maxrss) is its own. Prints the seconds and the peak.
Run: `make bench` or `.venv/bin/python benchmarks/bench_fit.py [EVENTS]`.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "processes" / "inkan_shomei.bpr"
GOAL_S, GOAL_MIB = 30.0, 2048

CHILD = """
import resource, sys, time
import bprkit
started = time.perf_counter()
fit = bprkit.fit_log(sys.argv[1], sys.argv[2])
took = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{took:.2f} {peak:.0f} {fit.events} {fit.cases} {fit.conformance.share:.4f}")
"""


def main() -> None:
    import bprkit
    from bprkit.interop import eventlog

    events = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    process = bprkit.load(str(SOURCE)).root.processes[0]
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "log.csv"
        started = time.perf_counter()
        written = 0
        with open(log, "w", encoding="utf-8") as fh:
            fh.write(",".join(eventlog.HEADERS_JA) + "\n")
            cases = 0
            while written < events:
                batch = list(eventlog.simulate(process, 5000, seed=cases + 1))
                text = eventlog.write_csv(dataclasses.replace(e, case=f"B{cases}-{e.case}")
                                          for e in batch[:events - written])
                fh.write(text.split("\n", 1)[1])
                written += min(len(batch), events - written)
                cases += 5000
        made = time.perf_counter() - started
        size = os.path.getsize(log) / 1e6
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        out = subprocess.run([sys.executable, "-c", CHILD, str(SOURCE), str(log)],
                             capture_output=True, text=True, check=True, env=env).stdout
        took, peak, n_events, n_cases, share = out.split()
    print(f"log: {n_events} events, {n_cases} cases, {size:.0f} MB CSV "
          f"(simulated and written in {made:.0f} s)")
    print(f"bprkit fit: {float(took):.1f} s, peak {float(peak):.0f} MiB, conformance "
          f"{float(share):.1%}")
    ok_t, ok_m = float(took) < GOAL_S, float(peak) < GOAL_MIB
    print(f"goal: under {GOAL_S:.0f} s: {'met' if ok_t else 'NOT met'}; "
          f"within {GOAL_MIB} MiB: {'met' if ok_m else 'NOT met'}")


if __name__ == "__main__":
    main()

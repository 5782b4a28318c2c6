"""Benchmark: `bprkit fit` on a log of 1,000,000 events (issue 26), after how closely it
gives back each library file's figures from a simulated log. Goal: under 30 s here
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


def recovery(cases: int = 2000, seed: int = 7) -> None:
    """How closely `fit` gives back each file's figures from a log simulated from it
    (issue 26's checks: medians within 5 %, shares within 2 points, volume within 1 %,
    conformance 100 %): the worst over every file of processes/, steps and ways with
    100 cases or more."""
    import bprkit
    from bprkit.interop import eventlog, logfit

    worst = {"time": 0.0, "wait": 0.0, "share": 0.0, "volume": 0.0}
    conform = 1.0
    for path in sorted((ROOT / "processes").glob("*.bpr")):
        process = bprkit.load(str(path)).root.processes[0]
        log = eventlog.read_csv("sim.csv", eventlog.write_csv(
            eventlog.simulate(process, cases, seed)).encode("utf-8"))
        fit = logfit.fit(process, path.read_text(encoding="utf-8"), log, path=str(path))
        conform = min(conform, fit.conformance.share)
        steps = {s.id: s for s in process.steps()}
        for f in fit.figures:
            if f.what in ("time", "wait") and f.cases >= 100 and f.measured is not None:
                written = steps[f.where].duration if f.what == "time" else steps[f.where].wait
                true = eventlog.draw(written, 0.5, 7.75)
                if true > 0:
                    worst[f.what] = max(worst[f.what], abs(f.measured - true) / true)
            elif f.what == "share" and f.cases >= 100 and f.measured is not None:
                worst["share"] = max(worst["share"],
                                     abs(f.measured - float(f.old.rstrip("%"))))
            elif f.what == "volume":
                count = float(f.new.split(" ")[0].replace(",", ""))
                worst["volume"] = max(worst["volume"], abs(count - cases) / cases)
    print(f"recovery on {cases:,} simulated cases of each file of processes/ (seed {seed}), "
          f"worst: median time {worst['time']:.1%}, median wait {worst['wait']:.1%}, "
          f"share {worst['share']:.1f} points, volume {worst['volume']:.1%}; "
          f"conformance at least {conform:.0%}")


def main() -> None:
    import bprkit
    from bprkit.interop import eventlog

    recovery()
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

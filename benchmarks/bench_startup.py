"""Benchmark: start-up of `bprkit --help` and `bprkit check FILE` against bare Python.

Goals (issue 23): `bprkit --help` within 50 ms and `bprkit check` of a small file
(processes/inu_toroku.bpr) within 70 ms, each within 2× bare Python (`python -c
pass`, measured in the same run), with Python's bytecode cached as after `pip
install`. This workplace sets PYTHONDONTWRITEBYTECODE, which makes every run compile
every module from source: the script lifts it for the measured commands and discards
a first run of each, which writes the caches.

Each command runs as a subprocess, the commands taking turns so that a busy spell of
the machine falls on all of them alike; the figure is the median of `--repeat` runs,
wall-clock (what the goals are about) and CPU time (user + system of the child: what a
shared machine's load changes least).
Then each runs under `python -X importtime`, and the ten imports that cost it most
(their own time, median of `--importtime-runs` runs) are listed, leaving out the
modules bare Python imports anyway (the venv's site and editable-install hooks).
Run: `make bench` or `.venv/bin/python benchmarks/bench_startup.py`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL_FILE = os.path.join("processes", "inu_toroku.bpr")

GOALS = {"help": 0.050, "check": 0.070}
"""The goal of each kind of command in seconds; each is also held to 2× bare Python."""
RATIO_GOAL = 2.0


def commands(python: str, script: str | None, path: str) -> list[tuple[str, str, list[str]]]:
    """(label, kind, argv) of each command measured; kind names its goal ("" for none)."""
    out = [
        ("python -c pass", "", [python, "-c", "pass"]),
        ("python -m bprkit --help", "help", [python, "-m", "bprkit", "--help"]),
        ("python -m bprkit check FILE", "check", [python, "-m", "bprkit", "check", path]),
    ]
    if script is not None:  # the console script pip writes: a different start
        out.insert(2, ("bprkit --help", "help", [script, "--help"]))
        out.append(("bprkit check FILE", "check", [script, "check", path]))
    return out


def environment() -> dict[str, str]:
    """The caller's environment, bytecode caching allowed."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds the command takes, start to exit, and the CPU seconds it used (its output
    discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    took = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {done.returncode}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_times(argv: list[str], env: dict[str, str], runs: int) -> dict[str, tuple[int, int]]:
    """Module → (own µs, cumulative µs) under ``-X importtime``, medians of ``runs``."""
    own: dict[str, list[int]] = {}
    cumulative: dict[str, list[int]] = {}
    for _ in range(runs):
        done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, cumulative_us, name = line[len("import time:"):].split("|")
            own.setdefault(name.strip(), []).append(int(self_us))
            cumulative.setdefault(name.strip(), []).append(int(cumulative_us))
    return {name: (int(statistics.median(own[name])), int(statistics.median(cumulative[name])))
            for name in own}


def console_script(python: str) -> str | None:
    """The ``bprkit`` script beside ``python`` when there is one."""
    script = os.path.join(os.path.dirname(python), "bprkit")
    return script if os.path.isfile(script) and os.access(script, os.X_OK) else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15, help="runs of each command (median)")
    ap.add_argument("--importtime-runs", type=int, default=5,
                    help="runs under -X importtime of each command (median)")
    ap.add_argument("--file", default=SMALL_FILE, help="the file `check` reads")
    args = ap.parse_args()
    env = environment()
    python = sys.executable
    # the console script's shebang names its interpreter; skip the script when it is
    # not this one (another venv's figures would be measured)
    script = console_script(python)
    if script is not None:
        with open(script, encoding="utf-8", errors="replace") as fh:
            if fh.readline().strip() != f"#!{python}":
                script = None
    measured = commands(python, script, args.file)
    for _, _, argv in measured:  # the warm-up: writes the bytecode caches
        run(argv, env)
    times: dict[str, list[float]] = {label: [] for label, _, _ in measured}
    cpu: dict[str, list[float]] = {label: [] for label, _, _ in measured}
    for _ in range(args.repeat):
        for label, _, argv in measured:
            wall, used = run(argv, env)
            times[label].append(wall)
            cpu[label].append(used)
    medians = {label: statistics.median(t) for label, t in times.items()}
    cpu_medians = {label: statistics.median(t) for label, t in cpu.items()}
    bare, bare_cpu = medians["python -c pass"], cpu_medians["python -c pass"]
    print(f"start-up, median of {args.repeat} runs, bytecode cached "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    met_all = True
    for label, kind, _ in measured:
        figure, ratio = medians[label], medians[label] / bare
        used = cpu_medians[label]
        line = (f"{label:30s} {figure * 1e3:6.1f} ms  {ratio:4.2f}× bare Python  "
                f"(CPU {used * 1e3:6.1f} ms, {used / bare_cpu:4.2f}×)")
        if kind:
            limit = GOALS[kind]
            met = figure <= limit and ratio <= RATIO_GOAL
            met_all &= met
            line += (f"  goal ≤ {limit * 1e3:.0f} ms and ≤ {RATIO_GOAL:.0f}×: "
                     f"{'met' if met else 'NOT met'}")
        print(line)
    print("goal: every command within its limit:", "met" if met_all else "NOT met")
    print()
    bare_modules = import_times(measured[0][2], env, args.importtime_runs)
    for label, kind, argv in measured:
        if script is not None and argv[0] == script:
            continue  # the same imports as `python -m bprkit`
        found = import_times(argv, env, args.importtime_runs)
        if kind:
            found = {m: t for m, t in found.items() if m not in bare_modules}
            said = "beyond bare Python's"
        else:
            said = "all"
        total = sum(own for own, _ in found.values())
        print(f"{label}: the ten slowest imports ({said}; {len(found)} modules, "
              f"{total / 1e3:.1f} ms in all; own / cumulative ms, median of "
              f"{args.importtime_runs})")
        for name, (own, cumulative) in sorted(found.items(), key=lambda i: -i[1][0])[:10]:
            print(f"  {own / 1e3:6.2f} {cumulative / 1e3:7.2f}  {name}")
        print()


if __name__ == "__main__":
    main()

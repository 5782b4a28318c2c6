"""Run every benchmark and record what each printed in ``benchmarks/results.md``, with the
date and the machine: the figures the docs quote are these, and only these.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/all.py [--only NAME ...]``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("startup", "check", "analyze", "render", "plantuml", "sheets", "import", "estimate",
           "use_diamond", "limits", "backtest", "portfolio", "report", "fit", "dask", "queues")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return (f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average before: {load}")


def commit() -> str:
    """The commit measured (with ``+`` when the tree has changes), or ``?``."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=HERE, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + ("+" if dirty.strip() else "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", choices=SCRIPTS, default=list(SCRIPTS))
    ap.add_argument("--out", default=str(HERE / "results.md"))
    ap.add_argument("--append", action="store_true",
                    help="add the scripts' sections to the file instead of starting it anew")
    args = ap.parse_args()
    started = datetime.datetime.now().astimezone()
    parts = [f"# Benchmark figures, {started:%Y-%m-%d %H:%M %Z}\n",
             f"Machine: {machine()}. Commit: {commit()}.\n",
             "Written by `benchmarks/all.py` (`make bench`): what each script printed, "
             "verbatim. The docs quote these figures.\n"]
    if args.append:
        parts = [Path(args.out).read_text(encoding="utf-8").rstrip() + "\n",
                 f"(Added {started:%Y-%m-%d %H:%M %Z}; machine: {machine()}.)\n"]
    for name in args.only:
        script = HERE / f"bench_{name}.py"
        t = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], cwd=HERE, capture_output=True,
                              text=True, check=False)
        took = time.perf_counter() - t
        out = done.stdout.rstrip() + (f"\n(exit {done.returncode}: {done.stderr.strip()})"
                                      if done.returncode else "")
        print(f"== {script.name} ({took:.0f} s)\n{out}\n", flush=True)
        parts.append(f"## `{script.name}` ({took:.0f} s)\n\n```\n{out}\n```\n")
    Path(args.out).write_text("\n".join(parts), encoding="utf-8")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()

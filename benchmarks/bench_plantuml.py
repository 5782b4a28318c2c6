"""Benchmark: `bprkit render` against PlantUML on the same procedures, side by side.

bench_check's ``generate`` at 25, 300 and 1,000 steps (five lanes; a 10 % rework branch
every 50 steps, a parallel inquiry every 200: neither at 25 steps) is drawn by ``bprkit render
FILE -o OUT.svg --lang ja`` and, translated from bprkit's parsed model into an activity
diagram (new syntax), by ``plantuml -tsvg FILE.puml -o DIR``.

Carried over to PlantUML: the process title; the lanes, as bprkit heads them (申請者（住民）);
each step in flow order with bprkit's text (title, duration, its flag and digital tags);
each step's wait on the arrow into it (待ち 5分); a branch back to an earlier step as
``repeat`` … ``repeat while (不備) is (10%) not (90%)``, a branch to the end as ``if`` …
``stop``; a parallel block as ``fork`` / ``fork again`` / ``end fork``. Not carried over:
what bprkit adds from its analysis (the facts line under the title, the legend, the colours
of the busiest steps and of the tags). Steps that jump (``-> X``), forward branches past
the next statement and ``use`` are not translated (the generated files have none).

Each command is timed as a user runs it: wall seconds, start-up included (Python's for
bprkit, the JVM's for PlantUML), after one untimed run of each on the smallest file;
median of 3 runs, interleaved (bprkit, PlantUML, bprkit, …); a size where PlantUML takes
over 60 s is run once. Peak memory is GNU time's %M: the largest resident set of any one
process of the command (bprkit's Python or its Graphviz child; PlantUML's java).
Goal: bprkit at least 2× faster than PlantUML at every size up to 1,000 steps.
Run: `make bench` or `.venv/bin/python benchmarks/bench_plantuml.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from bench_check import generate

import bprkit
from bprkit import vocabulary
from bprkit.messages import catalog as messages
from bprkit.model import END, Branch, FlowItem, Parallel, Process, Step
from bprkit.render.scene import duration_text, tag_name

SIZES = (25, 300, 1000)
REPEAT = 3
SLOW = 60.0  # PlantUML seconds past which a size is run once
TIMEOUT = 600.0
GOAL = 2.0
LANG = "ja"
GNU_TIME = "/usr/bin/time"
BADGES = (*vocabulary.FLAG_TAGS, *vocabulary.DIGITAL_TAGS)


def first_step(item: FlowItem) -> str | None:
    """The id of the item's first step (of its first path for a parallel block)."""
    if isinstance(item, Step):
        return item.id
    if isinstance(item, Parallel) and item.paths and item.paths[0].items:
        return first_step(item.paths[0].items[0])
    return None


def puml(process: Process) -> str:
    """The process as a PlantUML activity diagram with swimlanes."""
    lanes = {ln.id: f"{ln.title}（{messages.text(LANG, 'role_' + ln.role)}）"
             for ln in process.lanes}
    flow = process.flow
    at = {first_step(item): n for n, item in enumerate(flow)}
    loops: dict[str, int] = {}  # step id → the rework loops that go back to it
    for n, item in enumerate(flow):
        if isinstance(item, Branch):
            for case in item.cases:
                if at.get(case.target, n) < n:
                    loops[case.target] = loops.get(case.target, 0) + 1
    lane = next(process.steps()).lane
    out = ["@startuml", f"title {process.title}", *(f"|{t}|" for t in lanes.values()),
           f"|{lanes[lane]}|", "start"]

    def step(s: Step) -> None:
        nonlocal lane
        if s.target is not None:
            raise ValueError(f"{s.id}: a step that jumps is not translated")
        if s.lane != lane:
            out.append(f"|{lanes[s.lane]}|")
            lane = s.lane
        out.extend(["repeat"] * loops.get(s.id, 0))
        if s.wait is not None:
            wait = messages.text(LANG, "diagram_wait", time=duration_text(s.wait, LANG))
            out.append(f"-> {wait};")
        badges = " ".join(tag_name(t, LANG) for t in s.tags if t in BADGES)
        text = [s.title, duration_text(s.duration, LANG), badges]
        out.append(":" + "\n".join(x for x in text if x) + ";")

    for n, item in enumerate(flow):
        if isinstance(item, Step):
            step(item)
        elif isinstance(item, Parallel):
            for k, path in enumerate(item.paths):
                out.append("fork again" if k else "fork")
                for sub in path.items:
                    if not isinstance(sub, Step):
                        raise ValueError("only steps are translated in a parallel path")
                    step(sub)
            out.append("end fork")
        elif isinstance(item, Branch):
            after = first_step(flow[n + 1]) if n + 1 < len(flow) else END
            given = sum(c.percent for c in item.cases if c.percent is not None)
            share = {c.target: c.percent if c.percent is not None else 100 - given
                     for c in item.cases}
            back = [t for t in share if at.get(t, n) < n]
            label = item.label or ""
            if len(back) > 1 or any(t not in (after, END) for t in share if t not in back):
                raise ValueError(f"branch {label}: not translated")
            if back:
                rest = sum(p for t, p in share.items() if t != back[0])
                out.append(f"repeat while ({label}) is ({share[back[0]]:g}%) not ({rest:g}%)")
            if END in share and after != END:
                out += [f"if ({label}) then ({share[END]:g}%)", "stop",
                        f"else ({100 - share[END]:g}%)", "endif"]
        else:
            raise ValueError(f"{type(item).__name__}: not translated")
    return "\n".join([*out, "stop", "@enduml"]) + "\n"


Run = tuple[float, float | None, str]


def run(cmd: list[str], out: Path) -> Run:
    """(wall seconds, peak MiB or None, '' or what went wrong) of one command."""
    out.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.NamedTemporaryFile("r") as mem:
        timed = [GNU_TIME, "-f", "%M", "-o", mem.name, *cmd] if os.access(GNU_TIME, os.X_OK) \
            else cmd
        t = time.perf_counter()
        p = subprocess.Popen(timed, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=env, start_new_session=True)
        try:
            _, err = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return TIMEOUT, None, f"timed out after {TIMEOUT:.0f} s"
        took = time.perf_counter() - t
        lines = Path(mem.name).read_text().split()
        peak = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None
    if p.returncode:
        return took, peak, f"exit {p.returncode}: {err.decode(errors='replace')[-300:]}"
    return took, peak, ""


def incomplete(svg: Path, last: str) -> str:
    """'' when the SVG is there, non-empty and holds the last step's title (its text
    with the markup and white space taken out: a title may be wrapped)."""
    if not svg.exists() or svg.stat().st_size == 0:
        return "no SVG written"
    text = re.sub(r"<[^>]*>|\s", "", svg.read_text(encoding="utf-8", errors="replace"))
    return "" if re.sub(r"\s", "", last) in text else f"SVG lacks the last step's title 「{last}」"


def main() -> None:
    if shutil.which("plantuml") is None:
        print("PlantUML is missing: `apt-get install plantuml` (which `make bench` does); "
              "no figures.")
        return
    version = subprocess.run(["plantuml", "-version"], capture_output=True, text=True,
                             check=False).stdout.splitlines() or ["PlantUML ?"]
    java = next((ln for ln in version if ln.startswith("Java Version")), "Java ?")
    print("`bprkit render FILE -o OUT.svg --lang ja` against `plantuml -tsvg FILE.puml -o DIR`,"
          f" the same generated procedures\n{version[0]}; {java}; wall seconds, median of "
          f"{REPEAT} interleaved runs (1 when PlantUML takes over {SLOW:.0f} s); peak MiB: "
          "GNU time %M, the largest process of the command\n")
    print(f"{'steps':>5}  {'bprkit s':>8}  {'PlantUML s':>10}  {'PlantUML ÷ bprkit':>17}  "
          f"{'bprkit MiB':>10}  {'PlantUML MiB':>12}  runs", flush=True)
    verdicts: list[bool | None] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for steps in SIZES:
            (work / f"bench{steps}.bpr").write_text(generate(steps), encoding="utf-8")
            process = bprkit.load(str(work / f"bench{steps}.bpr")).root.processes[0]
            (work / f"bench{steps}.puml").write_text(puml(process), encoding="utf-8")
        cli = str(Path(sys.executable).with_name("bprkit"))
        commands = {steps: (
            ([cli, "render", str(work / f"bench{steps}.bpr"), "-o",
              str(work / f"bench{steps}.svg"), "--lang", LANG], work / f"bench{steps}.svg"),
            (["plantuml", "-tsvg", str(work / f"bench{steps}.puml"), "-o", str(work / "puml")],
             work / "puml" / f"bench{steps}.svg")) for steps in SIZES}
        for cmd, out in commands[SIZES[0]]:
            run(cmd, out)  # warm-up: bytecode caches, jars and fonts in the page cache
        for steps in SIZES:
            last = list(bprkit.load(str(work / f"bench{steps}.bpr")).root.processes[0]
                        .steps())[-1].title
            runs: tuple[list[Run], list[Run]] = ([], [])
            for _ in range(REPEAT):  # interleaved: bprkit, PlantUML, bprkit, …
                for (cmd, out), done in zip(commands[steps], runs, strict=True):
                    done.append(run(cmd, out))
                if runs[0][-1][2] or runs[1][-1][2] or runs[1][-1][0] > SLOW:
                    break
            problems = [f"{who}: {why}" for who, (_, out), done in zip(
                ("bprkit", "PlantUML"), commands[steps], runs, strict=True)
                if (why := done[-1][2] or incomplete(out, last))]
            ours, theirs = (statistics.median(r[0] for r in done) for done in runs)
            mib = [f"{max(peaks):.0f}" if (peaks := [r[1] for r in done if r[1] is not None])
                   else "—" for done in runs]
            timed_out = len(problems) == 1 and "timed out" in problems[0] and \
                problems[0].startswith("PlantUML")
            verdicts.append(theirs / ours >= GOAL if not problems or timed_out else None)
            shown = f"{'>' if timed_out else ''}{theirs / ours:.1f}×"
            print(f"{steps:5d}  {ours:8.2f}  {theirs:10.2f}  {shown:>17}  {mib[0]:>10}  "
                  f"{mib[1]:>12}  {len(runs[1])}"
                  + (f"   ({'; '.join(problems)})" if problems else ""), flush=True)
    goal = f"bprkit ≥ {GOAL:g}× faster than PlantUML at every size up to {max(SIZES):,} steps"
    if None in verdicts:
        print(f"goal: {goal}: not judged (a run failed, above)")
    else:
        print(f"goal: {goal}:", "met" if all(verdicts) else "NOT met")


if __name__ == "__main__":
    main()

"""`make fuzz`: generated and mutated `.bpr` files through every command's code
for a given time, then the figures (inputs, accepted, failures by kind).

    python -m tests.fuzz --minutes 30 [--seed N] [--out DIR]

A failing input is kept under DIR (default fuzz-failures/) with its traceback, to
become a regression file under tests/.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import traceback
from pathlib import Path

from tests.fuzzing import Outcome, classify, generate, mutate, run_commands, run_everything

CLI_EVERY = 10
"""Every tenth accepted file also goes through the public CLI (bprkit.cli.main): every
command, the exports imported back, serve's routes (tests/fuzzing.py, run_commands)."""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--out", default="fuzz-failures")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    corpus = [p.read_text(encoding="utf-8") for p in sorted(Path("processes").rglob("*.bpr"))]
    outcome = Outcome()
    commands = 0
    stop = time.monotonic() + args.minutes * 60
    started = time.monotonic()
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.bpr"
        while time.monotonic() < stop:
            roll = rng.random()
            text = generate(rng) if roll < 0.6 else mutate(rng, generate(rng)) \
                if roll < 0.85 else mutate(rng, rng.choice(corpus))
            path.write_text(text, encoding="utf-8")
            outcome.inputs += 1
            try:
                if run_everything(path, samples=100):
                    outcome.clean += 1
                    if outcome.clean % CLI_EVERY == 0:  # the public CLI, every command
                        folder = Path(tmp) / f"cli{outcome.clean}"
                        folder.mkdir()
                        copy = folder / "f.bpr"
                        copy.write_text(text, encoding="utf-8")
                        commands += len(run_commands(copy))
                        shutil.rmtree(folder)
            except Exception as exc:
                kind = classify(exc)
                if kind not in outcome.examples:
                    out.mkdir(exist_ok=True)
                    n = len(outcome.examples) + 1
                    (out / f"failure{n}.bpr").write_text(text, encoding="utf-8")
                    (out / f"failure{n}.txt").write_text(traceback.format_exc(), encoding="utf-8")
                outcome.add(kind, text)
    seconds = time.monotonic() - started
    print(f"fuzz: seed {seed}, {seconds / 60:.1f} min, {outcome.inputs:,} inputs "
          f"({outcome.inputs / seconds:.1f}/s), {outcome.clean:,} accepted by check and run "
          f"through every command's code; {commands:,} commands run through the public CLI "
          f"(every {CLI_EVERY}th accepted file)")
    if not outcome.failures:
        print("failures: none")
        return 0
    print(f"failures: {sum(outcome.failures.values())} (kept in {out}/)")
    for kind, count in outcome.failures.most_common():
        print(f"  {count:6d}  {kind}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())

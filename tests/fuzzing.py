"""bprkit's own fuzzing: generators of valid and nearly valid `.bpr` files, and a
harness that runs every command's code path on a file and sorts what goes wrong.

The promise it checks (docs/reliability.md): `check` never raises; what `check`
accepts, `analyze`, `estimate`, `render` (scene, layout, routing, DOT), `redesign`
and the writer handle — no exception other than a BprError, no non-finite number
in the figures, the writer's output reads back to the same model and checks clean,
redesign's output checks clean.

Used by `tests/test_fuzz.py` (Hypothesis, a small budget in every `make test`) and by
`make fuzz` (`python -m tests.fuzz --minutes 30`: random files for the time given,
then the figures: inputs, clean ones, failures by kind).
"""

from __future__ import annotations

import math
import random
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ["住民", "窓口", "内部事務", "決裁", "保存", "システム", "外部", "resident", "counter",
         "back_office", "approval"]
TAGS = ["紙", "押印", "対面", "手書き", "転記", "突合", "印刷", "郵送", "FAX", "電話", "現金",
        "定型", "判断", "交付", "通知", "照会", "現地調査", "オンライン", "RPA", "paper",
        "seal", "routine"]
UNITS = ["分", "秒", "時間", "日", "週", "min", "h", "d"]
LEVERS = ["ai_ocr", "rpa", "e_approval", "online", "no_writing_counter", "none", "AI-OCR",
          "電子決裁", "マイナンバー情報連携", "external_linkage"]
ODD_TEXT = ["受付", "申請書を記入し窓口へ提出", 'a"b\\c', "<script>&amp;", "{x}", "　全角 空白",
            "😀 絵文字", "e\u0301", "ﾊﾝｶｸ", "x" * 80, "、" * 30, "3,000円", "／改行", ""]


def number(rng: random.Random, small: bool = False) -> str:
    """A number as a file might hold it: ordinary, tiny, long decimals, big."""
    kind = rng.random()
    if kind < 0.6:
        return str(rng.randint(0 if not small else 1, 60))
    if kind < 0.75:
        return f"{rng.uniform(0, 10):.{rng.randint(1, 6)}f}"
    if kind < 0.85:
        return "0." + "0" * rng.randint(3, 12) + str(rng.randint(1, 9))
    if kind < 0.985:
        return f"{rng.randint(1, 999_999):,}"
    return str(rng.randint(10**6, 10**12))  # sometimes above the limit: E052


def duration(rng: random.Random) -> str:
    values = sorted(float(number(rng).replace(",", "")) for _ in range(rng.choice([1, 2, 3])))
    text = "..".join(f"{v:g}" if "e" not in f"{v:g}" else str(int(v)) for v in values)
    return text + rng.choice(UNITS)


def label(rng: random.Random) -> str:
    text = rng.choice(ODD_TEXT)
    if rng.random() < 0.5:
        return "「" + text.replace("」", "") + "」"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(rng: random.Random) -> str:
    """A `.bpr` file of one to four processes; later processes may be used by
    earlier ones (no cycles). Valid by construction, apart from what `check`
    decides about numbers (E052) and percentages."""
    count = rng.randint(1, 4)
    out = []
    for index in range(count):
        pid = f"p{index}"
        lanes = [f"l{n}" for n in range(rng.randint(1, 5))]
        lines = [f"process {pid} {label(rng) if rng.random() < 0.7 else ''} {{"]
        if rng.random() < 0.9:
            period = rng.choice(["年", "月", "日", "year"])
            season = ""
            if period in ("年", "year") and rng.random() < 0.2:  # a filing season, a share
                share = f" {rng.choice(['60', '100', '0.5', '35.5'])}%" if rng.random() < 0.5 \
                    else ""
                season = f" {rng.choice(['集中', 'within'])} {rng.randint(1, 243)} 日{share}"
            lines.append(f"  volume {number(rng, small=True)} / {period}{season}")
        if rng.random() < 0.3:
            lines.append(f"  owner {label(rng)}")
        roles = [rng.choice(ROLES) for _ in lanes]
        for lane, role in zip(lanes, roles, strict=True):
            lines.append(f"  lane {lane} {label(rng) if rng.random() < 0.5 else ''} : {role}")
        if rng.random() < 0.3:
            lines.append("  data 氏名, 住所 : held")
        lines += ["  document 書類0 : 紙", "  document 書類1 : paper", "  document 書類2 : 電子"]
        steps: list[str] = []
        lines += _flow(rng, pid, lanes, roles, steps, depth=0, others=count - index - 1,
                       first=index + 1, size=rng.randint(1, 14), top=True)
        lines.append("}")
        out.append("\n".join(lines))
    if rng.random() < 0.1:  # a To-Be's name already taken: redesign must pick another
        out.append("process p0_tobe {\n  volume 10 / 年\n  lane a : 窓口\n"
                   "  step t @a [紙, 転記, 定型] 3分\n}")
    return "\n\n".join(out) + "\n"


def _flow(rng: random.Random, pid: str, lanes: list[str], roles: list[str], steps: list[str],
          *, depth: int, others: int, first: int, size: int, top: bool) -> list[str]:
    pad = "  " * (depth + 1)
    lines: list[str] = []
    local: list[str] = []
    for _ in range(size):
        roll = rng.random()
        if top and roll < 0.07:
            lines.append(f"{pad}phase ph{len(steps)}{len(lines)} {label(rng)}")
            continue
        if roll < 0.12 and depth < 2:
            lines.append(f"{pad}parallel {{")
            for _ in range(rng.randint(1, 3)):
                lines.append(f"{pad}  path {{")
                lines += _flow(rng, pid, lanes, roles, steps, depth=depth + 2, others=0,
                               first=first, size=rng.randint(0, 3), top=False)
                lines.append(f"{pad}  }}")
            lines.append(f"{pad}}}")
            continue
        if roll < 0.2 and others > 0:
            times = f" x {rng.randint(2, 3)}" if rng.random() < 0.3 else ""
            batch = (f" {rng.choice(['batch', 'まとめて'])} "
                     f"{rng.choice(['20', '20件', 'month', 'week', '日'])}"
                     f"{rng.choice(['', '', ' each', ' 個別', ' 一括'])}"
                     if rng.random() < 0.2 else "")
            lines.append(f"{pad}use p{rng.randint(first, first + others - 1)}{times}{batch}")
            continue
        name = f"s{len(steps)}"
        steps.append(name)
        local.append(name)
        lane = rng.randrange(len(lanes))
        tags = rng.sample(TAGS, rng.randint(0, 4))
        tag_text = f" [{', '.join(tags)}]" if tags else ""
        wait = f" {rng.choice(['wait', '待ち'])} {duration(rng)}" if rng.random() < 0.3 else ""
        body = []
        if rng.random() < 0.15:
            body.append(f"note {label(rng)}")
        if rng.random() < 0.1:
            body.append(f"lever {rng.choice(LEVERS)}")
        if rng.random() < 0.1:
            body.append(f"{rng.choice(['batch', 'まとめて'])} "
                        f"{rng.choice(['10', '5件', 'month', '週'])}"
                        f"{rng.choice(['', ' each', ' 個別', ' shared'])}")
        if rng.random() < 0.05:
            body.append(f"uses 書類{rng.randint(0, 2)}")
        if rng.random() < 0.1 and "システム" in roles:
            body.append(f"system {lanes[roles.index('システム')]}")
        block = (" {\n" + "".join(f"{pad}  {b}\n" for b in body) + f"{pad}}}") if body else ""
        lines.append(f"{pad}step {name} {label(rng) if rng.random() < 0.8 else ''} "
                     f"@{lanes[lane]}{tag_text} {duration(rng)}{wait}{block}")
        if rng.random() < 0.15 and len(local) >= 1:
            back = rng.choice(local)
            share = rng.choice(["10", "5", "30", "0.5", "99.9", "50"])
            lines.append(f"{pad}branch {label(rng) if rng.random() < 0.5 else ''} {{")
            lines.append(f"{pad}  {share}% -> {back}")
            lines.append(f"{pad}  else -> {'end' if top and rng.random() < 0.2 else 'NEXT'}")
            lines.append(f"{pad}}}")
    # a branch's else goes to the next step: make sure there is one
    text = "\n".join(lines)
    if "NEXT" in text:
        name = f"s{len(steps)}"
        steps.append(name)
        lines.append(f"{pad}step {name} @{lanes[0]} 1分")
        lines = [line.replace("NEXT", name) for line in lines]
    return lines


def mutate(rng: random.Random, text: str) -> str:
    """A nearly valid file: a few characters inserted, deleted or swapped."""
    pieces = ["{", "}", "「", "」", '"', "->", "%", "..", "@", "[", "]", "x 2", "wait", "\n",
              "  ", "9" * 30, "0.0000001", "step", "use p0", "phase", "end", "\u0007", "é"]
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(text))
        op = rng.random()
        if op < 0.5:
            text = text[:pos] + rng.choice(pieces) + text[pos:]
        elif op < 0.8:
            text = text[:pos] + text[pos + rng.randint(1, 8):]
        else:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@dataclass
class Outcome:
    inputs: int = 0
    clean: int = 0
    failures: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, text: str) -> None:
        self.failures[kind] += 1
        self.examples.setdefault(kind, text)


def _finite(value: object, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise AssertionError(f"non-finite number in {where}")
    if isinstance(value, dict):
        for k, v in value.items():
            _finite(v, f"{where}.{k}")
    if isinstance(value, list | tuple):
        for v in value:
            _finite(v, where)


def run_everything(path: Path, *, samples: int = 200, draw: bool = False) -> bool:
    """Run every command's code on one file. Returns whether `check` accepted it;
    raises (AssertionError or the exception itself) on a broken promise."""
    from bprkit.analysis.records import analyze_process
    from bprkit.assumptions.catalog import default
    from bprkit.errors import BprError
    from bprkit.estimate.montecarlo import estimate
    from bprkit.estimate.redesign import redesign_all
    from bprkit.render import dot
    from bprkit.render import drawing as render
    from bprkit.text import writer
    from bprkit.text.loader import check_files

    report = check_files([str(path)])
    if not report.ok:
        return False
    bundle = report.files[0].bundle
    assert bundle is not None
    a = default()
    try:
        for process in bundle.root.processes:
            analysis = analyze_process(process, bundle)
            _finite(analysis.to_dict("ja"), "analyze")
            est = estimate(process, bundle, a, samples=samples)
            _finite(est.to_dict(), "estimate")
            for options in (render.Options(), render.Options(heat=True, lang="en"),
                            render.Options(paper="a4", direction="TB")):
                drawing = render.diagram(analysis, bundle, options)
                for page in drawing.pages:
                    source = dot.graph(page).source
                    assert "nan" not in source.lower().split("label")[0]
            if draw:
                drawing.svg()
            _combined(process, bundle, a, samples)
        result = redesign_all(bundle.root.processes, bundle, a)
    except BprError:
        return True  # raised on purpose, with a message: allowed
    # the writer: reads back to the same model, and checks clean
    again = path.with_name(path.stem + ".written.bpr")
    again.write_text(writer.write(bundle.root), encoding="utf-8")
    second = check_files([str(again)])
    assert second.ok, [d.render("en") for d in second.diagnostics if d.is_error][:2]
    original = [(p.id, p.flow, p.lanes, p.volume, p.phases) for p in bundle.root.processes]
    reread = [(p.id, p.flow, p.lanes, p.volume, p.phases)
              for p in second.files[0].bundle.root.processes]
    assert original == reread, "the writer's output reads back to another model"
    from bprkit.model import Import, SourceFile

    tobe = path.with_name(path.stem + ".tobe.bpr")
    tobe.write_text(writer.write(SourceFile(str(tobe), (Import(path.name),), result.processes)),
                    encoding="utf-8")
    third = check_files([str(tobe)])
    assert third.ok, [d.render("en") for d in third.diagnostics if d.is_error][:2]
    return True


def _combined(process: object, bundle: object, a: object, samples: int) -> None:
    """The analysis that large expansions use (each used process once), forced:
    generated files are too small to reach it on their own."""
    from bprkit.analysis import graph
    from bprkit.analysis.records import analyze_process
    from bprkit.estimate.montecarlo import estimate

    old, graph.COMBINE_ABOVE = graph.COMBINE_ABOVE, 0
    try:
        _finite(analyze_process(process, bundle).to_dict("en"), "combined analyze")
        _finite(estimate(process, bundle, a, samples=samples).to_dict(), "combined estimate")
    finally:
        graph.COMBINE_ABOVE = old


def classify(exc: BaseException) -> str:
    """A failure's kind: the exception type and the innermost bprkit frame."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/bprkit/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else "?"
    return f"{type(exc).__name__} in {where}"


# ── the public CLI, as the audit drove it (issue 21) ──
NEIGHBOUR = 'process n 「隣」 {\n  lane a : back_office\n  step s @a 1分\n}\n'
"""A file beside the fuzzed one that no command may touch."""


def _main(argv: list[str]) -> tuple[int, str]:
    """``bprkit.cli.main`` in this process (tests/clirunner.py); the exit status and
    what it printed on stderr."""
    from .clirunner import run

    r = run(argv)
    return r.code, r.stderr


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def run_commands(path: Path, *, samples: int = 50) -> list[str]:
    """Every command of the public CLI on one file (and the exports imported back),
    through ``bprkit.cli.main``. Returns the commands run; raises AssertionError on a
    broken promise: an exit status of 3 or a traceback, a changed input or neighbour,
    a temporary file left, an import of bprkit's own export that does not check clean,
    a serve route that raises."""
    folder = path.parent
    (folder / "neighbour.bpr").write_text(NEIGHBOUR, encoding="utf-8")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    before = _snapshot(folder)
    f, s = str(path), str(samples)
    runs = [
        ["check", f], ["analyze", f], ["analyze", f, "--format", "json"],
        ["analyze", f, "--format", "csv"], ["estimate", f, "--samples", s],
        ["estimate", f, "--samples", s, "--format", "json"],
        ["estimate", f, "--samples", s, "--format", "csv"],
        ["render", f, "-o", str(out / "d.svg")], ["render", f, "-o", str(out / "d.dot")],
        ["render", f, "--format", "mmd", "-o", str(out / "d.mmd")],
        ["redesign", f, "-o", str(out / "t.bpr"), "--force"],
        ["export", f, "-o", str(out / "e.bpmn")], ["export", f, "-o", str(out / "e.mmd")],
        ["export", f, "-o", str(out / "e.xlsx"), "--samples", s],
        ["portfolio", f, "--samples", s, "--jobs", "1", "--quiet"],
        ["portfolio", f, "--samples", s, "--jobs", "1", "--quiet", "-o", str(out / "p.csv")],
        ["fmt", "--check", f], ["fmt", "--diff", f],
    ]
    done = []
    for argv in runs:
        code, err = _main([*argv, "--lang", "en"] if argv[0] != "fmt" else argv)
        assert code in (0, 1, 2) and "Traceback" not in err, (argv, code, err[-400:])
        assert "internal error" not in err, (argv, err[-400:])
        done.append(" ".join(argv[:1] + [a for a in argv[1:] if a.startswith("--")]))
    # bprkit's own exports come back in: what import writes checks clean
    for exported in ("e.bpmn", "e.xlsx"):
        if (out / exported).exists():
            back = out / f"back-{exported.replace('.', '-')}.bpr"
            code, err = _main(["import", str(out / exported), "-o", str(back), "--force",
                               "--lang", "en"])
            assert code in (0, 1, 2) and "Traceback" not in err, (exported, code, err[-400:])
            if code == 0 and back.exists():
                code, err = _main(["check", str(back), "--lang", "en"])
                assert code == 0, (exported, err[-600:])
            done.append(f"import {exported}")
    # fmt in place on a copy: the copy checks clean and means the same
    copy = out / "copy.bpr"
    copy.write_bytes(path.read_bytes())
    code, err = _main(["fmt", str(copy)])
    assert code in (0, 1) and "Traceback" not in err, err[-400:]
    done.append("fmt")
    # serve's routes: the list and every drawing, as the page asks for them
    from bprkit import serve

    site = serve.Site(str(folder), None, "ja")
    for name in serve.files(site):
        for mode in ("asis", "compare"):
            serve.drawing(site, name, mode=mode, heat=mode == "compare", lang="en")
    done.append("serve")
    assert _snapshot(folder) == before, "an input or a neighbouring file changed"
    left = [p for p in folder.rglob("*") if p.name.startswith(".bprkit-")]
    assert not left, f"temporary files left: {left}"
    return done

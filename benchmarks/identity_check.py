"""Same analysis before and after a change: ``innspill analyze`` from two source trees on the same
inputs, the JSON compared byte for byte without the timing field (``provenance.seconds``).

    git archive HEAD | (mkdir -p /tmp/before && cd /tmp/before && tar -x)   # the tree before
    python benchmarks/identity_check.py --before /tmp/before                # seed and examples/*.txt
    python benchmarks/identity_check.py --before /tmp/before --generated 20000 --no-inputs

Each tree runs in its own process with its own ``src`` first on ``sys.path`` (its package data,
the stance model included, comes from that tree) and its own embedding cache folder.
``--generated N`` also runs the local runner on a generated consultation of N answers with the
stand-in model of ``standin.py`` (hash vectors for the embedder and the stance model's
cross-encoder), which reaches the large-group paths (k-means, chunks) that the small inputs do
not. Exit status 0 when every pair is identical.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CLI = "import sys; sys.path.insert(0, {src!r}); from innspill.cli import main; sys.exit(main(sys.argv[1:]))"
STANDIN = r"""
import sys
sys.path.insert(0, {src!r}); sys.path.insert(1, {here!r})
from standin import StandInEmbedder, use_standin_cross_encoder
from innspill.pipeline import RunOptions, analyze
use_standin_cross_encoder()
a = analyze({path!r}, max_bytes=10**10, options=RunOptions(embedder=StandInEmbedder(cache_dir={cache!r}),
            runner={runner!r}))
with open({out!r}, "w", encoding="utf-8") as fh:
    a.write_json(fh)
"""


def canonical(path: str) -> str:
    """The analysis as written, without ``provenance.seconds`` (written again the way the CLI
    writes it: ``json.dump(..., indent=1, ensure_ascii=False)``, key order kept)."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    data.get("provenance", {}).pop("seconds", None)
    return json.dumps(data, ensure_ascii=False, indent=1)


def run_cli(tree: Path, inp: str, out: str, cache: str, extra: list[str]) -> None:
    code = CLI.format(src=str(tree / "src"))
    cmd = [sys.executable, "-c", code, "analyze", inp, "-o", out, "--quiet", "--cache-dir", cache, *extra]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def run_standin(tree: Path, inp: str, out: str, cache: str, runner: str) -> None:
    code = STANDIN.format(src=str(tree / "src"), here=str(HERE), path=inp, cache=cache, out=out, runner=runner)
    subprocess.run([sys.executable, "-c", code], check=True)


def compare(label: str, a: str, b: str) -> bool:
    x, y = canonical(a), canonical(b)
    if x == y:
        print(f"identical  {label} ({len(x):,} characters)")
        return True
    first = next(i for i, (p, q) in enumerate(zip(x, y)) if p != q) if len(x) == len(y) else min(len(x), len(y))
    print(f"DIFFERENT  {label}: first difference at character {first}:\n  before {x[first - 80:first + 80]!r}\n"
          f"  after  {y[first - 80:first + 80]!r}")
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="the source tree before the change (a folder with src/)")
    ap.add_argument("--after", default=str(ROOT), help="the source tree after it (default: this checkout)")
    ap.add_argument("--inputs", nargs="*", default=None,
                    help="files to analyse (default: ../shared/seed/thread.txt and examples/*.txt)")
    ap.add_argument("--no-inputs", action="store_true", help="only the generated consultation")
    ap.add_argument("--no-embeddings", action="store_true", help="also compare runs with --no-embeddings")
    ap.add_argument("--generated", type=int, default=0, metavar="N", help="also a generated consultation, stand-in model")
    ap.add_argument("--runner", choices=("local", "dask"), default="local", help="the runner of the generated run")
    args = ap.parse_args()
    trees = {"before": Path(args.before).resolve(), "after": Path(args.after).resolve()}
    inputs = [] if args.no_inputs else (args.inputs or [str(ROOT.parent / "shared" / "seed" / "thread.txt"),
                                                        *sorted(str(p) for p in (ROOT / "examples").glob("*.txt"))])
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        variants = [[]] + ([["--no-embeddings"]] if args.no_embeddings else [])
        for k, inp in enumerate(inputs):
            for extra in variants:
                outs = {}
                for name, tree in trees.items():
                    outs[name] = os.path.join(tmp, f"{name}-{k}-{len(extra)}.json")
                    run_cli(tree, inp, outs[name], os.path.join(tmp, "cache-" + name), extra)
                ok &= compare(" ".join([os.path.basename(inp), *extra]), outs["before"], outs["after"])
        if args.generated:
            sys.path.insert(0, str(HERE))
            from bench import generate

            path = os.path.join(tmp, "generated.txt")
            generate(args.generated, Path(path), seed=11, form_letters=True)
            outs = {}
            for name, tree in trees.items():
                outs[name] = os.path.join(tmp, f"{name}-generated.json")
                run_standin(tree, path, outs[name], os.path.join(tmp, "gen-cache-" + name), args.runner)
            ok &= compare(f"generated {args.generated:,} answers, stand-in model, {args.runner} runner",
                          outs["before"], outs["after"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The themes stage's memory, before and after a change, without the hours before it: the local runner
(stand-in model) run once up to the themes and its analysis pickled, then the themes and the write run on
the pickled state, as often as wanted, from any source tree.

    python benchmarks/themes_memory.py save --file F --state S.pkl        # read .. privacy, then pickle
    python benchmarks/themes_memory.py run --state S.pkl --replicate 10   # themes and write, this tree
    python benchmarks/themes_memory.py run --state S.pkl --replicate 10 --src BEFORE/src   # another tree

``run`` prints the resident set after loading (and after ``--replicate K``: the thread made K times
as large before the themes, as ``stage_memory.py --replicate`` does), then for the themes and for the
write (into a SHA-256, printed) its seconds, the resident set before it, its own peak (``VmHWM`` reset just
before it through /proc/self/clear_refs, Linux) and the resident set after it, in MiB (2^20 bytes),
and a SHA-256 of the themes as JSON (the same figures from two trees: the same themes, the same
analysis written).
``--trace`` also runs the themes under tracemalloc and prints its peak of Python-allocated bytes
(numpy arrays included) and the largest allocation sites at that peak (slow: several times the time).
A pickled analysis is laid out afresh when loaded (no fragmentation of the stages before), so the
resident set before the themes is lower than in a run of the whole pipeline; compare trees on the
same state, and the whole pipeline with ``stage_memory.py``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from stage_memory import reset_peak, status_kb  # noqa: E402  (the same /proc readings as the whole-run script)


class _Stop(Exception):
    pass


class _Digest:
    """A text file that keeps only the SHA-256 of what is written to it (the write's own memory)."""

    def __init__(self):
        self.h, self.chars = hashlib.sha256(), 0

    def write(self, s: str) -> int:
        self.h.update(s.encode("utf-8"))
        self.chars += len(s)
        return len(s)


def mib(field: str) -> float:
    return status_kb(field) / 1024


def save(args) -> int:
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.path.insert(0, str(HERE))
    from standin import StandInEmbedder, use_standin_cross_encoder

    from innspill.pipeline import Progress, RunOptions, analyze

    use_standin_cross_encoder()

    class UpToThemes(Progress):
        def step(self, name, fn, *a, **kw):
            if name == "themes":
                with open(args.state, "wb") as fh:
                    pickle.dump(a[0], fh, protocol=pickle.HIGHEST_PROTOCOL)
                raise _Stop
            t0 = time.perf_counter()
            out = fn(*a, **kw)
            print(f"{name:<14} {time.perf_counter() - t0:8.1f} s  RSS {mib('VmRSS'):8.0f} MiB", file=sys.stderr,
                  flush=True)
            return out

    cache = args.cache or os.path.join(os.path.dirname(os.path.abspath(args.state)), "cache")
    try:
        analyze(args.file, max_bytes=10**10, progress=UpToThemes(),
                options=RunOptions(embedder=StandInEmbedder(cache_dir=cache), runner="local"))
    except _Stop:
        print(f"saved the analysis before the themes to {args.state}", file=sys.stderr)
        return 0
    print("the run ended without a themes stage", file=sys.stderr)
    return 1


def run(args) -> int:
    src = os.path.abspath(args.src or str(HERE.parent / "src"))
    sys.path.insert(0, str(HERE))
    from stage_memory import replicate  # (puts this checkout's src first on sys.path: put the tree's before it)

    sys.path.insert(0, src)
    from standin import StandInEmbedder

    import innspill
    import innspill.dedupe  # noqa: F401  (imported by the stages before the themes in a real run)
    from innspill.themes import build_themes

    print(f"innspill from {os.path.dirname(innspill.__file__)}", flush=True)
    with open(args.state, "rb") as fh:
        a = pickle.load(fh)
    gc.collect()
    print(f"loaded: {len(a.comments):,} comments, {len(a.answers):,} answers, RSS {mib('VmRSS'):,.0f} MiB", flush=True)
    if args.replicate > 1:
        replicate(a, args.replicate)
        gc.collect()
        print(f"replicated x{args.replicate}: {len(a.comments):,} comments, {len(a.answers):,} answers, "
              f"RSS {mib('VmRSS'):,.0f} MiB", flush=True)
    cache = args.cache or os.path.join(os.path.dirname(os.path.abspath(args.state)), "cache")
    embedder = StandInEmbedder(cache_dir=cache)
    rows = []

    def step(name, fn, *fa):
        before = mib("VmRSS")
        reset_peak()
        t0 = time.perf_counter()
        out = fn(*fa)
        secs = time.perf_counter() - t0
        rows.append((name, secs, before, mib("VmHWM"), mib("VmRSS")))
        print(f"{name:<8} {secs:8.1f} s  before {before:8,.0f}  peak {rows[-1][3]:8,.0f}  after {rows[-1][4]:8,.0f} MiB",
              flush=True)
        return out

    if args.trace:
        import tracemalloc

        tracemalloc.start(args.trace)
        themes = build_themes(a, embedder)
        current, peak = tracemalloc.get_traced_memory()
        print(f"tracemalloc: peak {peak / 2**20:,.0f} MiB, current {current / 2**20:,.0f} MiB", flush=True)
        tracemalloc.stop()
        return 0
    themes = step("themes", build_themes, a, embedder)
    digest = hashlib.sha256(json.dumps(themes, ensure_ascii=False).encode()).hexdigest()
    print(f"themes: {len(themes)}, sha256 {digest}", flush=True)
    del themes
    sink = _Digest()
    step("write", a.write_json, sink)
    print(f"written analysis: {sink.chars:,} characters, sha256 {sink.h.hexdigest()}", flush=True)
    print("| stage | seconds | before (MiB) | peak during (MiB) | after (MiB) |\n|---|---:|---:|---:|---:|")
    for name, secs, before, peak, after in rows:
        print(f"| {name} | {secs:.1f} | {before:,.0f} | {peak:,.0f} | {after:,.0f} |")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("save", help="run the local runner up to the themes and pickle the analysis")
    s.add_argument("--file", required=True)
    s.add_argument("--state", required=True)
    s.add_argument("--cache", help="the stand-in embedder's cache folder (default: 'cache' beside the state)")
    r = sub.add_parser("run", help="the themes and the write on a pickled analysis")
    r.add_argument("--state", required=True)
    r.add_argument("--replicate", type=int, default=1, metavar="K")
    r.add_argument("--src", help="the source tree's src folder to run (default: this checkout's)")
    r.add_argument("--cache", help="the stand-in embedder's cache folder (default: 'cache' beside the state)")
    r.add_argument("--trace", type=int, default=0, metavar="FRAMES", help="tracemalloc with this many frames")
    args = ap.parse_args()
    return save(args) if args.cmd == "save" else run(args)


if __name__ == "__main__":
    sys.exit(main())

"""Issue 19's memory targets in one run: a generated consultation through the local runner and
the Dask runner, the stand-in model (benchmarks/standin.py) in both, with the peak resident memory
of every process and the duplicate search's time.

    python benchmarks/memory_targets.py --answers 1000000 [--write]   # targets are set for 1,000,000
    python benchmarks/memory_targets.py --answers 100000 --write      # minutes

Each runner runs in its own child process (the same child as bench_scale.py and dask_memory.py,
sampled every 0.3 s with psutil): the local runner's process; the Dask runner's client (which
also holds the scheduler and the nannies: LocalCluster runs them in the client's process) and
each worker process. Targets (issue 19, at 1,000,000 answers): local <= 3 GB, Dask client
<= 1.5 GB, each worker <= 2 GB, duplicate search <= 120 s. ``--write`` records the figures in
benchmarks/RESULTS.md (section ``memory-targets-<answers>``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_scale  # noqa: E402
from bench import generate  # noqa: E402
from dask_memory import sample  # noqa: E402

MIB = 1024 ** 2
TARGET_MB = {"local runner": 3 * 1024, "client and scheduler": 1536, "worker": 2048}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--runners", choices=("both", "local", "dask"), default="both",
                    help="both (default), or one of them (to run the two at once in separate commands)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "consultation.txt")
        generate(args.answers, Path(path), seed=11, form_letters=True)
        size = os.path.getsize(path)
        modes = {"both": ("standin", "standin-dask"), "local": ("standin",), "dask": ("standin-dask",)}
        for mode in modes[args.runners]:
            code = bench_scale.CHILD.format(src=str(bench_scale.ROOT / "src"), here=str(HERE), mode=mode, path=path,
                                            cache=os.path.join(tmp, "cache-" + mode), workers=args.workers,
                                            limit=None)
            runs[mode] = sample(code)
            os.remove(path + "." + mode + ".json")
            print(mode, runs[mode], file=sys.stderr, flush=True)
    load = os.getloadavg()[0]
    first = next(iter(runs.values()))[0]
    lines = [f"generated consultation: {args.answers:,} answers ({size / 1e6:.0f} MB), {first['distinct']:,} distinct, "
             f"{first['duplicates']:,} duplicates, {first['answers']:,} answers to questions; stand-in model "
             f"(hash vectors, everything else the real code); Dask: {args.workers} one-thread workers on a "
             f"LocalCluster; machine: {os.cpu_count()} cores, shared (load average {load:.1f} at the end); "
             f"the whole benchmark took {time.perf_counter() - t0:,.0f} s",
             "", "| runner | process | peak (MB) | target at 1,000,000 (MB) | during |", "|---|---|---:|---:|---|"]
    for mode, (_res, tree, procs) in runs.items():
        runner = "local" if mode == "standin" else "dask"
        for kind, rss, stage in procs:
            kind = "local runner" if runner == "local" and kind == "client and scheduler" else kind
            target = TARGET_MB.get(kind)
            lines.append(f"| {runner} | {kind} | {rss / MIB:,.0f} | {'' if target is None else f'{target:,}'} "
                         f"| {stage} |")
        if runner == "dask":
            lines.append(f"| dask | whole process tree | {tree['bytes'] / MIB:,.0f} | | {tree['stage']} |")
    lines += ["", "| stage | " + " | ".join(("local" if m == "standin" else "dask") + " (s)" for m in runs) + " |",
              "|---|" + "---:|" * len(runs)]
    stages = list(dict.fromkeys(k for r, _, _ in runs.values() for k in r["stage_seconds"]))
    for name in stages:
        cells = [f"{r['stage_seconds'][name]:.1f}" if name in r["stage_seconds"] else "" for r, _, _ in runs.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| whole run | " + " | ".join(f"{r['seconds']:.0f}" for r, _, _ in runs.values()) + " |")
    lines += ["", "duplicate search (target <= 120 s at 1,000,000 answers): "
              + ", ".join(f"{'local' if m == 'standin' else 'dask'} {r['stage_seconds']['dedupe']:.1f} s"
                          for m, (r, _, _) in runs.items())]
    text = "\n".join(lines)
    print(text)
    if args.write:
        bench_scale.write_section(f"memory-targets-{args.answers}",
                                  f"Issue 19's memory targets at {args.answers:,} answers (stand-in model)", text,
                                  script="memory_targets.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())

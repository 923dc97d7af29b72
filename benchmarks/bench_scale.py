"""Scale: a generated consultation (default 100,000 answers) through the local runner and the
Dask runner in the same run, each in its own process tree so peak memory is measured apart.

Prints and (with --write) records in benchmarks/RESULTS.md: answers/s of raw embedding of the
same texts (the baseline), the local runner (one process; the embedding engine uses every
core through OpenMP), the local runner limited to one core (OMP_NUM_THREADS=1, the
"single-process" rate), the Dask runner on N one-thread workers, and a re-run of the local
runner with a warm embedding cache; peak memory (resident set of the whole process tree,
sampled every 0.2 s) of each; and a linear extrapolation to 1,000,000 answers.

    python benchmarks/bench_scale.py --answers 100000 --workers 2 --write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import json, sys, time
sys.path.insert(0, {src!r})
from innspill.embed import Embedder
from innspill.pipeline import analyze
mode, path, cache, workers, limit = {mode!r}, {path!r}, {cache!r}, {workers}, {limit}
if not mode.startswith("standin") and mode != "dask":
    Embedder().embed(["oppvarming"])  # model load is not counted (the Dask client loads none: its workers do)
t0 = time.perf_counter()
if mode == "base":
    out = {{"n": 0}}
elif mode == "raw":
    from innspill.ingest import read_input
    texts = [c.original for c in read_input(path, max_bytes=10**10).comments][:limit]
    t0 = time.perf_counter()
    Embedder().embed(texts)
    out = {{"n": len(texts)}}
else:
    import resource
    scheduler = None
    if mode.startswith("standin"):
        sys.path.insert(0, {here!r})
        from standin import StandInEmbedder, use_standin_cross_encoder
        use_standin_cross_encoder()  # the stance model's pairs as hash vectors too (it runs in this process)
        e = StandInEmbedder(cache_dir=cache) if cache else StandInEmbedder()
        if mode == "standin-dask":  # the workers embed with the stand-in too (a preload patches them)
            from dask.distributed import LocalCluster
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   preload=[{here!r} + "/standin_worker.py"], env={{"OMP_NUM_THREADS": "1"}})
            scheduler = cluster.scheduler_address
    else:
        e = Embedder(cache_dir=cache) if cache else Embedder()
    stages = {{}}
    def mark(name):  # the process's peak so far, before each stage
        stages[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings = {{}}
    a = analyze(path, max_bytes=10**10, embedder=e, runner="dask" if mode in ("dask", "standin-dask") else "local",
                workers=workers, progress=mark, timings=timings, scheduler=scheduler)
    mark("write")
    with open(path + "." + mode + ".json", "w", encoding="utf-8") as fh:
        a.write_json(fh)  # as the CLI writes it, comment by comment
    mark("end")
    st = a.stats()
    out = {{"n": st["comments_read"], "distinct": st["distinct"], "duplicates": st["duplicates"],
           "answers": st["answers"], "embedded": e.calls, "cache_hits": e.disk_hits,
           "peak_before_stage_mb": stages, "stage_seconds": timings}}
out["seconds"] = time.perf_counter() - t0
print("RESULT " + json.dumps(out))
"""


def run_child(mode: str, path: str, cache: str | None, workers: int, env: dict | None = None,
              limit: int | None = None) -> dict:
    import psutil

    code = CHILD.format(src=str(ROOT / "src"), here=str(HERE), mode=mode, path=path, cache=cache, workers=workers,
                        limit=limit)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})
    peak = 0
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)])
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    out, err = proc.communicate()
    line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"{mode} run failed:\n{err[-3000:]}")
    res = json.loads(line[7:])
    res["peak_mb"] = peak / 1024**2
    # each run's figures as soon as it ends: a long run whose next part fails keeps this one's
    print(f"run {mode}: " + json.dumps(res), file=sys.stderr, flush=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-single-core", action="store_true", help="skip the OMP_NUM_THREADS=1 local run")
    ap.add_argument("--write", action="store_true", help="write the figures to benchmarks/RESULTS.md")
    ap.add_argument("--section", default=None,
                    help="the RESULTS.md section to write (default: scale, local or memory by mode), to keep an earlier run")
    ap.add_argument("--memory-only", action="store_true",
                    help="only the local runner's memory, with a stand-in for the model (standin.py): minutes, not hours")
    ap.add_argument("--skip-copies", action="store_true",
                    help="with --memory-only: skip the same-comments-posted-four-times comparison (two more runs)")
    ap.add_argument("--local-only", type=int, metavar="SAMPLE", default=None,
                    help="only the local runner (cold, then warm cache) with the real model, and raw embedding of the "
                         "first SAMPLE comments for the baseline rate: the 100,000-answer run in hours, not a day")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from bench import generate

    if args.memory_only:
        return memory_only(args, generate)
    if args.local_only:
        return local_only(args, generate)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "consultation.txt")
        generate(args.answers, Path(path), seed=11, form_letters=True)
        size = os.path.getsize(path)
        cache = os.path.join(tmp, "cache")
        runs = {}
        fixed = run_child("base", path, None, 1)["peak_mb"]  # model and libraries loaded, nothing read
        runs["raw embedding"] = run_child("raw", path, None, 1)
        runs["local runner"] = run_child("local", path, cache, 1)
        if not args.skip_single_core:
            runs["local runner, one core"] = run_child("local", path, None, 1, env={"OMP_NUM_THREADS": "1"})
        runs[f"dask runner, {args.workers} workers"] = run_child("dask", path, None, args.workers)
        runs["local runner, warm cache"] = run_child("local", path, cache, 1)

    n = args.answers
    base = runs["local runner"]
    lines = [f"generated consultation: {n} answers ({size / 1e6:.1f} MB), {base['distinct']} distinct, "
             f"{base['duplicates']} duplicates (copies, truncated copies, form letters), {base['answers']} answers "
             f"to questions; machine: {os.cpu_count()} cores, Python {platform.python_version()}",
             "", "| run | seconds | answers/s | vs raw embedding | peak memory (MB) |", "|---|---:|---:|---:|---:|"]
    raw_s = runs["raw embedding"]["seconds"]
    raw_mb = runs["raw embedding"]["peak_mb"]
    for name, r in runs.items():
        lines.append(f"| {name} | {r['seconds']:.1f} | {n / r['seconds']:.0f} | {r['seconds'] / raw_s:.2f}x "
                     f"| {r['peak_mb']:.0f} |")
    dask = runs[f"dask runner, {args.workers} workers"]
    one = runs.get("local runner, one core")
    warm = runs["local runner, warm cache"]
    lines += ["",
              f"Dask ({args.workers} one-thread workers) vs local runner: {base['seconds'] / dask['seconds']:.2f}x the rate"]
    if one:
        lines.append(f"Dask vs the single-process, single-core rate: {one['seconds'] / dask['seconds']:.2f}x "
                     "(target >= 1.7x with 2 workers)")
    lines += [f"cached re-run: {warm['seconds'] / base['seconds'] * 100:.1f}% of the first run "
              f"({warm['cache_hits']} vectors from the cache, {warm['embedded']} embedded; target < 10%)",
              f"extrapolated to 1,000,000 answers (linear): local {base['seconds'] * 1e6 / n / 3600:.1f} h, "
              f"dask {dask['seconds'] * 1e6 / n / 3600:.1f} h on this machine",
              f"memory: the raw embedding run peaks at {raw_mb:.0f} MB (model, libraries and the engine's buffers; "
              f"{fixed:.0f} MB before any batch) and the local runner at {base['peak_mb']:.0f} MB for {n} answers. "
              "Most of the difference is fixed (the language model, libraries), so it is not extrapolated here: "
              "`make bench-scale-memory` measures the local runner at 100,000 answers"]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(args.section or "scale", f"Time, speed-up and memory with the real model ({n:,} answers)", text)
    return 0


def memory_only(args, generate) -> int:
    """The local runner over ``--answers`` generated answers with the stand-in model: peak memory of
    the process, the peak before each stage, and each stage's time (embedding excluded)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "consultation.txt")
        generate(args.answers, Path(path), seed=11, form_letters=True)
        size = os.path.getsize(path)
        r = run_child("standin", path, os.path.join(tmp, "cache"), 1)
        d = run_child("standin-dask", path, os.path.join(tmp, "cache-dask"), args.workers)  # its own cold cache
    n = args.answers
    stages = r["peak_before_stage_mb"]
    names = list(stages)
    lines = [f"generated consultation: {n} answers ({size / 1e6:.1f} MB), {r['distinct']} distinct, "
             f"{r['duplicates']} duplicates, {r['answers']} answers to questions; local runner with the stand-in "
             "model (benchmarks/standin.py: hash vectors, everything else the real code), writing the JSON",
             "", "| stage | seconds | process peak after it (MB) |", "|---|---:|---:|"]
    for name, nxt in zip(names, names[1:]):
        secs = r["stage_seconds"].get(name)
        lines.append(f"| {name} | {'' if secs is None else f'{secs:.1f}'} | {stages[nxt]:.0f} |")
    lines += ["", f"whole run: {r['seconds']:.0f} s; peak resident memory {r['peak_mb']:.0f} MB "
              f"(target < 2,048 MB at 100,000 answers); the real model adds its engine's buffers, "
              "which do not grow with the number of answers (see the raw embedding row of the real-model run)"]
    lines += ["", f"The Dask runner on the same file with {args.workers} one-thread workers (stand-in model on the "
              f"workers through benchmarks/standin_worker.py): {d['seconds']:.0f} s; peak resident memory of the "
              f"whole process tree (client, scheduler, workers) {d['peak_mb']:.0f} MB. With the real model each "
              "worker also holds the model and its engine's buffers, which do not grow with the answers, the "
              "client none: `benchmarks/dask_memory.py` measures each process with either model.", "",
              *([] if args.skip_copies else copies_lines(n, generate))]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(args.section or "memory", f"Memory at {n:,} answers (stand-in model)", text)
    return 0


def copies_lines(n: int, generate) -> list[str]:
    """Memory grows with the distinct comments, not the size of the file: a quarter of ``n``
    generated comments, then the same comments each posted four times (``n`` in the file)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, copies in (("each comment once", 0), ("each comment four times", 3)):
            path = os.path.join(tmp, f"copies{copies}.txt")
            generate(n // 4, Path(path), seed=11, form_letters=True, copies=copies)
            size = os.path.getsize(path)
            r = run_child("standin", path, os.path.join(tmp, f"cache{copies}"), 1)
            rows.append(f"| {label} | {r['n']:,} | {size / 1e6:.1f} "
                        f"| {r['distinct']:,} | {r['seconds']:.0f} | {r['peak_mb']:.0f} |")
    return ["Distinct comments, not file size (the same generated comments, then each posted four times; "
            "stand-in model):", "", "| file | comments | MB | distinct | seconds | peak memory (MB) |",
            "|---|---:|---:|---:|---:|---:|", *rows]


def local_only(args, generate) -> int:
    """The local runner with the real model over ``--answers`` generated answers, then again with
    the warm cache; the raw-embedding baseline on a sample of the same comments (embedding time
    is linear in the number of texts), all in one run."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "consultation.txt")
        generate(args.answers, Path(path), seed=11, form_letters=True)
        size = os.path.getsize(path)
        cache = os.path.join(tmp, "cache")
        raw = run_child("raw", path, None, 1, limit=args.local_only)
        cold = run_child("local", path, cache, 1)
        warm = run_child("local", path, cache, 1)
    n = args.answers
    raw_rate = raw["n"] / raw["seconds"]
    raw_est = n / raw_rate
    lines = [f"generated consultation: {n} answers ({size / 1e6:.1f} MB), {cold['distinct']} distinct, "
             f"{cold['duplicates']} duplicates, {cold['answers']} answers to questions; machine: {os.cpu_count()} "
             f"cores, Python {platform.python_version()}",
             "", "| run | seconds | answers/s | vs raw embedding | peak memory (MB) |", "|---|---:|---:|---:|---:|",
             f"| raw embedding, first {raw['n']} comments | {raw['seconds']:.1f} | {raw_rate:.0f} | 1.00x "
             f"| {raw['peak_mb']:.0f} |"]
    for name, r in (("local runner", cold), ("local runner, warm cache", warm)):
        lines.append(f"| {name} | {r['seconds']:.1f} | {n / r['seconds']:.0f} | {r['seconds'] / raw_est:.2f}x "
                     f"| {r['peak_mb']:.0f} |")
    stages = cold["peak_before_stage_mb"]
    names = list(stages)
    lines += ["", "local runner, cold cache, by stage:", "", "| stage | seconds | process peak after it (MB) |",
              "|---|---:|---:|"]
    for name, nxt in zip(names, names[1:]):
        secs = cold["stage_seconds"].get(name)
        lines.append(f"| {name} | {'' if secs is None else f'{secs:.1f}'} | {stages[nxt]:.0f} |")
    lines += ["", f"vs raw embedding: against {raw_est:.0f} s, the raw rate of the sample times {n} comments",
              f"peak memory {cold['peak_mb']:.0f} MB (target < 2,048 MB at 100,000 answers)",
              f"cached re-run: {warm['seconds'] / cold['seconds'] * 100:.1f}% of the first run "
              f"({warm['cache_hits']} vectors from the cache, {warm['embedded']} embedded; target < 10%)",
              f"extrapolated to 1,000,000 answers (linear): local {cold['seconds'] * 1e6 / n / 3600:.1f} h on this machine"]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(args.section or "local", f"The local runner at {n:,} answers with the real model", text)
    return 0


def write_section(key: str, title: str, text: str, script: str = "bench_scale.py") -> None:
    """Replace one section of benchmarks/RESULTS.md (the real-model run and the memory run are
    written by different commands)."""
    path = HERE / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    begin, end = f"<!-- {key} -->", f"<!-- /{key} -->"
    cmd = f"python benchmarks/{script} " + " ".join(sys.argv[1:])
    block = (f"{begin}\n## {title}\n\nWritten by `{cmd}`. Timings are wall-clock on a shared machine; "
             f"compare rows of one run only.\n\n{text}\n{end}")
    if begin in old and end in old:
        new = old[:old.index(begin)] + block + old[old.index(end) + len(end):]
    else:
        head = old if old.startswith("# Scale benchmark") and "<!--" in old else "# Scale benchmark\n"
        new = head.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

"""Which stage's peak dominates: one run of the local runner (or the Dask runner's client) over a
generated consultation, with the stand-in model, printing for each stage its seconds, the resident
set before it, the peak during it and the resident set after it.

    python benchmarks/stage_memory.py --answers 100000            # local runner
    python benchmarks/stage_memory.py --answers 100000 --runner dask --workers 2
    python benchmarks/stage_memory.py --file F --replicate 10   # themes and write at 10x (an estimate)

The peak during a stage is the process's ``VmHWM`` after the stage, with the high-water mark
reset just before it (``echo 5 > /proc/self/clear_refs``, Linux), so each row is that stage's
own peak, not the run's so far. Everything is in MiB (2^20 bytes). With ``--file`` an existing
file is read instead of generating one (``--keep`` keeps the generated one for later runs).
Only this process is measured: with ``--runner dask`` that is the client with its scheduler
(a LocalCluster's nannies live in it too), not the workers (``memory_targets.py`` measures those).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:  # not Linux, or not allowed: the peak is then the run's so far
        pass


def fresh(s):
    """A copy of string ``s`` that is a new object (as a string read from another comment would be)."""
    return s if s is None else (s + ".")[:-1]


def replicate(analysis, times: int) -> None:
    """The analysis's comments and answers ``times`` over, every copy its own objects (new ids, new
    strings) and shared where the pipeline shares (a text equal to its original, evidence that is its
    answer, the stance model's probabilities, the privacy result of a comment with nothing found):
    what a thread ``times`` as large holds when the themes begin (an estimate of that stage at scale,
    without running the hours of segmentation before it)."""
    from innspill.contract import Answer, Comment, Provenance

    comments, answers = list(analysis.comments), list(analysis.answers)
    for k in range(1, times):
        ids = {}
        for c in comments:
            original = fresh(c.original)
            n = Comment(id=f"{c.id}x{k}", position=c.position + k * len(comments), original=original,
                        text=original if c.text is c.original else fresh(c.text), author=fresh(c.author),
                        duplicate_of=None if c.duplicate_of is None else f"{c.duplicate_of}x{k}",
                        duplicate_how=c.duplicate_how, status=c.status, language=c.language,
                        line=None if c.line is None else c.line + 0,
                        repairs=list(c.repairs), flags=list(c.flags), privacy=c.privacy)
            ids[c.id] = n
            analysis.comments.append(n)
        for a in answers:
            owner = ids[a.comment_id]
            text = fresh(a.text)
            prov = a.provenance
            analysis.answers.append(Answer(
                comment_id=owner.id, question_id=a.question_id, text=text, start=a.start, end=a.end + 0, how=a.how,
                stance=a.stance, confidence=a.confidence, evidence=text if a.evidence is a.text else fresh(a.evidence),
                score=a.score + 0.0, provenance=Provenance(prov) if isinstance(prov, Provenance) else dict(prov)))


def stage_progress(rows: list, replicate_times: int = 1):
    """A pipeline Progress that records (stage, seconds, MiB before, peak MiB during, MiB after)."""
    from innspill.pipeline import Progress

    class Meter(Progress):
        def step(self, name, fn, *args, **kwargs):
            if name == "themes" and replicate_times > 1:
                t0 = time.perf_counter()
                replicate(args[0], replicate_times)
                rows.append((f"replicate x{replicate_times}", time.perf_counter() - t0, None, None,
                             status_kb("VmRSS") / 1024))
                print(f"replicated x{replicate_times}: {len(args[0].comments):,} comments, "
                      f"{len(args[0].answers):,} answers, {rows[-1][4]:,.0f} MiB", file=sys.stderr, flush=True)
            before = status_kb("VmRSS")
            reset_peak()
            t0 = time.perf_counter()
            out = fn(*args, **kwargs)
            secs = time.perf_counter() - t0
            self.stage_done(name, secs)
            rows.append((name, secs, before / 1024, status_kb("VmHWM") / 1024, status_kb("VmRSS") / 1024))
            print(f"{name:<14} {secs:8.1f} s  before {rows[-1][2]:8.0f}  peak {rows[-1][3]:8.0f}  "
                  f"after {rows[-1][4]:8.0f} MiB", file=sys.stderr, flush=True)
            return out
    return Meter()


def run(path: str, runner: str, workers: int, cache: str, replicate_times: int = 1) -> list:
    from standin import StandInEmbedder, use_standin_cross_encoder

    from innspill.pipeline import RunOptions, analyze

    use_standin_cross_encoder()
    scheduler = None
    if runner == "dask":
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                               preload=[str(HERE / "standin_worker.py")], env={"OMP_NUM_THREADS": "1"})
        scheduler = cluster.scheduler_address
    rows: list = []
    progress = stage_progress(rows, replicate_times)
    reset_peak()
    t0 = time.perf_counter()
    a = analyze(path, max_bytes=10**10, progress=progress,
                options=RunOptions(embedder=StandInEmbedder(cache_dir=cache), runner=runner, workers=workers,
                                   scheduler=scheduler))
    before = status_kb("VmRSS")
    with open(os.devnull, "w", encoding="utf-8") as fh:
        progress.step("write", a.write_json, fh)
    rows.append(("whole run", time.perf_counter() - t0, before / 1024, None, status_kb("VmRSS") / 1024))
    st = a.stats()
    print(f"{st['comments_read']:,} comments, {st['distinct']:,} distinct, {st['answers']:,} answers",
          file=sys.stderr)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=100_000)
    ap.add_argument("--file", help="read this file instead of generating one")
    ap.add_argument("--keep", help="generate into this path and keep it")
    ap.add_argument("--runner", choices=("local", "dask"), default="local")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--replicate", type=int, default=1, metavar="K",
                    help="before the themes, make the thread K times as large (copies of its comments and "
                         "answers): the themes and the write at K times the size, held memory included")
    args = ap.parse_args()
    from bench import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or args.keep or os.path.join(tmp, "consultation.txt")
        if not args.file:
            generate(args.answers, Path(path), seed=11, form_letters=True)
        rows = run(path, args.runner, args.workers, os.path.join(tmp, "cache"), args.replicate)
    print("| stage | seconds | before (MiB) | peak during (MiB) | after (MiB) |\n|---|---:|---:|---:|---:|")
    for name, secs, before, peak, after in rows:
        print(f"| {name} | {secs:.1f} | {'' if before is None else f'{before:,.0f}'} | "
              f"{'' if peak is None else f'{peak:,.0f}'} | {after:,.0f} |")
    print(f"process peak over the run: {status_kb('VmHWM') / 1024:,.0f} MiB (reset before each stage: "
          "the largest 'peak during' is the run's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

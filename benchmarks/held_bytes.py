"""What an analysis holds, field by field: the deep size of every comment's and answer's fields
after the local runner (stand-in model), per comment read, largest first, and how often values are
shared (an answer that is its whole comment, evidence that is the whole answer, comments with
nothing to flag, distinct sets of model probabilities).

    python benchmarks/held_bytes.py --answers 5000
    python benchmarks/held_bytes.py --answers 5000 --runner dask   # what the Dask client holds

With ``--runner dask`` (two one-thread workers with the stand-in model, as dask_memory.py runs
them) the sizes are those of the client's analysis after the run: the comments it holds in memory
(those on disk, innspill.comment_spill, are counted apart and not read back).

Sizes are ``sys.getsizeof`` summed over each object reached once (an object shared by several
answers is counted at its first owner), in bytes; interpreter and library memory is not in them
(``stage_memory.py`` measures the process).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


class Sizer:
    def __init__(self):
        self.seen: set[int] = set()

    def deep(self, o) -> int:
        if id(o) in self.seen:
            return 0
        self.seen.add(id(o))
        size = sys.getsizeof(o)
        if isinstance(o, dict):
            size += sum(self.deep(k) + self.deep(v) for k, v in o.items())
        elif isinstance(o, (list, tuple, set, frozenset)):
            size += sum(self.deep(x) for x in o)
        elif hasattr(o, "__slots__"):
            size += sum(self.deep(getattr(o, f)) for f in o.__slots__ if hasattr(o, f))
        elif hasattr(o, "__dict__"):
            size += self.deep(o.__dict__)
        return size


def held(analysis) -> Counter:
    s, total = Sizer(), Counter()
    for c in getattr(analysis.comments, "analysed", analysis.comments):  # not those spilled to disk
        total["comment object"] += sys.getsizeof(c)
        for f in c.__slots__:
            total["comment." + f] += s.deep(getattr(c, f))
    for a in analysis.answers:
        total["answer object"] += sys.getsizeof(a)
        for f in a.__slots__:
            total["answer." + f] += s.deep(getattr(a, f))
    total["themes"] = s.deep(analysis.themes)
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=5000)
    ap.add_argument("--runner", choices=("local", "dask"), default="local")
    args = ap.parse_args()
    from bench import generate
    from standin import StandInEmbedder, use_standin_cross_encoder

    from innspill.pipeline import RunOptions, analyze

    use_standin_cross_encoder()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "consultation.txt")
        generate(args.answers, path, seed=11, form_letters=True)
        options = RunOptions(embedder=StandInEmbedder(cache_dir=tmp))
        cluster = None
        if args.runner == "dask":  # the workers embed with the stand-in too, as in dask_memory.py
            from dask.distributed import LocalCluster
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   preload=[str(HERE / "standin_worker.py")], env={"OMP_NUM_THREADS": "1"})
            options = RunOptions(embedder=options.embedder, runner="dask", scheduler=cluster.scheduler_address)
        a = analyze(str(path), max_bytes=10**10, options=options)
        if cluster is not None:
            cluster.close()
    total = held(a)
    n = len(a.comments)
    on_disk = getattr(a.comments, "spilled", 0)
    print(f"{args.runner} runner: {n:,} comments ({on_disk:,} of them on disk, not counted below), "
          f"{len(a.answers):,} answers\n| field | MB | bytes per comment read |\n|---|---:|---:|")
    for k, v in sorted(total.items(), key=lambda kv: -kv[1]):
        if v:
            print(f"| {k} | {v / 1e6:.2f} | {v / n:.0f} |")
    print(f"| **all** | {sum(total.values()) / 1e6:.2f} | {sum(total.values()) / n:.0f} |")
    text_of = {c.id: c.text for c in a.comments}
    print(f"answers that are their whole comment: {sum(x.text is text_of[x.comment_id] for x in a.answers):,}; "
          f"evidence that is its whole answer: {sum(x.evidence is x.text for x in a.answers):,}; "
          f"privacy results: {len({id(c.privacy) for c in a.comments if c.privacy is not None}):,} objects for "
          f"{sum(c.privacy is not None for c in a.comments):,} comments; model probabilities: "
          f"{len({id(x.provenance.get('model_probs')) for x in a.answers}):,} objects for {len(a.answers):,} answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())

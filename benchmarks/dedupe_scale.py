"""The duplicate search alone on generated consultations of growing size (issue 19: 1,000,000
answers in <= 120 s; it took 1,051 s, 29x the time for 10x the answers).

    python benchmarks/dedupe_scale.py --answers 100000 300000 1000000 [--every-pair 300000] [--write]

For each size: the consultation of bench_scale.py (seed 11, form letters), read, then
``link_duplicates`` on the comments as read (the repair stage is not run: its time is not the
search's), timed in this process; the largest LSH bucket and how many were split
(``LARGE_BUCKET``). ``--every-pair N`` also runs size N with no bucket split (every pair of every
bucket checked, the search's behaviour before issue 19) and compares the groups: recall (of the
comments that search marks as duplicates, the share the split search also links into the same
group) and precision (of the comments the split search marks, the share in the same group when
every pair is checked), and that it joined nothing else. The load average is the machine's
1-minute figure when each size began and ended.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench import generate  # noqa: E402

from innspill import dedupe  # noqa: E402
from innspill.dedupe import buckets as dedupe_buckets  # noqa: E402
from innspill.ingest import read_input  # noqa: E402


def run(path: str, every_pair: bool = False) -> dict:
    comments = read_input(path, max_bytes=10**10).comments
    saved = dedupe_buckets.LARGE_BUCKET
    if every_pair:
        dedupe_buckets.LARGE_BUCKET = 10**12
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        counts = dedupe.link_duplicates(comments)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        dedupe_buckets.LARGE_BUCKET = saved
    return {"seconds": seconds, "cpu": cpu, "counts": counts, "n": len(comments),
            "links": [c.duplicate_of for c in comments], "ids": [c.id for c in comments]}


def buckets(path: str) -> tuple[int, int]:
    """The largest bucket and the number of buckets over LARGE_BUCKET."""
    comments = read_input(path, max_bytes=10**10).comments
    _, _, _, first, _ = dedupe.link_copies(comments)
    table = dedupe.FeatureTable.of([(p, n) for n, p in first.items()], dedupe.lsh_bands()).band_hashes
    sizes = [np.unique(table[:, b], return_counts=True)[1] for b in range(table.shape[1])]
    return max(int(s.max()) for s in sizes), sum(int((s > dedupe.LARGE_BUCKET).sum()) for s in sizes)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    ap.add_argument("--every-pair", type=int, nargs="*", default=[], metavar="N")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows, compared = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.answers:
            path = os.path.join(tmp, f"c{n}.txt")
            generate(n, Path(path), seed=11, form_letters=True)
            load0 = os.getloadavg()[0]
            r = run(path)
            biggest, split = buckets(path)
            rows.append(f"| {n:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['counts']['exact']:,} | {r['counts']['prefix']:,} "
                        f"| {r['counts']['near']:,} | {biggest:,} | {split:,} | {load0:.1f} / {os.getloadavg()[0]:.1f} |")
            print(rows[-1], flush=True)
            if n in args.every_pair:
                e = run(path, every_pair=True)
                root = {i: d or i for i, d in zip(e["ids"], e["links"])}
                root_split = {i: d or i for i, d in zip(r["ids"], r["links"])}
                found = [root[i] == root[d] for i, d in zip(r["ids"], r["links"]) if d]
                wanted = [root_split[i] == root_split[d] for i, d in zip(e["ids"], e["links"]) if d]
                same = sum(1 for a, b in zip(r["links"], e["links"]) if a == b)
                compared.append(f"| {n:,} | {e['seconds']:.1f} ({e['cpu']:.1f} CPU) | {e['counts']['near']:,} | {r['counts']['near']:,} "
                                f"| {same:,} of {e['n']:,} | {sum(wanted) / max(1, len(wanted)):.4f} "
                                f"| {sum(found) / max(1, len(found)):.4f} | {'yes' if all(found) else 'NO'} |")
                print(compared[-1], flush=True)
    lines = [f"`link_duplicates` on the generated comments as read (no repair stage), one process; machine: "
             f"{os.cpu_count()} cores, shared with other work (load average when each size began and ended in the last "
             f"column; CPU seconds are the process's own, the fairer figure on a busy machine); buckets of more than {dedupe.LARGE_BUCKET:,} texts are split (parts of at most "
             f"{dedupe.SPLIT_TO}, {dedupe.SPLIT_CHAINS} chains)", "",
             "| answers | seconds | CPU seconds | exact | prefix | near | largest bucket | buckets split | load (start / end) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|", *rows]
    if compared:
        lines += ["", "Against checking every pair of every bucket (no split), same file:", "",
                  "| answers | seconds, every pair | near, every pair | near, split | comments with the same "
                  "duplicate_of | recall | precision | split joins only what every pair joins |",
                  "|---:|---:|---:|---:|---:|---:|---:|---|",
                  *compared]
    text = "\n".join(lines)
    print(text)
    if args.write:
        import bench_scale
        bench_scale.write_section("dedupe-scale", "The duplicate search alone, by size", text,
                                  script="dedupe_scale.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())

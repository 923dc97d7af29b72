"""What the duplicate search links, to compare two versions of it on one file (issue 19).

    python benchmarks/dedupe_links.py run FILE OUT [--src DIR]   # link_duplicates on FILE, its result to OUT
    python benchmarks/dedupe_links.py compare OUT_A OUT_B         # how many comments got the same result

``run`` reads FILE (any input innspill reads; the generated consultations of ``dedupe_scale.py``
are plain text), runs ``link_duplicates`` on the comments as read, in this process, with the
innspill found in ``--src`` (default: this checkout's src; e.g. an exported older commit:
``git archive COMMIT src | tar -x -C DIR``), prints its wall and CPU seconds and the load average
before and after, and pickles each comment's (duplicate_of, duplicate_how, flags, status) to
OUT. ``compare`` counts the comments whose four values are equal.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(path: str, out: str, src: str) -> None:
    sys.path.insert(0, src)
    from innspill import dedupe
    from innspill.ingest import read_input

    comments = read_input(path, max_bytes=10**10).comments
    print("read", len(comments), "comments with", dedupe.__file__, flush=True)
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    counts = dedupe.link_duplicates(comments)
    print(f"seconds {time.perf_counter() - t0:.1f} cpu {time.process_time() - c0:.1f} counts {counts} "
          f"load {load0:.1f}/{os.getloadavg()[0]:.1f}", flush=True)
    with open(out, "wb") as f:
        pickle.dump([(c.duplicate_of, c.duplicate_how, tuple(c.flags), c.status) for c in comments], f)


def compare(a: str, b: str) -> int:
    with open(a, "rb") as f:
        x = pickle.load(f)
    with open(b, "rb") as f:
        y = pickle.load(f)
    same = sum(p == q for p, q in zip(x, y))
    print(f"{same:,} of {len(x):,} comments identical (duplicate_of, duplicate_how, flags, status); "
          f"{len(y):,} in the second")
    return 0 if same == len(x) == len(y) else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("file")
    r.add_argument("out")
    r.add_argument("--src", default=str(HERE.parent / "src"))
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    args = ap.parse_args()
    if args.cmd == "run":
        run(args.file, args.out, args.src)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())

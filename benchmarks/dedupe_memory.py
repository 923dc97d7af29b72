"""The duplicate search's peak memory and time on one file (issue 19: the local runner must stay
within 3 GB at 1,000,000 answers).

    python benchmarks/dedupe_memory.py FILE [--answers N] [--src DIR] [--links OUT] [--spill]

Reads FILE (generated first with ``bench.generate(N, FILE, seed=11, form_letters=True)`` when it
does not exist and ``--answers`` is given), then runs ``link_duplicates`` on the comments as
read, in this process, with the innspill found in ``--src`` (default: this checkout's src; e.g.
an exported older commit: ``git archive COMMIT src | tar -x -C DIR``). For each of the two steps
it prints the wall seconds, the process's peak resident memory during the step (VmHWM, reset
through /proc/self/clear_refs just before it) and its resident memory after it (VmRSS), in MiB;
for the search also its CPU seconds, the counts by kind and the load average before and after.
The search's transient memory is its peak less the resident memory before it (the comments as
read). ``--links OUT`` pickles each comment's (duplicate_of, duplicate_how, flags, status) as
``dedupe_links.py run`` does, for ``dedupe_links.py compare``. ``--spill`` then does what the Dask
client does after the language stage (issue 19): the comments that are not analysed go to a
temporary file (``innspill.comment_spill``) and the list is dropped; it prints that step's peak, the
resident memory after it and how many comments went to disk, then one pass over every comment (as
writing the JSON reads them) with its peak. Linux only (/proc).

At 1,000,000 answers (``/tmp/m1m.txt``: 408 MB), run it alone: it holds about 2-3.5 GB.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def mib(field: str) -> int:
    """A /proc/self/status memory field (VmHWM, VmRSS) in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    raise KeyError(field)


def reset_peak() -> None:
    """Reset VmHWM to the present resident memory."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--answers", type=int, help="generate FILE with this many answers when it does not exist")
    ap.add_argument("--src", default=str(HERE.parent / "src"))
    ap.add_argument("--links", help="pickle each comment's result here (dedupe_links.py's format)")
    ap.add_argument("--spill", action="store_true", help="then the comments not analysed to disk, as the Dask client")
    args = ap.parse_args()
    path = Path(args.file)
    if not path.exists():
        if not args.answers:
            ap.error(f"{path} does not exist (give --answers to generate it)")
        sys.path.insert(0, str(HERE))
        from bench import generate
        generate(args.answers, path, seed=11, form_letters=True)
    sys.path.insert(0, args.src)
    from innspill import dedupe
    from innspill.ingest import read_input

    start = mib("VmRSS")
    reset_peak()
    t0 = time.perf_counter()
    comments = read_input(str(path), max_bytes=10**10).comments
    before = mib("VmRSS")
    print(f"read   {len(comments):,} comments  {time.perf_counter() - t0:7.1f} s  peak {mib('VmHWM'):,} MiB  "
          f"after {before:,} MiB (before the read {start:,})", flush=True)
    load0 = os.getloadavg()[0]
    reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    counts = dedupe.link_duplicates(comments)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak, after = mib("VmHWM"), mib("VmRSS")
    print(f"dedupe {seconds:7.1f} s (CPU {cpu:.1f} s)  peak {peak:,} MiB  after {after:,} MiB  "
          f"transient {peak - before:,} MiB  held after {after - before:,} MiB  counts {counts}  "
          f"load {load0:.1f}/{os.getloadavg()[0]:.1f}  ({dedupe.__file__})", flush=True)
    if args.links:
        with open(args.links, "wb") as f:
            pickle.dump([(c.duplicate_of, c.duplicate_how, tuple(c.flags), c.status) for c in comments], f)
    if args.spill:
        spill(comments)
    return 0


def spill(comments: list) -> None:
    """The comments not analysed to disk and the list dropped, as the Dask client does after the
    language stage; then every comment read once, as the JSON is written."""
    from innspill.comment_spill import SpilledComments
    from innspill.memory import release_memory

    before = mib("VmRSS")
    reset_peak()
    t0 = time.perf_counter()
    spilled = SpilledComments(comments)
    comments.clear()  # the caller's list: the spilled comments have no other holder here
    release_memory()
    seconds, peak, after = time.perf_counter() - t0, mib("VmHWM"), mib("VmRSS")
    print(f"spill  {seconds:7.1f} s  {spilled.spilled:,} of {len(spilled):,} comments to disk "
          f"({spilled.bytes_on_disk / 2**20:,.0f} MiB pickled)  peak {peak:,} MiB  after {after:,} MiB  "
          f"freed {before - after:,} MiB", flush=True)
    reset_peak()
    t0 = time.perf_counter()
    chars = sum(len(c.text) + len(c.original) for c in spilled)
    print(f"read back once {time.perf_counter() - t0:7.1f} s  peak {mib('VmHWM'):,} MiB  after {mib('VmRSS'):,} MiB  "
          f"({chars:,} characters)", flush=True)


if __name__ == "__main__":
    sys.exit(main())

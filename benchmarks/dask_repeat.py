"""The Dask runner's identity test, N times in a row (issue 19: it must pass 20 runs in a row, also
on a loaded machine).

Runs ``tests/test_dask_runner.py::test_dask_runner_matches_local_repeatedly`` with
``INNSPILL_DASK_REPEAT=N``: each run generates the 2,000-comment thread of
``test_dask_runner_matches_local_on_a_generated_thread``, analyses it with the local runner and
with the Dask runner (2 one-thread workers) and compares the two analyses' JSON as the CLI writes
it, byte for byte, apart from ``provenance.runner`` (timings are not in an analysis). The runs
share one embedding cache (the first run fills it). Stops at the first difference (``-x``).

    python benchmarks/dask_repeat.py --runs 20 [--write]

Prints how many runs passed; ``--write`` also records it in benchmarks/RESULTS.md (section
``dask-repeat``) with the commit, the machine's load and the time taken.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-rA",
                           "tests/test_dask_runner.py::test_dask_runner_matches_local_repeatedly"],
                          cwd=ROOT, env={**os.environ, "INNSPILL_DASK_REPEAT": str(args.runs)},
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    load1 = os.getloadavg()
    out = proc.stdout + proc.stderr
    passed = len(re.findall(r"^PASSED .*test_dask_runner_matches_local_repeatedly", out, re.M))
    failed = re.findall(r"^FAILED .*", out, re.M)
    print(out[-6000:])
    text = "\n".join([
        f"{passed} of {args.runs} runs passed in a row" + (f"; stopped at: {failed[0]}" if failed else "")
        + f" (pytest exit {proc.returncode})",
        "",
        f"commit {commit or 'unknown (not run in a git checkout)'}{' with uncommitted changes under src/' if dirty else ''}; {seconds:.0f} s for the "
        f"{args.runs} runs; load average (1 min) {load0[0]:.1f} at the start, {load1[0]:.1f} at the end, "
        f"on {os.cpu_count()} cores; each run: 2,000 generated comments (seed 3), local runner, then the Dask runner "
        "with 2 one-thread workers, analyses compared as written JSON, byte for byte, without provenance.runner",
    ])
    print(text)
    if args.write:
        sys.path.insert(0, str(HERE))
        import bench_scale

        bench_scale.write_section("dask-repeat", f"The Dask runner's identity test, {args.runs} runs in a row", text,
                                  script="dask_repeat.py")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())

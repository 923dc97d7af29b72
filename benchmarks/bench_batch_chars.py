"""The embedding engine's memory and time by the size of its calls: the same generated answers
embedded with calls cut at 256 texts only (as before), then also at N characters
(``innspill.embed.BATCH_CHARS``), each in a fresh process so its peak resident memory is its own.

    python benchmarks/bench_batch_chars.py --answers 1500 --write
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
import innspill.embed as E
from innspill.ingest import read_input
texts = [c.original for c in read_input({path!r}, max_bytes=10**10).comments]
E.BATCH_CHARS = {chars}
e = E.Embedder()
e.embed(["oppvarming"])  # the model loaded
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
e.embed(texts)
print("RESULT " + json.dumps({{"n": len(texts), "chars": sum(len(t[:E.MAX_CHARS]) for t in texts),
                              "seconds": time.perf_counter() - t0, "before_mb": before,
                              "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def main() -> int:
    from bench import generate
    from bench_scale import write_section

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=1500)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.txt")
        generate(args.answers, Path(path), seed=11, form_letters=True)
        for chars in (10**12, 24_000, 12_000, 8_000):
            out = subprocess.run([sys.executable, "-c", CHILD.format(src=str(ROOT / "src"), path=path, chars=chars)],
                                 capture_output=True, text=True)
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if line is None:
                raise SystemExit(out.stderr[-3000:])
            r = json.loads(line[7:])
            label = "256 texts" if chars >= 10**12 else f"256 texts or {chars:,} characters"
            rows.append(f"| {label} | {r['seconds']:.1f} | {r['n'] / r['seconds']:.1f} | {r['peak_mb']:.0f} |")
    text = "\n".join([f"{r['n']:,} generated answers ({r['chars']:,} characters as embedded), embedded once per "
                      f"row in a fresh process; memory with the model loaded {r['before_mb']:.0f} MB", "",
                      "| calls cut at | seconds | texts/s | peak memory (MB) |", "|---|---:|---:|---:|", *rows])
    print(text)
    if args.write:
        write_section("batch-chars", "Embedding calls cut by length", text, script="bench_batch_chars.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())

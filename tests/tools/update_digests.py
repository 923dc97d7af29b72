"""Rewrite tests/data/analysis-digests.json, the digests tests/test_same_results.py compares with.

Run it ONLY when a change is MEANT to change results (a new threshold, a retrained model, a fix
that changes an answer), and say so in the commit message, with what changed and why. A
restructuring, a rename or a speed-up must not need it: when tests/test_same_results.py fails
after such a change, the change is wrong, not the digests.

    .venv/bin/python tests/tools/update_digests.py

It analyses every thread as the test does (``innspill analyze``, with a throwaway embedding cache)
and prints the digests that changed.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="innspill-digests-cache-")  # as in tests/conftest.py

from analysis_digest import DIGESTS, MODES, analysis_digest, threads  # noqa: E402


def main() -> int:
    old = json.loads(DIGESTS.read_text(encoding="utf-8")) if DIGESTS.exists() else {}
    new: dict[str, dict[str, str]] = {}
    from innspill.embed import Embedder

    embedder = Embedder()  # one for all threads, as in the test (tests/conftest.py)
    with tempfile.TemporaryDirectory(prefix="innspill-digests-") as out:
        for mode in MODES:
            new[mode] = {}
            for name, path in threads().items():
                new[mode][name] = analysis_digest(path, mode, Path(out), embedder)
                if old.get(mode, {}).get(name) != new[mode][name]:
                    print(f"changed: {mode} {name}")
    DIGESTS.write_text(json.dumps(new, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DIGESTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""SHA-256 digests of the analysis JSON that ``innspill analyze`` writes (issue 22: a restructuring
changes no result), shared by ``tests/test_same_results.py`` and ``tests/tools/update_digests.py``.

Each thread (the seed, the examples, the development threads) is analysed the way
``innspill analyze`` does it (its default embedder, the int8 engine, or ``--no-embeddings``), and
the file it writes is hashed byte for byte, except for the provenance
fields that are meant to differ between two runs of the same code on the same input:

* ``seconds``: the CLI's timings;
* ``runner``: which runner ran the stages (the Dask runner gives the local runner's analysis,
  tests/test_dask_runner.py);
* ``tool``: innspill's version (a version bump is not a change of result).

Each thread is named as a user in the repository's root would name it (``examples/…``,
``../shared/seed/thread.txt``), with the working folder there: warnings quote the path as given,
so an absolute path would tie the digests to where the clone lives.

Provenance is the last key of the file; everything before it is hashed as written, and the
provenance without these fields is written again the way ``Analysis.write_json`` writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "thread.txt"
DIGESTS = Path(__file__).resolve().parent / "data" / "analysis-digests.json"

#: provenance fields left out of the digest (see the module's docstring)
VOLATILE = ("seconds", "runner", "tool")

#: how each thread is analysed: the CLI's extra arguments
MODES = {"embeddings": [], "no-embeddings": ["--no-embeddings"]}


def threads() -> dict[str, Path]:
    """The threads by name: ``seed``, ``examples/<file>``, ``evaluation/threads/<file>``."""
    named = {"seed": SEED}
    for folder in ("examples", "evaluation/threads"):
        for path in sorted((ROOT / folder).glob("*.txt")):
            named[f"{folder}/{path.name}"] = path
    return named


def stable_bytes(written: str) -> bytes:
    """The analysis JSON as written, with the :data:`VOLATILE` provenance fields removed."""
    marker = '\n "provenance": '
    at = written.rindex(marker)
    head, tail = written[:at + len(marker)], written[at + len(marker):]
    if not tail.endswith("\n}"):
        raise ValueError("provenance is not the last key of the analysis JSON")
    provenance = json.loads(tail[:-2])
    for key in VOLATILE:
        provenance.pop(key, None)
    tail = json.dumps(provenance, ensure_ascii=False, indent=1).replace("\n", "\n ") + "\n}"
    return (head + tail).encode("utf-8")


def analysis_digest(path: Path, mode: str, out_dir: Path, embedder=None) -> str:
    """Analyse ``path`` as ``innspill analyze PATH -o FILE`` does (in ``mode``) into ``out_dir``
    and give the stable digest of the file written.

    The CLI's own steps (its parser, ``read_options``, ``RunOptions``, ``analyze_all``,
    ``write_analysis``), except that ``embedder`` (made once by the caller; an ``Embedder`` with
    the default cache when None) is shared between threads: the CLI loads the engine for every
    run, a few seconds each. Cached or not, the vectors are the same."""
    from innspill.cli import build_parser, output_paths, read_options, write_analysis
    from innspill.embed import Embedder, default_cache_dir
    from innspill.pipeline import RunOptions, analyze_all

    out = Path(out_dir).resolve() / f"{path.stem}.{mode}.json"
    relative = os.path.relpath(path, ROOT)
    args = build_parser().parse_args(["analyze", relative, "-o", str(out), "--quiet", *MODES[mode]])
    if not args.no_embeddings and embedder is None:
        embedder = Embedder(cache_dir=default_cache_dir())
    options = RunOptions(lang=args.lang, embedder=None if args.no_embeddings else embedder,
                         use_embeddings=not args.no_embeddings, runner=args.runner, scheduler=args.scheduler,
                         workers=args.workers)
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        analyses = analyze_all(args.input, read_options(args), questions_file=args.questions, options=options)
    finally:
        os.chdir(here)
    (written,) = output_paths(args.output, analyses)  # one post per thread
    write_analysis(analyses[0], written, {"seconds": {}})
    return hashlib.sha256(stable_bytes(Path(written).read_text(encoding="utf-8"))).hexdigest()


def load_digests() -> dict[str, dict[str, str]]:
    return json.loads(DIGESTS.read_text(encoding="utf-8"))

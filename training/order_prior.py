#!/usr/bin/env python3
"""How often people answer the questions in the order they were asked: the evidence for the
segmenter's order constants (``innspill.segment.ORDER_*``).

    python training/order_prior.py evaluation/threads/*.gold.json tests/data/seed.gold.json examples/*.gold.json

For each labelled thread, the segmenter (as shipped, by meaning and the explicit grammar) reads every
comment; a comment counts when it has two or more answers that the gold confirms and not all of them
are numbered (a numbered list is in order by construction). It is "in order" when its answers, taken
where they start in the text, go to the questions in rising order. The gold has no spans, so only
answers the segmenter found are seen: a lower bound on the comments, not on the share.

Never run on held-out threads (it reads where their answers are).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "training"))

import segtune  # noqa: E402

from innspill.embed import Embedder  # noqa: E402


def count(prepared) -> tuple[int, int]:
    """(in order, not in order) over the prepared threads (segtune.prepare's rows)."""
    inorder = outorder = 0
    for seg, plan, units, rel, lex, calib, index, gold, _lang in prepared:
        seg.apply(units, rel, lex, calib)
        qix = {q.id: i for i, q in enumerate(seg.questions)}
        by_comment: dict[int, list[tuple[int, int, str]]] = {}
        for a in seg.pick(plan):
            ci, qi = index[a.comment_id], qix[a.question_id]
            if (ci, qi) in gold:
                by_comment.setdefault(ci, []).append((a.start, qi, a.how))
        for found in by_comment.values():
            if len(found) < 2 or all(how == "numbered" for _, _, how in found):
                continue
            qs = [q for _, q, _ in sorted(found)]
            if qs == sorted(qs):
                inorder += 1
            else:
                outorder += 1
    return inorder, outorder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold", nargs="+", help="innspill.gold/1 files (development threads, the seed, examples)")
    ap.add_argument("--cache-dir", default=str(ROOT / "training" / ".cache"))
    args = ap.parse_args(argv)
    if any("heldout" in g for g in args.gold):
        print("order_prior.py: E001 held-out threads are not read here", file=sys.stderr)
        return 2
    embedder = Embedder(cache_dir=args.cache_dir)
    rows, total = {}, [0, 0]
    for g in args.gold:
        a, b = count(segtune.prepare(segtune.real_threads([g], embedder), embedder))
        rows[Path(g).name] = {"in_order": a, "not_in_order": b}
        total[0], total[1] = total[0] + a, total[1] + b
        print(f"{Path(g).name:28} in order {a:3d}  not {b:3d}")
    share = total[0] / max(1, sum(total))
    print(f"{'all':28} in order {total[0]:3d}  not {total[1]:3d}  ({share:.2f} in order)")
    print(json.dumps({"threads": rows, "in_order": total[0], "not_in_order": total[1], "share": round(share, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

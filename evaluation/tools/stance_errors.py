"""List where the stance (or the answer itself) differs from the hand labels, on development threads.

    .venv/bin/python evaluation/tools/stance_errors.py evaluation/threads/*.gold.json [--all-questions]

For each yes/no answer (every answer with ``--all-questions``) whose stance differs from the gold,
or that was not found, prints the thread, comment, question, gold and predicted stance, the rule
that decided and the answer text with its evidence sentence. It refuses the held-out threads
(``evaluation/heldout/``): looking at their errors would make them development threads.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("golds", nargs="+")
    ap.add_argument("--all-questions", action="store_true", help="open questions too")
    ap.add_argument("--cache-dir", default=None, help="embedding cache (default: innspill's)")
    args = ap.parse_args(argv)
    if any("heldout" in Path(g).resolve().parts for g in args.golds):
        print("refused: the held-out threads are not for looking at errors (evaluation/heldout/README.md)",
              file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "src"))
    from innspill.embed import Embedder, default_cache_dir
    from innspill.evaluate import collect
    from innspill.pipeline import analyze

    embedder = Embedder(cache_dir=args.cache_dir or default_cache_dir())
    wrong = total = 0
    for g in args.golds:
        gold = json.loads(Path(g).read_text(encoding="utf-8"))
        a = analyze(str(ROOT / gold["thread"]), embedder=embedder).to_dict()
        r = collect(gold, a, g)
        qnum = {q["id"]: q["number"] for q in a["questions"]}
        pos = {c["id"]: c["position"] for c in a["comments"]}
        answers = {(pos[x["comment_id"]], qnum[x["question_id"]]): x for x in a["answers"]}
        texts = {c["position"]: c["text"] for c in a["comments"]}
        for key, gs in sorted(r["gold_pairs"].items()):
            if r["kinds"].get(key[1]) != "yesno" and not args.all_questions:
                continue
            total += 1
            x = answers.get(key)
            if x is not None and x["stance"] == gs:
                continue
            wrong += 1
            name = Path(g).name.replace(".gold.json", "")
            if x is None:
                print(f"{name} #{key[0]} q{key[1]}: gold {gs}, not found as an answer")
                print("   comment:", texts.get(key[0], "")[:300].replace("\n", " / "))
                continue
            rule = x.get("provenance", {}).get("stance_rule")
            print(f"{name} #{key[0]} q{key[1]}: gold {gs}, read {x['stance']} ({rule}, {x['confidence']})")
            print("   answer:  ", x["text"][:300].replace("\n", " / "))
            print("   evidence:", (x.get("evidence") or "")[:200].replace("\n", " / "))
    print(f"\n{wrong} of {total} gold answers differ or were not found", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

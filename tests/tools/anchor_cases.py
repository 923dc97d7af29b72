#!/usr/bin/env python3
"""Draw segmentation's rule cases (``tests/data/anchor_cases.json``) from the labelled threads.

    python tests/tools/anchor_cases.py            # rewrite tests/data/anchor_cases.json

For each rule of :data:`innspill.segment_anchors.ANCHOR_RULES` (and explicit labels), up to ``PER``
comments of each labelled thread (the examples and ``evaluation/threads``; their gold files were
written by hand) where the rule anchors a question, chosen by a hash of the comment's text (not by
whether the rule is right): the case keeps the thread's questions, the comment and the anchor, and
is marked ``pass`` when the gold says the comment answers that question and ``known-fail`` when it
does not. Rewrite the file only when a rule is meant to change, and say in the commit which cases
moved between ``pass`` and ``known-fail``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from innspill.contract import Question  # noqa: E402
from innspill.pipeline import analyze  # noqa: E402
from innspill.segment_anchors import REST, AnchorRules  # noqa: E402

PER = 3
OUT = ROOT / "tests" / "data" / "anchor_cases.json"


def golds() -> list[Path]:
    return sorted((ROOT / "examples").glob("*.gold.json")) + sorted((ROOT / "evaluation" / "threads").glob("*.gold.json"))


def main() -> int:
    cases: dict[tuple[str, str], list[dict]] = {}
    for gp in golds():
        gold = json.loads(gp.read_text(encoding="utf-8"))
        data = analyze(str((gp.parent / gold["thread"]) if (gp.parent / gold["thread"]).exists()
                           else ROOT / gold["thread"]), use_embeddings=False).to_dict()
        questions = [Question(q["id"], q["number"], q["text"], q["kind"]) for q in data["questions"]]
        rules = AnchorRules(questions, data["language"])
        answers = {c["position"]: c.get("answers", {}) for c in gold["comments"]}
        comments = sorted((c for c in data["comments"] if c["duplicate_of"] is None and c["position"] in answers),
                          key=lambda c: hashlib.blake2b(c["text"].encode(), digest_size=8).hexdigest())
        for c in comments:
            for a in rules.anchors(c["text"]):
                if a.question == REST:
                    continue
                key = (a.rule, str(gp.relative_to(ROOT)))
                got = cases.setdefault(key, [])
                number = questions[a.question].number
                if len(got) >= PER or any(x["text"] == c["text"] and x["question"] == number for x in got):
                    continue
                got.append({"thread": key[1], "language": data["language"],
                            "questions": [[q.number, q.text, q.kind] for q in questions],
                            "text": c["text"], "rule": a.rule, "question": number, "start": a.start, "head": a.head,
                            "status": "pass" if str(number) in answers[c["position"]] else "known-fail"})
    out = [c for key in sorted(cases) for c in cases[key]]
    OUT.write_text("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in out) + "\n]\n", encoding="utf-8")
    by_rule: dict[str, list[int]] = {}
    for c in out:
        by_rule.setdefault(c["rule"], [0, 0])[c["status"] == "pass"] += 1
    print(f"{len(out)} cases, {sum(c['status'] == 'pass' for c in out)} pass; per rule [known-fail, pass]: {by_rule}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

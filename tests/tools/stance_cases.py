#!/usr/bin/env python3
"""Draw the stance rules' cases (``tests/data/stance_cases.json``) from the training corpus.

    python tests/tools/stance_cases.py            # rewrite tests/data/stance_cases.json

For each verdict a rule of :data:`innspill.stance_rules.STANCE_RULES` can give, and each of nb, nn
and en, up to ``PER`` corpus answers on which the rules give that verdict, chosen by a hash of the
row's id (not by whether the rule is right): the case keeps the writer's question, answer and label
(``gold``) and the verdict, and is marked ``pass`` when the rules' stance is the writer's label and
``known-fail`` when it is not. The corpus is written and labelled by independent writers
(``training/DATACARD.md``), so the cases come from data, not from the code's own output; the rules
were not written on it. Rewrite the file only when a rule is meant to change, and say in the commit
which cases moved between ``pass`` and ``known-fail``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "training"))

from train_stance import load_rows  # noqa: E402

from innspill.contract import Question  # noqa: E402
from innspill.stance import StanceFinder  # noqa: E402
from innspill.stance_rules import STANCE_RULES  # noqa: E402

PER = 3
LANGS = ("nb", "nn", "en")
OUT = ROOT / "tests" / "data" / "stance_cases.json"


def main() -> int:
    rows = load_rows(sorted((ROOT / "training" / "corpus").glob("*.jsonl")))
    rows = sorted((r for r in rows if r["lang"] in LANGS and len(r["text"]) <= 300),
                  key=lambda r: hashlib.blake2b(r["id"].encode(), digest_size=8).hexdigest())
    finders = {lang: StanceFinder(lang) for lang in LANGS}
    wanted = {(name, lang) for rule in STANCE_RULES for name in rule.gives for lang in LANGS}
    cases: dict[tuple[str, str], list[dict]] = {k: [] for k in sorted(wanted)}
    for r in rows:
        q = Question(id="q1", number=1, text=r["question"], kind=r["kind"])
        v = finders[r["lang"]].judge(r["text"], 0, len(r["text"]), q)
        key = (v.rule, r["lang"])
        if key in cases and len(cases[key]) < PER:
            cases[key].append({"id": r["id"], "lang": r["lang"], "kind": r["kind"], "question": r["question"],
                               "text": r["text"], "gold": r["stance"], "rule": v.rule, "stance": v.stance,
                               "status": "pass" if v.stance == r["stance"] else "known-fail"})
    out = [c for key in sorted(cases) for c in cases[key]]
    OUT.write_text("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in out) + "\n]\n", encoding="utf-8")
    missing = sorted(k for k, v in cases.items() if not v)
    print(f"{len(out)} cases, {sum(c['status'] == 'pass' for c in out)} pass; no corpus case for: {missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Write training/public/perspectrum.jsonl: a deterministic sample of Perspectrum (CogComp,
CC BY-SA 4.0) as (claim, perspective, for/against) pairs in the training corpus's format.

    python3 training/tools/import_perspectrum.py DATASET_DIR

DATASET_DIR holds ``perspectrum_with_answers_v1.0.json``, ``perspective_pool_v1.0.json``,
``dataset_split_v1.0.json`` and ``topic.json`` from https://github.com/CogComp/perspectrum (``data/dataset/``,
commit b42c27b8). Only the training split is used; one perspective per gold cluster (the first
id), only clusters whose crowd votes agree (at least 2/3 on one side); a claim is the proposal
the "question" asks about. The output is committed, so training never needs the network.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

LIMIT = 1600  # pairs kept: English transfer data beside the written corpus, not its bulk
OUT = Path(__file__).resolve().parents[1] / "public" / "perspectrum.jsonl"


def main(src: str) -> None:
    d = Path(src)
    claims = json.loads((d / "perspectrum_with_answers_v1.0.json").read_text())
    pool = {p["pId"]: p["text"] for p in json.loads((d / "perspective_pool_v1.0.json").read_text())}
    split = json.loads((d / "dataset_split_v1.0.json").read_text())
    topics = {}
    if (d / "topic.json").is_file():
        raw = json.loads((d / "topic.json").read_text())
        topics = {str(t["claim_id"]): t["topics"] for t in raw}
    rows = []
    for c in claims:
        if split.get(str(c["cId"])) != "train":
            continue
        for k, p in enumerate(c["perspectives"]):
            label = {"SUPPORT": "for", "UNDERMINE": "against"}.get(p["stance_label_3"].upper())
            votes = p.get("voter_counts", [])
            if label is None or not p["pids"] or sum(votes) == 0:
                continue
            side = votes[0] + votes[1] if label == "for" else votes[3] + votes[2]
            if side / sum(votes) < 2 / 3:
                continue
            rows.append({"id": f"PS-{c['cId']}-{k}", "writer": "perspectrum", "lang": "en",
                         "topic": (topics.get(str(c["cId"])) or c.get("topics") or ["debate"])[0], "qid": f"PS-q{c['cId']}", "question": c["text"].strip(),
                         "kind": "yesno", "text": pool[p["pids"][0]].strip(), "stance": label,
                         "hows": ["argument"], "source": "Perspectrum (CogComp), CC BY-SA 4.0"})
    random.Random(20261206).shuffle(rows)
    rows = sorted(rows[:LIMIT], key=lambda r: r["id"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} pairs -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])

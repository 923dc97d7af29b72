"""Compare an analysis with hand labels (gold, ``innspill.gold/1``) and print the figures.

Gold format (see ``examples/README.md``)::

    {"schema": "innspill.gold/1", "thread": "…",
     "questions": [{"number": 1, "kind": "yesno"}, …],
     "comments": [{"position": 1, "answers": {"1": "against"}, "sensitive": false},
                  {"position": 2, "duplicate_of": 1}, …]}

Figures: segmentation precision/recall/F1 over (comment, question addressed)
pairs of the distinct comments, with the "every comment answers every
question" baseline; stance accuracy on yes/no questions over the pairs found,
with the "always the commonest stance" baseline; duplicate link precision/recall.
"""

from __future__ import annotations

import json
from collections import Counter

from .errors import InnspillError
from .model import STANCES


def load_json(path: str, what: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise InnspillError("E101", f"no such {what} file", path=path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InnspillError("E203", f"{what} file is not valid JSON: {exc}", path=path) from None


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def _roots(links: dict[int, int]) -> dict[int, int]:
    def root(x):
        seen = set()
        while x in links and x not in seen:
            seen.add(x)
            x = links[x]
        return x
    return {k: root(k) for k in links}


def evaluate(gold: dict, analysis: dict, gold_path: str = "gold") -> dict:
    if gold.get("schema") != "innspill.gold/1" or not isinstance(gold.get("comments"), list):
        raise InnspillError("E203", "not an innspill.gold/1 file", path=gold_path)
    qnum = {q["id"]: q["number"] for q in analysis["questions"]}
    kinds = {q["number"]: q.get("kind") for q in gold.get("questions", [])} or \
        {q["number"]: q["kind"] for q in analysis["questions"]}
    numbers = sorted(kinds) or sorted(qnum.values())
    pos_of = {c["id"]: c["position"] for c in analysis["comments"]}

    gold_pairs: dict[tuple[int, int], str] = {}
    gold_dup: dict[int, int] = {}
    distinct = []
    for i, gc in enumerate(gold["comments"]):
        if "position" not in gc:
            raise InnspillError("E203", "a gold comment has no position", path=gold_path, record=i + 1)
        if gc.get("duplicate_of"):
            gold_dup[gc["position"]] = gc["duplicate_of"]
            continue
        distinct.append(gc["position"])
        for num, stance in (gc.get("answers") or {}).items():
            if stance not in STANCES:
                raise InnspillError("E203", f"unknown stance {stance!r}", path=gold_path, record=i + 1)
            gold_pairs[(gc["position"], int(num))] = stance

    pred_pairs: dict[tuple[int, int], str] = {}
    for a in analysis["answers"]:
        pred_pairs[(pos_of[a["comment_id"]], qnum[a["question_id"]])] = a["stance"]
    dset = set(distinct)
    pred_in = {k: v for k, v in pred_pairs.items() if k[0] in dset}
    tp = len(set(pred_in) & set(gold_pairs))
    seg = _prf(tp, len(pred_in) - tp, len(gold_pairs) - tp)
    all_pairs = {(p, n) for p in distinct for n in numbers}
    tpb = len(all_pairs & set(gold_pairs))
    seg_base = _prf(tpb, len(all_pairs) - tpb, len(gold_pairs) - tpb)

    yes_no = {k: v for k, v in gold_pairs.items() if kinds.get(k[1]) == "yesno"}
    matched = [(v, pred_in[k]) for k, v in yes_no.items() if k in pred_in]
    correct = sum(g == p for g, p in matched)
    majority = Counter(yes_no.values()).most_common(1)[0] if yes_no else ("none", 0)
    confusion = {g: {p: 0 for p in STANCES} for g in STANCES}
    for g, p in matched:
        confusion[g][p] += 1
    stance = {
        "accuracy": round(correct / len(matched), 3) if matched else 0.0,
        "matched": len(matched), "gold_yesno_answers": len(yes_no),
        "strict_accuracy": round(correct / len(yes_no), 3) if yes_no else 0.0,
        "majority_stance": majority[0],
        "majority_baseline": round(majority[1] / len(yes_no), 3) if yes_no else 0.0,
        "confusion": confusion,
    }

    pred_dup = {c["position"]: pos_of[c["duplicate_of"]] for c in analysis["comments"] if c.get("duplicate_of")}
    groot, proot = _roots(gold_dup), _roots(pred_dup)
    ok = sum(1 for p, c in pred_dup.items() if p in groot and groot[p] == groot.get(c, c))
    found = sum(1 for p, c in gold_dup.items() if p in proot and proot[p] == proot.get(c, c))
    dups = {"precision": round(ok / len(pred_dup), 3) if pred_dup else 1.0,
            "recall": round(found / len(gold_dup), 3) if gold_dup else 1.0,
            "predicted": len(pred_dup), "gold": len(gold_dup)}
    return {"segmentation": seg, "segmentation_baseline_all_pairs": seg_base, "stance_yesno": stance,
            "duplicates": dups, "comments_gold": len(gold["comments"]),
            "comments_analysis": len(analysis["comments"])}


def render(result: dict) -> str:
    s, b, st, d = (result["segmentation"], result["segmentation_baseline_all_pairs"], result["stance_yesno"],
                   result["duplicates"])
    lines = [
        f"comments: gold {result['comments_gold']}, analysis {result['comments_analysis']}",
        "",
        "segmentation (comment x question addressed)   precision  recall  f1",
        f"  innspill                                     {s['precision']:>9.3f}  {s['recall']:>6.3f}  {s['f1']:.3f}",
        f"  baseline: every comment answers every q.     {b['precision']:>9.3f}  {b['recall']:>6.3f}  {b['f1']:.3f}",
        "",
        f"stance on yes/no questions ({st['matched']} of {st['gold_yesno_answers']} gold answers found)",
        f"  innspill accuracy                            {st['accuracy']:.3f}   (counting missed as wrong: {st['strict_accuracy']:.3f})",
        f"  baseline: always '{st['majority_stance']}'{' ' * (26 - len(st['majority_stance']))}{st['majority_baseline']:.3f}",
        "  confusion (rows gold, columns predicted): " + ", ".join(
            f"{g}→" + "/".join(str(st['confusion'][g][p]) for p in STANCES) for g in STANCES),
        "",
        f"duplicates: precision {d['precision']:.3f}  recall {d['recall']:.3f}  "
        f"(predicted {d['predicted']}, gold {d['gold']})",
    ]
    return "\n".join(lines)

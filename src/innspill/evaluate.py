"""Compare an analysis with hand labels (gold, ``innspill.gold/1``) and print the figures.

Gold format (see ``examples/README.md``)::

    {"schema": "innspill.gold/1", "thread": "…",
     "questions": [{"number": 1, "kind": "yesno"}, …],
     "comments": [{"position": 1, "answers": {"1": "against"}, "sensitive": false},
                  {"position": 2, "duplicate_of": 1}, …]}

Two steps, so figures can be pooled over many threads: :func:`collect` turns one
gold file and one analysis into plain records (pairs, stances, confidences,
flags); :func:`score` turns any number of such records into the figures.

Figures: segmentation precision/recall/F1 over (comment, question addressed)
pairs of the distinct comments, with the "every comment answers every
question" baseline, overall and per question; stance accuracy and macro-F1 on
yes/no questions (and on all questions) over the pairs found, with the "always
the commonest stance" baseline and a confusion matrix; calibration of
``confidence`` (accuracy per confidence bucket, expected calibration error);
duplicate link precision/recall; sensitive-comment flag precision/recall.
"""

from __future__ import annotations

import json
from collections import Counter

from .contract import STANCES
from .errors import InnspillError

BUCKETS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


#: the code of a malformed file of each kind, the same whichever command reads it
MALFORMED = {"gold": "E203", "analysis": "E204", "live results": "E303"}


def load_json(path: str, what: str) -> dict:
    """The JSON in ``path``, a ``what`` file (a key of :data:`MALFORMED`): ``E101`` when it is
    missing, the kind's own code when it is not JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise InnspillError("E101", f"no such {what} file", path=path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InnspillError(MALFORMED[what], f"{what} file is not valid JSON: {exc}", path=path) from None


def load_analysis(path: str) -> dict:
    """An ``innspill.analysis/1`` file, else ``E204`` (for every command that reads one)."""
    data = load_json(path, "analysis")
    if not isinstance(data, dict) or data.get("schema") != "innspill.analysis/1":
        raise InnspillError("E204", "not an innspill.analysis/1 file", path=path,
                            hint="write one with: innspill analyze INPUT -o analysis.json")
    return data


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


def is_sensitive(comment: dict) -> bool:
    """A comment flagged as a sensitive story by the analysis (any flag naming it)."""
    return any("sensitive" in str(f) for f in comment.get("flags") or ())


def collect(gold: dict, analysis: dict, gold_path: str = "gold") -> dict:
    """Plain records of one thread: what gold says and what the analysis says, side by side."""
    if not isinstance(gold, dict) or gold.get("schema") != "innspill.gold/1" or \
            not isinstance(gold.get("comments"), list):
        raise InnspillError("E203", "not an innspill.gold/1 file", path=gold_path)
    qnum = {q["id"]: q["number"] for q in analysis["questions"]}
    kinds = {q["number"]: q.get("kind") for q in gold.get("questions", [])} or \
        {q["number"]: q["kind"] for q in analysis["questions"]}
    numbers = sorted(kinds) or sorted(qnum.values())
    pos_of = {c["id"]: c["position"] for c in analysis["comments"]}

    gold_pairs: dict[tuple[int, int], str] = {}
    gold_dup: dict[int, int] = {}
    gold_sensitive: set[int] = set()
    distinct = []
    for i, gc in enumerate(gold["comments"]):
        if "position" not in gc:
            raise InnspillError("E203", "a gold comment has no position", path=gold_path, record=i + 1)
        if gc.get("duplicate_of"):
            gold_dup[gc["position"]] = gc["duplicate_of"]
            continue
        distinct.append(gc["position"])
        if gc.get("sensitive"):
            gold_sensitive.add(gc["position"])
        for num, stance in (gc.get("answers") or {}).items():
            if stance not in STANCES:
                raise InnspillError("E203", f"unknown stance {stance!r}", path=gold_path, record=i + 1)
            gold_pairs[(gc["position"], int(num))] = stance

    dset = set(distinct)
    pred: dict[tuple[int, int], tuple[str, float]] = {}
    for a in analysis["answers"]:
        key = (pos_of[a["comment_id"]], qnum[a["question_id"]])
        if key[0] in dset:
            pred[key] = (a["stance"], float(a.get("confidence", 0.0)))
    pred_dup = {c["position"]: pos_of[c["duplicate_of"]] for c in analysis["comments"] if c.get("duplicate_of")}
    pred_sensitive = {c["position"] for c in analysis["comments"] if c["position"] in dset and is_sensitive(c)}
    return {
        "thread": gold.get("thread", gold_path),
        "kinds": kinds, "numbers": numbers, "distinct": distinct,
        "gold_pairs": gold_pairs, "pred": pred,
        "gold_dup": gold_dup, "pred_dup": pred_dup,
        "gold_sensitive": gold_sensitive, "pred_sensitive": pred_sensitive,
        "comments_gold": len(gold["comments"]), "comments_analysis": len(analysis["comments"]),
    }


def _stance_figures(matched: list[tuple[str, str]], gold_values: list[str]) -> dict:
    correct = sum(g == p for g, p in matched)
    majority = Counter(gold_values).most_common(1)[0] if gold_values else ("none", 0)
    confusion = {g: {p: 0 for p in STANCES} for g in STANCES}
    for g, p in matched:
        confusion[g][p] += 1
    f1s = []
    for s in STANCES:
        tp = confusion[s][s]
        fp = sum(confusion[g][s] for g in STANCES) - tp
        fn = sum(confusion[s].values()) - tp
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return {
        "accuracy": round(correct / len(matched), 3) if matched else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 3) if f1s else 0.0,
        "matched": len(matched), "gold_answers": len(gold_values),
        "strict_accuracy": round(correct / len(gold_values), 3) if gold_values else 0.0,
        "majority_stance": majority[0],
        "majority_baseline": round(majority[1] / len(gold_values), 3) if gold_values else 0.0,
        "confusion": confusion,
    }


def _calibration(items: list[tuple[float, bool]]) -> dict:
    buckets = []
    ece = 0.0
    for lo, hi in zip(BUCKETS, BUCKETS[1:]):
        inside = [(c, ok) for c, ok in items if lo <= c < hi]
        if not inside:
            continue
        conf = sum(c for c, _ in inside) / len(inside)
        acc = sum(ok for _, ok in inside) / len(inside)
        ece += len(inside) / len(items) * abs(conf - acc)
        buckets.append({"from": lo, "to": min(hi, 1.0), "n": len(inside),
                        "mean_confidence": round(conf, 3), "accuracy": round(acc, 3)})
    return {"buckets": buckets, "ece": round(ece, 3), "n": len(items)}


def score(records: list[dict]) -> dict:
    """Figures pooled over the threads in ``records`` (micro-averaged: every pair counts once)."""
    tp = fp = fn = tpb = fpb = fnb = 0
    yes_no_matched, yes_no_gold, all_matched, all_gold, calib = [], [], [], [], []
    per_q: dict[tuple[str, int], dict] = {}
    dup_ok = dup_found = dup_pred = dup_gold = 0
    sens_tp = sens_pred = sens_gold = 0
    for r in records:
        gold_pairs, pred, kinds = r["gold_pairs"], r["pred"], r["kinds"]
        hit = set(pred) & set(gold_pairs)
        tp, fp, fn = tp + len(hit), fp + len(pred) - len(hit), fn + len(gold_pairs) - len(hit)
        all_pairs = {(p, n) for p in r["distinct"] for n in r["numbers"]}
        hb = len(all_pairs & set(gold_pairs))
        tpb, fpb, fnb = tpb + hb, fpb + len(all_pairs) - hb, fnb + len(gold_pairs) - hb
        for n in r["numbers"]:
            g = {k for k in gold_pairs if k[1] == n}
            p = {k for k in pred if k[1] == n}
            row = per_q.setdefault((r["thread"], n), {"thread": r["thread"], "number": n, "kind": kinds.get(n),
                                                     "tp": 0, "fp": 0, "fn": 0, "correct": 0, "matched": 0})
            row["tp"] += len(g & p)
            row["fp"] += len(p - g)
            row["fn"] += len(g - p)
            for k in g & p:
                row["matched"] += 1
                row["correct"] += gold_pairs[k] == pred[k][0]
        for k, v in gold_pairs.items():
            all_gold.append(v)
            if k in pred:
                all_matched.append((v, pred[k][0]))
                calib.append((pred[k][1], v == pred[k][0]))
            if kinds.get(k[1]) == "yesno":
                yes_no_gold.append(v)
                if k in pred:
                    yes_no_matched.append((v, pred[k][0]))
        groot, proot = _roots(r["gold_dup"]), _roots(r["pred_dup"])
        dup_ok += sum(1 for p, c in r["pred_dup"].items() if p in groot and groot[p] == groot.get(c, c))
        dup_found += sum(1 for p, c in r["gold_dup"].items() if p in proot and proot[p] == proot.get(c, c))
        dup_pred += len(r["pred_dup"])
        dup_gold += len(r["gold_dup"])
        sens_tp += len(r["gold_sensitive"] & r["pred_sensitive"])
        sens_pred += len(r["pred_sensitive"])
        sens_gold += len(r["gold_sensitive"])
    questions = []
    for row in per_q.values():
        prf = _prf(row["tp"], row["fp"], row["fn"])
        questions.append({**row, **prf, "stance_accuracy": round(row["correct"] / row["matched"], 3)
                          if row["matched"] else None})
    return {
        "threads": len(records),
        "segmentation": _prf(tp, fp, fn),
        "segmentation_baseline_all_pairs": _prf(tpb, fpb, fnb),
        "stance_yesno": _stance_figures(yes_no_matched, yes_no_gold),
        "stance_all": _stance_figures(all_matched, all_gold),
        "calibration": _calibration(calib),
        "per_question": questions,
        "duplicates": {"precision": round(dup_ok / dup_pred, 3) if dup_pred else 1.0,
                       "recall": round(dup_found / dup_gold, 3) if dup_gold else 1.0,
                       "predicted": dup_pred, "gold": dup_gold},
        "sensitive": {**_prf(sens_tp, sens_pred - sens_tp, sens_gold - sens_tp), "predicted": sens_pred,
                      "gold": sens_gold},
        "comments_gold": sum(r["comments_gold"] for r in records),
        "comments_analysis": sum(r["comments_analysis"] for r in records),
    }


def evaluate(gold: dict, analysis: dict, gold_path: str = "gold") -> dict:
    """Figures for one thread."""
    return score([collect(gold, analysis, gold_path)])


def _confusion_lines(st: dict) -> list[str]:
    head = "    gold \\ predicted " + "".join(f"{p:>9}" for p in STANCES)
    rows = [f"    {g:<19}" + "".join(f"{st['confusion'][g][p]:>9}" for p in STANCES) for g in STANCES]
    return [head, *rows]


def render(result: dict) -> str:
    s, b, st, d = (result["segmentation"], result["segmentation_baseline_all_pairs"], result["stance_yesno"],
                   result["duplicates"])
    sa, cal, sens = result["stance_all"], result["calibration"], result["sensitive"]
    lines = [
        f"comments: gold {result['comments_gold']}, analysis {result['comments_analysis']}",
        "",
        "segmentation (comment x question addressed)   precision  recall  f1",
        f"  innspill                                     {s['precision']:>9.3f}  {s['recall']:>6.3f}  {s['f1']:.3f}",
        f"  baseline: every comment answers every q.     {b['precision']:>9.3f}  {b['recall']:>6.3f}  {b['f1']:.3f}",
        "",
        f"stance on yes/no questions ({st['matched']} of {st['gold_answers']} gold answers found)",
        f"  innspill accuracy                            {st['accuracy']:.3f}   (counting missed as wrong: {st['strict_accuracy']:.3f})",
        f"  innspill macro-F1                            {st['macro_f1']:.3f}",
        f"  baseline: always '{st['majority_stance']}'{' ' * (26 - len(st['majority_stance']))}{st['majority_baseline']:.3f}",
        "  confusion:",
        *_confusion_lines(st),
        f"stance on all questions: accuracy {sa['accuracy']:.3f}, macro-F1 {sa['macro_f1']:.3f} "
        f"({sa['matched']} of {sa['gold_answers']} found)",
        "",
        "per question             seg P    seg R   seg F1   stance acc",
    ]
    for q in result["per_question"]:
        acc = f"{q['stance_accuracy']:.3f}" if q["stance_accuracy"] is not None else "  -  "
        name = f"q{q['number']} ({q['kind']})"
        if result["threads"] > 1:
            name = f"{str(q['thread']).rsplit('/', 1)[-1][:14]} {name}"
        lines.append(f"  {name:<22}{q['precision']:>7.3f}  {q['recall']:>7.3f}  {q['f1']:>7.3f}   {acc}")
    lines += ["", f"confidence calibration ({cal['n']} answers found; expected calibration error {cal['ece']:.3f})",
              "  confidence     n   mean conf   accuracy"]
    for bk in cal["buckets"]:
        lines.append(f"  {bk['from']:.1f}–{bk['to']:.1f}   {bk['n']:>5}   {bk['mean_confidence']:>9.3f}   {bk['accuracy']:>8.3f}")
    lines += [
        "",
        f"duplicates: precision {d['precision']:.3f}  recall {d['recall']:.3f}  "
        f"(predicted {d['predicted']}, gold {d['gold']})",
        f"sensitive stories: precision {sens['precision']:.3f}  recall {sens['recall']:.3f}  "
        f"(flagged {sens['predicted']}, gold {sens['gold']})",
    ]
    return "\n".join(lines)

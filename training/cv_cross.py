#!/usr/bin/env python3
"""Topic-grouped K-fold cross-validation of the stance cross-encoder (issue 17).

    python training/cv_cross.py --folds 5 --threads 1      # all folds; writes training/experiments/cv-cross.{json,md}
    python training/cv_cross.py --folds 5 --only-fold 2    # one fold (added to the folds already in the json)
    python training/cv_cross.py --limit 300 --epochs 1 --out /tmp/cv.json   # a smoke test

Leave-one-topic-out (``train_stance.py --cv``: one fold per writer+topic) would take one training of
the cross-encoder per topic, about half an hour each on one thread; this is the affordable
approximation: every writer+topic key (the key of ``train_stance.topic_folds``) goes whole into one
of K folds, assigned deterministically (keys in the order of a seeded hash, each into the fold with
the fewest pairs so far), so no topic is both trained on and tested. Calibration rows
(``is_calibration``) are neither trained on nor tested, as in ``train_stance.cross_validate``.

Each fold is trained with train_cross.py's own recipe (:func:`train_cross.fine_tune`: the top layers
and a new head, the same hyperparameters, epochs, seed and batch order) on the other folds' pairs,
over the lower layers' output computed once for all pairs by train_cross's cached step, and predicts
the fold's pairs by the model alone (argmax of its logits; no temperature, no rules). Reported per
fold and pooled: accuracy, macro-F1, per language and per question kind, the rules alone on the
same pairs (the rule verdict ``cross_validate`` scores), the majority baseline (the commonest class
of the training folds), a confusion matrix. The json is rewritten after every fold, with each
fold's predictions, so an interrupted run keeps its finished folds and a rerun skips them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "training"))

from train_stance import SEED, is_calibration, load_rows, macro_f1  # noqa: E402

from innspill.contract import STANCES  # noqa: E402

LETTERS = "famn"  # a fold's predictions as one letter a pair: for / against / mixed / none
assert len(LETTERS) == len(STANCES)
OUT = ROOT / "training" / "experiments" / "cv-cross.json"


def topic_key(row: dict) -> str:
    """The topic a row belongs to, as ``train_stance.topic_folds`` keys it (writer + topic)."""
    return f"{row.get('writer')}/{row.get('topic')}"


def assign_folds(rows: list[dict], k: int) -> np.ndarray:
    """The fold (0..k-1) of every row, -1 for calibration rows. Whole topics go into one fold: the
    keys in the order of a hash seeded with ``SEED`` (deterministic, independent of the file order),
    each into the fold with the fewest pairs so far (ties: the lowest fold)."""
    usable = [not is_calibration(r) for r in rows]
    counts = Counter(topic_key(r) for r, u in zip(rows, usable) if u)
    keys = sorted(counts, key=lambda t: (hashlib.blake2b(f"{SEED}:{t}".encode(), digest_size=8).hexdigest(), t))
    load, fold_of = [0] * k, {}
    for t in keys:
        f = min(range(k), key=lambda j: (load[j], j))
        fold_of[t] = f
        load[f] += counts[t]
    return np.array([fold_of[topic_key(r)] if u else -1 for r, u in zip(rows, usable)])


def figures(y: np.ndarray, pred: np.ndarray, rule_pred: np.ndarray, majority: np.ndarray) -> dict:
    """Accuracy and macro-F1 of the model, the rules and the majority baseline on the same pairs."""
    return {"n": int(len(y)), "accuracy": round(float((pred == y).mean()), 3), "macro_f1": macro_f1(y, pred),
            "rules_accuracy": round(float((rule_pred == y).mean()), 3), "rules_macro_f1": macro_f1(y, rule_pred),
            "majority_accuracy": round(float((majority == y).mean()), 3)}


def report(rows: list[dict], y: np.ndarray, pred: np.ndarray, rule_pred: np.ndarray, majority: np.ndarray) -> dict:
    """The figures of one set of pairs, whole, by language, by question kind, by class; the confusion
    matrix (rows: the gold stance, columns: the model's)."""
    out = figures(y, pred, rule_pred, majority)
    out["majority_of_test"] = round(float(np.bincount(y, minlength=len(STANCES)).max() / len(y)), 3)
    for field in ("lang", "kind"):
        vals = np.array([r[field] for r in rows])
        out[f"by_{field}"] = {v: figures(y[vals == v], pred[vals == v], rule_pred[vals == v], majority[vals == v])
                              for v in sorted(set(vals))}
    out["recall"] = {s: round(float((pred[y == k] == k).mean()), 3) for k, s in enumerate(STANCES) if (y == k).any()}
    out["confusion"] = {"classes": list(STANCES), "gold_by_predicted":
                        [[int(((y == a) & (pred == b)).sum()) for b in range(len(STANCES))] for a in range(len(STANCES))]}
    return out


def pooled(rows, y, rule_pred, fold, folds: dict) -> dict | None:
    """The figures over every finished fold's pairs (each fold predicted by the model not trained on it)."""
    idx, pred, maj = [], [], []
    for f, rec in sorted(folds.items(), key=lambda kv: int(kv[0])):
        te = np.where(fold == int(f))[0]
        idx += list(te)
        pred += [LETTERS.index(c) for c in rec["predictions"]]
        maj += [STANCES.index(rec["majority_class"])] * len(te)
    if not idx:
        return None
    idx = np.array(idx)
    return {"folds": sorted(int(f) for f in folds), **report([rows[i] for i in idx], y[idx], np.array(pred), rule_pred[idx],
                                                            np.array(maj))}


def write_md(path: Path, res: dict) -> None:
    def row(name, d):
        return f"| {name} | {d['n']} | {d['accuracy']:.3f} | {d['macro_f1']:.3f} | {d['rules_accuracy']:.3f} | {d['majority_accuracy']:.3f} |"

    def head(model):
        return [f"| pairs | n | {model} alone | macro-F1 | rules alone | majority (training folds' class) |",
                "|---|---:|---:|---:|---:|---:|"]

    cfg = res["config"]
    lines = ["# Cross-encoder: topic-grouped cross-validation (issue 17)", "",
             f"Written by `{res['command']}` (training/cv_cross.py; {res['written']}). "
             f"{cfg['folds']} folds grouped by writer+topic ({cfg['topics']} topic keys, each whole in one fold, "
             "balanced by pair count); calibration rows excluded from training and testing, as in "
             "`train_stance.py --cv`. Each fold is trained with train_cross.py's recipe "
             f"(top {cfg['top']} layers + head, {cfg['epochs']} epochs, batch {cfg['batch']}, lr {cfg['lr']}, "
             f"head lr {cfg['head_lr']}, seed {cfg['seed']}, init {cfg['init']}, {cfg['threads']} torch thread(s)) "
             "on the other folds and predicts its fold by the model alone (argmax; no temperature, no rules). "
             "Rules alone: the rule verdict `cross_validate` scores. Majority: the commonest class of the "
             "training folds, predicted for every pair.", ""]
    if cfg.get("limit") or cfg["epochs"] != cfg["recipe_epochs"]:
        lines += [f"**Not the recipe**: limit {cfg.get('limit')}, {cfg['epochs']} epochs (a smoke test).", ""]
    pool = res.get("pooled")
    if pool:
        missing = sorted(set(range(cfg["folds"])) - set(pool["folds"]))
        lines += [f"## Pooled over folds {', '.join(map(str, pool['folds']))}"
                  + (f" (folds {', '.join(map(str, missing))} not run)" if missing else ""), ""]
        lines += head("cross-encoder") + [row("all", pool)]
        lines += [row(f"lang {k}", v) for k, v in pool["by_lang"].items()]
        lines += [row(f"kind {k}", v) for k, v in pool["by_kind"].items()]
        lines += ["", f"Majority class of the test pairs themselves (as `cross_validate` reports it): "
                  f"{pool['majority_of_test']:.3f}. Recall: "
                  + ", ".join(f"{k} {v:.3f}" for k, v in pool["recall"].items()) + ".", "",
                  "Confusion (rows: gold, columns: predicted):", "",
                  "| gold \\ predicted | " + " | ".join(STANCES) + " |", "|---|" + "---:|" * len(STANCES)]
        lines += [f"| {s} | " + " | ".join(map(str, r)) + " |"
                  for s, r in zip(STANCES, pool["confusion"]["gold_by_predicted"])]
        lines += [""]
    net = res.get("network")
    if net:
        lines += ["## For comparison: the network over frozen vectors on the same folds", "",
                  "train_stance.py's network (its `fit`, as `cross_validate` trains it; features a, aq, rule), "
                  f"trained and scored on the same {cfg['folds']} folds (all of them), by "
                  f"`python training/cv_cross.py --folds {cfg['folds']} --network"
                  + (f" --limit {cfg['limit']}" if cfg.get("limit") else "") + "`.", ""]
        lines += head("network") + [row("all", net["pooled"])]
        lines += [row(f"lang {k}", v) for k, v in net["pooled"]["by_lang"].items()]
        lines += [row(f"kind {k}", v) for k, v in net["pooled"]["by_kind"].items()]
        lines += ["", "Per fold, alone: " + ", ".join(f"{f} {v['accuracy']:.3f}" for f, v in net["folds"].items()) + ".", ""]
    lines += ["## Per fold", "", "| fold | topics | train | test | alone | macro-F1 | rules | majority | yes/no alone | "
              "open alone | minutes |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f, rec in sorted(res["folds"].items(), key=lambda kv: int(kv[0])):
        t = rec["test"]
        kinds = t["by_kind"]
        lines.append(f"| {f} | {rec['topics']} | {rec['train']} | {t['n']} | {t['accuracy']:.3f} | {t['macro_f1']:.3f} | "
                     f"{t['rules_accuracy']:.3f} | {t['majority_accuracy']:.3f} | "
                     f"{kinds.get('yesno', {}).get('accuracy', float('nan')):.3f} | "
                     f"{kinds.get('open', {}).get('accuracy', float('nan')):.3f} | {rec['seconds'] / 60:.1f} |")
    lines += ["", "Per fold by language, the per-epoch losses and the predictions: `cv-cross.json`.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def network_folds(rows: list[dict], y: np.ndarray, fold: np.ndarray, k: int, cache_dir: str) -> dict:
    """For comparison: train_stance.py's network over frozen vectors (its ``fit``, as ``cross_validate``
    trains it) on the same folds, scored as the cross-encoder is."""
    from train_stance import features, fit, logits_of

    from innspill.embed import Embedder

    x, verdicts, _ = features(rows, Embedder(cache_dir=cache_dir))
    rule_pred = np.array([STANCES.index(s) for s, _ in verdicts])
    pred, maj, per_fold = np.full(len(rows), -1), np.full(len(rows), -1), {}
    for f in range(k):
        t0 = time.time()
        tr, te = (fold >= 0) & (fold != f), fold == f
        scaler, clf = fit(x[tr], y[tr])
        pred[te] = logits_of(scaler, clf, x[te]).argmax(1)
        maj[te] = np.bincount(y[tr], minlength=len(STANCES)).argmax()
        per_fold[str(f)] = {**figures(y[te], pred[te], rule_pred[te], maj[te]), "seconds": round(time.time() - t0)}
        print(f"network, fold {f}: alone {per_fold[str(f)]['accuracy']:.3f}", file=sys.stderr, flush=True)
    m = fold >= 0
    return {"folds": per_fold, "pooled": report([r for r, u in zip(rows, m) if u], y[m], pred[m], rule_pred[m], maj[m])}


def main(argv: list[str] | None = None) -> int:
    from train_cross import BATCH, EPOCHS, HEAD_LR, LR, TOP  # torch only where a fold is trained

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only-fold", type=int, action="append", default=[], help="run this fold only (repeatable)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (train_cross.py's shipped model: 1)")
    ap.add_argument("--out", default=str(OUT), help="the json (the .md goes beside it)")
    ap.add_argument("--limit", type=int, default=0, help="smoke test: the first N pairs only, as train_cross --limit")
    ap.add_argument("--epochs", type=int, default=EPOCHS, help="smoke test only: the recipe is train_cross's EPOCHS")
    ap.add_argument("--base", default=str(ROOT / "training" / "mlp"), help="as train_cross.py --base")
    ap.add_argument("--cache-dir", default=str(ROOT / "training" / ".cache"), help="as train_cross.py --cache-dir")
    ap.add_argument("--network", action="store_true",
                    help="only train_stance.py's network over frozen vectors on the same folds (no torch; added to the json)")
    args = ap.parse_args(argv)
    paths = sorted((ROOT / "training" / "corpus").glob("*.jsonl")) + sorted((ROOT / "training" / "public").glob("*.jsonl"))
    rows = load_rows(paths)
    if args.limit:
        rows = rows[:: max(1, len(rows) // args.limit)][: args.limit]
    y = np.array([STANCES.index(r["stance"]) for r in rows])
    fold = assign_folds(rows, args.folds)
    corpus_hash = hashlib.sha256("".join(sorted(r["id"] + r["stance"] + r["text"] for r in rows)).encode()).hexdigest()
    config = {"folds": args.folds, "topics": len({topic_key(r) for r, f in zip(rows, fold) if f >= 0}),
              "pairs": len(rows), "usable": int((fold >= 0).sum()), "calibration_excluded": int((fold < 0).sum()),
              "limit": args.limit, "epochs": args.epochs, "recipe_epochs": EPOCHS, "top": TOP, "batch": BATCH, "lr": LR,
              "head_lr": HEAD_LR, "init": "scratch", "seed": SEED, "threads": args.threads, "base": Path(args.base).name,
              "corpus_sha256": corpus_hash, "fold_sizes": [int((fold == f).sum()) for f in range(args.folds)]}
    out = Path(args.out)
    res = {"config": config, "folds": {}}
    if out.is_file():
        old = json.loads(out.read_text(encoding="utf-8"))
        if old.get("config") == config:
            res = old  # finished folds of the same setup are kept (and not rerun)
    if args.network:
        res["network"] = network_folds(rows, y, fold, args.folds, args.cache_dir)
        out.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        write_md(out.with_suffix(".md"), res)
        return 0
    import torch
    from train_cross import fine_tune, head_features, lower_layer_states, predict

    from innspill import engine

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    todo = args.only_fold or [f for f in range(args.folds) if str(f) not in res["folds"]]
    print(f"{len(rows)} pairs, {config['usable']} in {args.folds} folds of {config['fold_sizes']} pairs "
          f"({config['topics']} topics; {config['calibration_excluded']} calibration pairs left out); folds to run: {todo}",
          file=sys.stderr, flush=True)
    t_all = time.time()
    w = engine.load()
    nl = w.NL - TOP
    # every pair, calibration ones included, so the cache key (and file) is train_cross.py's own
    seqs = [engine.pair_ids(w.tok, r["question"], r["text"]) for r in rows]
    states = lower_layer_states(w, nl, seqs, args.cache_dir, torch)
    _, verdicts, base, _, _, xs = head_features(rows, w, args.base, args.cache_dir, torch)
    rule_pred = np.array([STANCES.index(s) for s, _ in verdicts])
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    print(f"set up in {time.time() - t_all:.0f} s", file=sys.stderr, flush=True)
    for f in todo:
        t0 = time.time()
        train_idx = [i for i in order if fold[i] >= 0 and fold[i] != f]
        test_idx = [int(i) for i in np.where(fold == f)[0]]
        maj = int(np.bincount(y[train_idx], minlength=len(STANCES)).argmax())
        print(f"fold {f}: training on {len(train_idx)} pairs, testing {len(test_idx)}", file=sys.stderr, flush=True)
        _, _, run, history = fine_tune(w, nl, seqs, states, xs, y, train_idx, torch, epochs=args.epochs, base=base)
        pred = predict(run, test_idx, len(rows), torch)[test_idx].argmax(1)
        yt = y[test_idx]
        res["folds"][str(f)] = {
            "topics": len({topic_key(rows[i]) for i in test_idx}), "train": len(train_idx),
            "majority_class": STANCES[maj], "epochs": history, "seconds": round(time.time() - t0),
            "test": report([rows[i] for i in test_idx], yt, pred, rule_pred[test_idx], np.full(len(yt), maj)),
            "predictions": "".join(LETTERS[p] for p in pred)}
        t = res["folds"][str(f)]["test"]
        print(f"fold {f}: {len(test_idx)} pairs, alone {t['accuracy']:.3f} (macro-F1 {t['macro_f1']:.3f}), "
              f"rules {t['rules_accuracy']:.3f}, majority {t['majority_accuracy']:.3f}; "
              f"{time.time() - t0:.0f} s", file=sys.stderr, flush=True)
        res["pooled"] = pooled(rows, y, rule_pred, fold, res["folds"])
        res["command"] = "python training/cv_cross.py " + " ".join(sys.argv[1:] if argv is None else argv)
        res["written"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        write_md(out.with_suffix(".md"), res)
    print(json.dumps(res.get("pooled"), indent=1), file=sys.stderr)
    print(f"{len(todo)} folds in {time.time() - t_all:.0f} s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

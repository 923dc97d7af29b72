#!/usr/bin/env python3
"""Probe: can a cross-encoder trained on the corpus tell which of a topic's questions an answer answers?

    python training/which_question.py --answers 4000 --threads 1     # about 20 minutes on 2 cores

Why: ``thread_battery.py`` (session 15) found that on threads generated from the calibration split most
answers are lost before their side is read: the segmenter gives a comment to another of the topic's
questions. By meaning the segmenter has only the e5 cosine between a text and each question (relative
to the other questions, calibrated per thread). This probe measures, on the calibration split's answers
(never trained on), how often a score puts an answer's own question first among its writer's questions
on the same topic (the thread's other questions, all on one topic: the hard case):

* the e5 cosine (``query:`` question, ``passage:`` answer), as the segmenter uses it;
* a cross-encoder fine-tuned by ``train_cross.py``'s recipe (the top two layers and a head over the
  pair ``<s> query: Q </s></s> passage: A </s>``), trained to tell an answer's own question (class 0)
  from its siblings (class 1) on a sample of the training split's answers, each with all its siblings.

Nothing here is shipped; the figures decide whether a trained which-question reader is worth building.
Deterministic (seeded); needs torch.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "training"))

from train_cross import fine_tune, lower_layer_states, predict  # noqa: E402
from train_stance import SEED, emit, is_calibration, load_rows  # noqa: E402

from innspill import engine  # noqa: E402
from innspill.embed import Embedder  # noqa: E402
from innspill.stancemodel import StanceModel  # noqa: E402


def sibling_pairs(rows: list[dict], groups: dict) -> list[tuple[int, str, str, bool]]:
    """(answer index, question, answer text, is its own question) for every question of the
    answer's writer and topic; answers whose topic has one question are left out."""
    out = []
    for k, r in enumerate(rows):
        cands = sorted(groups[(r["writer"], r["topic"])])
        if len(cands) < 2:
            continue
        out.extend((k, q, r["text"], q == r["question"]) for q in cands)
    return out


def top1(pairs, scores) -> float:
    by: dict = defaultdict(list)
    for (k, _, _, own), s in zip(pairs, scores):
        by[k].append((float(s), own))
    return round(float(np.mean([max(v)[1] for v in by.values()])), 3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--answers", type=int, default=4000, help="training-split answers sampled (each with its siblings)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cache-dir", default=str(ROOT / "training" / ".cache"))
    ap.add_argument("--out", help="write the figures here as JSON")
    args = ap.parse_args(argv)
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    t0 = time.time()
    rows = load_rows(sorted((ROOT / "training" / "corpus").glob("*.jsonl")))
    groups: dict = defaultdict(set)
    for r in rows:
        groups[(r["writer"], r["topic"])].add(r["question"])
    train_rows = [r for r in rows if not is_calibration(r)]
    random.Random(SEED).shuffle(train_rows)
    train_rows = train_rows[:args.answers]
    cal_rows = [r for r in rows if is_calibration(r)]
    ptr, pca = sibling_pairs(train_rows, groups), sibling_pairs(cal_rows, groups)
    result = {"train_answers": len({p[0] for p in ptr}), "train_pairs": len(ptr),
              "calibration_answers": len({p[0] for p in pca}), "calibration_pairs": len(pca)}
    print(json.dumps(result), file=sys.stderr, flush=True)
    emb = Embedder(cache_dir=args.cache_dir)
    qs = sorted({p[1] for p in pca})
    qv = dict(zip(qs, emb.embed(qs, query=True).astype(np.float64)))
    av = emb.embed([r["text"] for r in cal_rows]).astype(np.float64)
    result["cosine_top1"] = top1(pca, [float(av[k] @ qv[q]) for k, q, _, _ in pca])
    chance = defaultdict(int)
    for k, _, _, _ in pca:
        chance[k] += 1
    result["chance_top1"] = round(float(np.mean([1 / n for n in chance.values()])), 3)
    w = engine.load()
    pairs = ptr + pca
    seqs = [engine.pair_ids(w.tok, q, a) for _, q, a, _ in pairs]
    nl = w.NL - 2
    states = lower_layer_states(w, nl, seqs, args.cache_dir, torch)
    y = np.array([0 if own else 1 for *_, own in pairs])
    xs = torch.zeros((len(pairs), 1))
    base = StanceModel.load(str(ROOT / "training" / "mlp"))
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    train_idx = [i for i in order if i < len(ptr)]
    cal_idx = [i for i in order if i >= len(ptr)]
    _, _, run, history = fine_tune(w, nl, seqs, states, xs, y, train_idx, torch, epochs=args.epochs, base=base,
                                   eval_idx=cal_idx)
    lg = predict(run, list(range(len(pairs))), len(pairs), torch)
    own_score = lg[:, 0] - np.logaddexp.reduce(lg[:, 1:], axis=1)
    result["cross_encoder_top1"] = top1(pca, own_score[len(ptr):])
    result["cross_encoder_train_top1"] = top1(ptr, own_score[:len(ptr)])
    result["history"] = history
    result["seconds"] = round(time.time() - t0)
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

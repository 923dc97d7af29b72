#!/usr/bin/env python3
"""Stance end to end on threads generated from the corpus's calibration split: answers read inside comments.

    python training/thread_battery.py                       # the shipped model
    python training/thread_battery.py --model DIR            # a candidate (a folder as train_cross.py writes)
    python training/thread_battery.py --out F.json --limit 20

Why: the calibration split (15 % of the written corpus's questions, never trained on, no cue or rule
written on it) is read by ``choose_rule_weight.py`` one answer at a time, as a one-answer thread. Real
threads are not like that: one comment answers several questions, in paragraphs or run together, with a
thanks or an aside beside them, and the segmenter has to find each answer before the stance can be read.
This battery measures that, end to end, on text no rule and no training step has seen: for every
(writer, topic, language) of the written corpus that has a calibration question, a thread asks that
topic's calibration questions and, to fill it to four, others of the same topic; every calibration
answer is one comment, joined (as separate paragraphs or run together, order drawn) with none, one or
two of the same writer's answers to the thread's other questions, and sometimes a line of
``training/chatter`` (thanks, logistics, asides). The thread then goes through the run-time stages
(segmentation, the rules, the stance model) and the calibration answer's stance is scored for its
question: an answer the segmenter did not find counts as wrong.

Scored are the calibration answers only; the neighbours are training texts (the models have read them
with their own questions), there as what a thread puts beside an answer. Deterministic (seeded). A
development measure, for choosing between models and finding errors; the headline stays the held-out
threads. Limits: the parts were written as standalone answers, so the joins are cleaner than in real
comments (see ``segtune.py``).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "training"))

from segtune import chatter_pools  # noqa: E402
from train_stance import emit, is_calibration, load_rows  # noqa: E402

SEED = 20261207
MAX_QUESTIONS = 4
NEIGHBOURS = (0, 1, 2)
NEIGHBOUR_WEIGHTS = (0.3, 0.45, 0.25)
CHATTER_SHARE = 0.15
INTRO = {"nb": "Vi vil gjerne høre hva du mener før saken behandles.",
         "nn": "Vi vil gjerne høyre kva du meiner før saka vert handsama.",
         "en": "We would like to hear what you think before we decide.",
         "sv": "Vi vill gärna höra vad du tycker innan beslutet fattas.",
         "da": "Vi vil gerne høre, hvad du mener, før sagen behandles.",
         "de": "Wir möchten gern hören, was Sie denken, bevor wir entscheiden."}


def build_threads(rows: list[dict], chatter: dict[str, list[str]], seed: int = SEED, limit: int = 0):
    """One thread per (writer, topic, language) with a calibration question. Returns a list of
    (lang, questions, comments, gold): questions as dicts (qid, text, kind), comments as texts,
    gold as {comment index: (question index, stance, kind)} for the calibration answer it holds."""
    groups: dict = defaultdict(lambda: defaultdict(list))
    meta: dict = {}
    for r in rows:
        if r.get("writer") in ("perspectrum", "corrections"):
            continue
        groups[(r["writer"], r["topic"], r["lang"])][r["qid"]].append(r)
        meta[r["qid"]] = {"qid": r["qid"], "text": r["question"].strip(), "kind": r["kind"]}
    rng = random.Random(seed)
    out = []
    for key in sorted(groups):
        qids = sorted(groups[key])
        cal = [q for q in qids if is_calibration(groups[key][q][0])]
        if not cal:
            continue
        others = [q for q in qids if q not in cal]
        rng.shuffle(others)
        asked = (cal + others)[:max(MAX_QUESTIONS, len(cal))]
        rng.shuffle(asked)
        lang = key[2]
        pools = {q: [] for q in asked if q not in cal}
        comments, gold = [], {}
        answers = [(q, r) for q in cal for r in groups[key][q]]
        rng.shuffle(answers)
        for q, r in answers:
            parts = [r["text"].strip()]
            for o in rng.sample(list(pools), min(len(pools), rng.choices(NEIGHBOURS, NEIGHBOUR_WEIGHTS)[0])):
                if not pools[o]:
                    pools[o] = [x["text"].strip() for x in groups[key][o]]
                    rng.shuffle(pools[o])
                parts.insert(rng.randrange(len(parts) + 1), pools[o].pop())
            talk = chatter.get(lang)
            if talk and rng.random() < CHATTER_SHARE:
                parts.insert(rng.choice((0, len(parts))), rng.choice(talk))
            gold[len(comments)] = (asked.index(q), r["stance"], r["kind"])
            comments.append(("\n\n" if rng.random() < 0.5 else " ").join(parts))
        out.append((lang, [meta[q] for q in asked], comments, gold))
        if limit and len(out) >= limit:
            break
    return out


def thread_of(lang: str, questions: list[dict], comments: list[str]):
    from innspill.contract import Comment, Question
    from innspill.ingest import Thread

    qs = [Question(id=f"q{i + 1}", number=i + 1, text=q["text"], kind=q["kind"]) for i, q in enumerate(questions)]
    post = INTRO.get(lang, INTRO["en"]) + "\n\n" + "\n".join(f"{i + 1}. {q['text']}" for i, q in enumerate(questions))
    cs = [Comment(id=f"c{i + 1}", position=i + 1, original=t) for i, t in enumerate(comments)]
    return Thread(post=post, questions=qs, comments=cs, source={"format": "generated"})


def score(threads, embedder) -> dict:
    """Run each thread through the run-time stages and score the calibration answers."""
    from innspill.pipeline import RunOptions, run_thread

    tally: dict = defaultdict(Counter)
    confusion: dict = defaultdict(Counter)
    for n, (lang, questions, comments, gold) in enumerate(threads):
        analysis = run_thread(thread_of(lang, questions, comments), RunOptions(lang="auto", embedder=embedder))
        found = {(a.comment_id, a.question_id): a for a in analysis.answers}
        for ci, (qi, stance, kind) in gold.items():
            a = found.get((f"c{ci + 1}", f"q{qi + 1}"))
            final = a.stance if a else "missed"
            probs = (a.provenance or {}).get("model_probs") if a else None
            model = max(probs, key=probs.get) if probs else final
            rule = (a.provenance or {}).get("rule_stance", final) if a else "missed"
            for key in ("all", f"kind {kind}", f"lang {lang}", f"kind {kind}, lang {lang}"):
                t = tally[key]
                t["n"] += 1
                t["found"] += a is not None
                t["final"] += final == stance
                t["model"] += model == stance
                t["rules"] += rule == stance
            if kind == "yesno":
                confusion[stance][final] += 1
        print(f"  thread {n + 1}/{len(threads)} ({lang}, {len(comments)} comments)", file=sys.stderr, flush=True)
    table = {k: {"answers": t["n"], "found": round(t["found"] / t["n"], 3), "final": round(t["final"] / t["n"], 3),
                 "model": round(t["model"] / t["n"], 3), "rules": round(t["rules"] / t["n"], 3),
                 "final_on_found": round(t["final"] / t["found"], 3) if t["found"] else None}
             for k, t in sorted(tally.items())}
    return {"table": table, "confusion_yesno": {g: dict(c) for g, c in confusion.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="a stance model folder (as train_cross.py writes); default: the shipped one")
    ap.add_argument("--out", help="write the figures here as JSON")
    ap.add_argument("--limit", type=int, default=0, help="only the first N threads (a quick look)")
    ap.add_argument("--cache-dir", default=str(ROOT / "training" / ".cache"))
    args = ap.parse_args(argv)
    if args.model:
        os.environ["INNSPILL_STANCE_MODEL"] = str(Path(args.model).resolve())
    from innspill.embed import Embedder
    from innspill.stancemodel import default_model

    t0 = time.time()
    rows = load_rows(sorted((ROOT / "training" / "corpus").glob("*.jsonl")))
    threads = build_threads(rows, chatter_pools(ROOT / "training" / "chatter"), limit=args.limit)
    model = default_model()
    result = {"model": {"id": model.card.get("id"), "sha256": model.card.get("sha256"), "folder": args.model or "shipped"},
              "threads": len(threads), "comments": sum(len(t[2]) for t in threads)}
    result.update(score(threads, Embedder(cache_dir=args.cache_dir)))
    result["seconds"] = round(time.time() - t0)
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

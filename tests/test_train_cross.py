"""training/train_cross.py's pairs of an answer read inside a longer comment (no torch needed)."""

from collections import Counter
from pathlib import Path

from scriptload import load_script

ROOT = Path(__file__).resolve().parents[1]


def test_context_pairs_keep_the_answer_whole_and_never_touch_calibration():
    tc = load_script("training/train_cross.py")
    from innspill import engine

    paths = sorted((ROOT / "training" / "corpus").glob("*.jsonl")) + sorted((ROOT / "training" / "public").glob("*.jsonl"))
    rows = tc.load_rows(paths)
    tok = engine.load().tok
    assert tc.thread_context_rows(rows, 0.0, tok) == []  # the shipped recipe adds none
    ctx = tc.thread_context_rows(rows, 0.1, tok)
    assert ctx == tc.thread_context_rows(rows, 0.1, tok)  # deterministic
    by_id = {r["id"]: r for r in rows}
    # a drawn tenth of the written training pairs, less those with no neighbour or too long
    eligible = sum(1 for r in rows if r["writer"] != "perspectrum" and not tc.is_calibration(r))
    assert 0.07 * eligible < len(ctx) <= 0.1 * eligible * 1.1
    for c in ctx:
        own, other = by_id[c["id"].removesuffix("+ctx")], by_id[c["context_of"]]
        # the answer's question and stance; the neighbour: same writer and topic, another question
        assert (c["question"], c["stance"], c["qid"], c["kind"]) == (own["question"], own["stance"], own["qid"], own["kind"])
        assert (other["writer"], other["topic"]) == (own["writer"], own["topic"]) and other["qid"] != own["qid"]
        assert c["text"] in (f"{own['text'].strip()} {other['text'].strip()}", f"{other['text'].strip()} {own['text'].strip()}")
        # calibration pairs are neither answer nor neighbour; nothing public is used
        assert not tc.is_calibration(own) and not tc.is_calibration(other) and own["writer"] != "perspectrum"
        # the pair as the model reads it still holds the whole answer (nothing cut at PAIR_TOKENS)
        ids = engine.pair_ids(tok, c["question"], c["text"])
        passage = tok.content_ids("passage: " + c["text"].strip())
        assert len(ids) <= engine.PAIR_TOKENS and ids[-1 - len(passage):-1] == passage
    sides = Counter(c["text"].startswith(by_id[c["id"].removesuffix("+ctx")]["text"].strip()) for c in ctx)
    assert min(sides.values()) > 0.4 * len(ctx)  # the answer comes first about as often as second


def test_which_question_pairs_hold_each_answers_own_question_once_among_its_topics():
    wq = load_script("training/which_question.py")
    rows = wq.load_rows(sorted((ROOT / "training" / "corpus").glob("*.jsonl")))[:400]
    groups: dict = {}
    for r in rows:
        groups.setdefault((r["writer"], r["topic"]), set()).add(r["question"])
    pairs = wq.sibling_pairs(rows, groups)
    by: dict = {}
    for k, q, text, own in pairs:
        by.setdefault(k, []).append((q, own))
        assert text == rows[k]["text"] and q in groups[(rows[k]["writer"], rows[k]["topic"])]
    assert by and all(sum(own for _, own in v) == 1 and len(v) >= 2 for v in by.values())
    # a score that knows the answer ranks it first everywhere; one that prefers siblings never does
    assert wq.top1(pairs, [float(own) for *_, own in pairs]) == 1.0
    assert wq.top1(pairs, [-float(own) for *_, own in pairs]) == 0.0

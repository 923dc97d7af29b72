"""training/thread_battery.py: the generated threads score each calibration answer once, for its own question."""

from pathlib import Path

from scriptload import load_script

ROOT = Path(__file__).resolve().parents[1]


def test_every_calibration_answer_is_scored_once_inside_a_comment_of_its_topic():
    tb = load_script("training/thread_battery.py")
    rows = tb.load_rows(sorted((ROOT / "training" / "corpus").glob("*.jsonl")))
    chatter = tb.chatter_pools(ROOT / "training" / "chatter")
    threads = tb.build_threads(rows, chatter)
    assert threads == tb.build_threads(rows, chatter)  # deterministic
    cal = [r for r in rows if tb.is_calibration(r)]
    assert sum(len(g) for _, _, _, g in threads) == len(cal)  # each calibration answer once
    by_qid: dict = {}
    for r in rows:
        by_qid.setdefault(r["qid"], []).append(r)
    for lang, questions, comments, gold in threads:
        assert len(questions) >= 1 and set(gold) == set(range(len(comments)))
        for ci, (qi, stance, kind) in gold.items():
            q = questions[qi]
            assert q["kind"] == kind and tb.is_calibration(by_qid[q["qid"]][0])
            # the scored answer is in the comment whole, with its writer's label for that question
            own = [r for r in by_qid[q["qid"]] if r["text"].strip() in comments[ci] and r["stance"] == stance]
            assert own and all(r["lang"] == lang for r in own)
        # the other questions asked are the same writer's, of the same topic
        keys = {(by_qid[q["qid"]][0]["writer"], by_qid[q["qid"]][0]["topic"]) for q in questions}
        assert len(keys) == 1

"""training/cv_cross.py: the topic-grouped folds of the cross-encoder's cross-validation (no torch needed)."""

import sys
from collections import Counter
from pathlib import Path

from scriptload import load_script

ROOT = Path(__file__).resolve().parents[1]


def _cv():
    return load_script("training/cv_cross.py")


def test_folds_keep_topics_whole_leave_calibration_out_and_are_deterministic():
    cv = _cv()
    ts = sys.modules["train_stance"]
    paths = sorted((ROOT / "training" / "corpus").glob("*.jsonl")) + sorted((ROOT / "training" / "public").glob("*.jsonl"))
    rows = ts.load_rows(paths)
    fold = cv.assign_folds(rows, 5)
    assert list(fold) == list(cv.assign_folds(rows, 5))  # deterministic
    assert list(fold) == list(cv.assign_folds(rows[::-1], 5)[::-1])  # independent of the rows' order
    for r, f in zip(rows, fold):
        assert (f < 0) == ts.is_calibration(r)  # calibration rows: in no fold
    where: dict[str, set] = {}
    for r, f in zip(rows, fold):
        if f >= 0:
            where.setdefault(cv.topic_key(r), set()).add(int(f))
    assert all(len(fs) == 1 for fs in where.values())  # every topic whole in one fold
    # the key is train_stance.topic_folds's: as many topics as it makes folds of the usable rows
    usable = [r for r in rows if not ts.is_calibration(r)]
    assert len(where) == len(ts.topic_folds(usable))
    sizes = Counter(int(f) for f in fold if f >= 0)
    assert sorted(sizes) == [0, 1, 2, 3, 4]
    assert max(sizes.values()) - min(sizes.values()) <= max(Counter(cv.topic_key(r) for r in usable).values())

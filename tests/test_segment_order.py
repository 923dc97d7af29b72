"""The segmenter reads a comment's units as a sequence (people mostly answer in the questions'
order: training/order_prior.py). ``decode_order`` must find the best sequence exactly, and with the
order constants at 0 read every unit on its own."""

import itertools

import numpy as np
import pytest

from innspill import segment


def _value(scores, chosen, thr):
    total, last = 0.0, None
    for s, q in zip(scores, chosen):
        if q is None:
            continue
        total += float(s[q]) - thr
        if last is not None:
            total += (segment.ORDER_NEXT if q == last + 1 else -segment.ORDER_REPEAT if q == last
                      else -segment.ORDER_BACK if q < last else 0.0)
        last = q
    return total


def _brute(scores, thr):
    """Every assignment of the units to a question or none, reachable ones only."""
    nq = len(scores[0])
    best = -np.inf
    for chosen in itertools.product([None, *range(nq)], repeat=len(scores)):
        if any(q is not None and s[q] < thr - segment.ORDER_NEXT for s, q in zip(scores, chosen)):
            continue
        best = max(best, _value(scores, chosen, thr))
    return best


@pytest.mark.parametrize("seed", range(4))
def test_the_decoded_sequence_is_the_best_one(monkeypatch, seed):
    rng = np.random.default_rng(seed)
    for _ in range(150):
        for name in ("ORDER_NEXT", "ORDER_REPEAT", "ORDER_BACK"):
            monkeypatch.setattr(segment, name, float(rng.choice([0.0, 0.2, 0.5, 1.0, 2.0])))
        n, nq = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        scores = [rng.normal(0.3, 1.0, nq).astype(np.float32) for _ in range(n)]
        thr = float(rng.choice([0.0, 0.4, 0.8]))
        chosen = segment.decode_order(scores, thr)
        assert len(chosen) == n
        assert all(q is None or scores[i][q] >= thr - segment.ORDER_NEXT for i, q in enumerate(chosen))
        assert _value(scores, chosen, thr) == pytest.approx(_brute(scores, thr), abs=1e-9)


def test_without_order_constants_every_unit_is_read_on_its_own(monkeypatch):
    for name in ("ORDER_NEXT", "ORDER_REPEAT", "ORDER_BACK"):
        monkeypatch.setattr(segment, name, 0.0)
    rng = np.random.default_rng(9)
    for _ in range(200):
        scores = [rng.normal(0, 1, 4).astype(np.float32) for _ in range(int(rng.integers(0, 6)))]
        assert segment.decode_order(scores, 0.4) == [int(np.argmax(s)) if s.max() >= 0.4 else None for s in scores]


def test_the_order_moves_a_middle_paragraph_to_the_question_between(monkeypatch):
    """Three paragraphs: the first plainly answers question 1, the last question 3, the middle one is
    closest to question 3 but near question 2 too: read in order it answers question 2."""
    monkeypatch.setattr(segment, "ORDER_NEXT", 0.4)
    monkeypatch.setattr(segment, "ORDER_REPEAT", 0.6)
    monkeypatch.setattr(segment, "ORDER_BACK", 1.0)
    scores = [np.array([2.0, 0.1, 0.0]), np.array([0.0, 0.7, 0.9]), np.array([0.0, 0.1, 2.0])]
    assert segment.decode_order(scores, 0.4) == [0, 1, 2]
    for name in ("ORDER_NEXT", "ORDER_REPEAT", "ORDER_BACK"):
        monkeypatch.setattr(segment, name, 0.0)
    assert segment.decode_order(scores, 0.4) == [0, 2, 2]

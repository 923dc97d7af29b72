"""The exact Jaccard similarity of many pairs of texts' hashed shingles at once: by one merge
sort of both sides (:func:`jaccard_reaches`), or, for all pairs of a bucket, by a sparse
product of its 0/1 shingle matrix (:func:`shingle_matrix`)."""

from __future__ import annotations

import numpy as np

from .features import FeatureTable


def jaccard_reaches(a: np.ndarray, b: np.ndarray, t: FeatureTable, threshold: float,
                     chunk: int = 1 << 22) -> np.ndarray:
    """Whether the exact Jaccard similarity of the hashed shingles of rows ``a[i]`` and ``b[i]``
    reaches ``threshold``, for many pairs at once: each side's shingles, tagged with the pair's
    number in the high bits, make one ascending array (a text's shingles are stored sorted), so
    the two sides are merged by one stable sort (two runs: linear) and a shingle in both is a
    repeated key. The top 43 bits of a shingle's 64-bit hash identify it (two different shingles
    of a pair agree there with probability about 10^-9 for texts of a hundred words each)."""
    sizes = np.diff(t.offsets)
    la, lb = sizes[a], sizes[b]
    out = np.zeros(a.size, dtype=bool)
    ends = np.cumsum(la + lb)
    s = 0
    while s < a.size:
        e = max(s + 1, int(np.searchsorted(ends, (ends[s - 1] if s else 0) + chunk, side="right")))
        tags = np.arange(e - s, dtype=np.int64) << np.int64(43)
        keys = np.sort(np.concatenate([tagged_shingles(t, a[s:e], la[s:e], tags), tagged_shingles(t, b[s:e], lb[s:e], tags)]),
                       kind="stable")
        inter = np.bincount(keys[1:][keys[1:] == keys[:-1]] >> np.int64(43), minlength=e - s)
        out[s:e] = inter / (la[s:e] + lb[s:e] - inter) >= threshold
        s = e
    return out


def tagged_shingles(t: FeatureTable, rows: np.ndarray, lens: np.ndarray, tags: np.ndarray) -> np.ndarray:
    """The shingles of ``rows`` one after another, each as its tag (high bits) and the top 43 bits
    of its hash, shifted to be non-negative: ascending, as the shingles of a row are."""
    starts = t.offsets[rows]
    flat = t.shingles[np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))]
    return np.repeat(tags, lens) | ((flat >> np.int64(21)) + np.int64(1 << 42))


def shingle_matrix(t: FeatureTable, rows: np.ndarray, part: np.ndarray):
    """The hashed shingles of ``rows`` as a 0/1 sparse matrix, one column per distinct shingle of
    each part (the top 43 bits of its hash, as in :func:`jaccard_reaches`)."""
    from scipy.sparse import csr_matrix

    lens = np.diff(t.offsets)[rows]
    tagged = tagged_shingles(t, rows, lens, part.astype(np.int64) << np.int64(43))
    # numbered in order, as np.unique would; a stable sort merges the rows' ascending runs (and
    # the parts never overlap), about twice as fast as np.unique's sort
    order = np.argsort(tagged, kind="stable")
    ranked = tagged[order]
    cols = np.empty(tagged.size, dtype=np.int64)
    cols[order] = np.cumsum(np.r_[False, ranked[1:] != ranked[:-1]])
    return csr_matrix((np.ones(tagged.size, dtype=np.int32), cols, np.r_[0, np.cumsum(lens)]),
                      shape=(len(rows), int(cols.max()) + 1))



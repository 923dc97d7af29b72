"""Answers grouped by meaning: the clustering of the themes stage (:mod:`.themes`).

Average-linkage agglomeration of unit vectors, with a threshold calibrated on the group's own
similarities, after a deterministic k-means pass into micro-clusters for large groups; groups
under a minimum size dissolved into the nearest kept group when similar enough. No random
numbers: the same vectors give the same clusters in the same order.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

MICRO_ABOVE = 300  # groups larger than this are first cut into micro-clusters by k-means
MICRO_K = 150
MAX_THEMES = 10  # per question and stance
THRESHOLD_SAMPLE = 2000  # answers used to estimate a group's similarity threshold
MEAN_BLOCK = 8192  # rows of a large group gathered at a time for its mean


def nearest_centre(X: np.ndarray, C: np.ndarray, block: int = 8192) -> np.ndarray:
    """``np.argmax(X @ C.T, axis=1)`` a block of rows at a time: the same labels (each row's
    products are the same numbers, tested) without the whole n x k matrix (375,000 answers and
    150 centres: 225 MB)."""
    if len(X) <= block:
        return np.argmax(X @ C.T, axis=1)
    return np.concatenate([np.argmax(X[i:i + block] @ C.T, axis=1) for i in range(0, len(X), block)])


def _kmeans(X: np.ndarray, k: int, iters: int = 12) -> np.ndarray:
    """Spherical k-means with farthest-point initialisation (deterministic); returns labels."""
    mean = X.mean(axis=0)
    first = int(np.argmax(X @ mean))
    centres = [first]
    dist = 1.0 - X @ X[first]
    for _ in range(1, k):
        nxt = int(np.argmax(dist))
        centres.append(nxt)
        dist = np.minimum(dist, 1.0 - X @ X[nxt])
    C = X[centres].copy()
    labels = np.zeros(len(X), dtype=int)
    for _ in range(iters):
        labels = nearest_centre(X, C)
        for j in range(k):
            members = np.flatnonzero(labels == j)
            if len(members):
                c = group_sum(X, members)  # X[labels == j].sum(axis=0) without the copy
                C[j] = c / (np.linalg.norm(c) or 1.0)
    return labels


def _agglomerate(means: np.ndarray, weights: np.ndarray, threshold: float, max_clusters: int,
                 min_size: int = 1) -> np.ndarray:
    """Average linkage on cluster means (unnormalised, so mean_a . mean_b is the average pairwise cosine).

    Merges the closest pair while it is above ``threshold`` or there are more than
    ``max_clusters`` clusters of at least ``min_size`` (small ones do not count: they are
    outliers, dissolved later, and must not force two real themes together). Returns a
    cluster index per input row.
    """
    n = len(means)
    M = means @ means.T
    np.fill_diagonal(M, -np.inf)
    w = weights.astype(float).copy()
    owner = np.arange(n)
    alive = np.ones(n, dtype=bool)
    count = n
    while count > 1:
        flat = int(np.argmax(M))
        i, j = divmod(flat, n)
        if M[i, j] < threshold and int((w[alive] >= min_size).sum()) <= max_clusters:
            break
        i, j = min(i, j), max(i, j)
        row = (w[i] * M[i] + w[j] * M[j]) / (w[i] + w[j])
        M[i, :] = row
        M[:, i] = row
        M[i, i] = -np.inf
        M[j, :] = -np.inf
        M[:, j] = -np.inf
        w[i] += w[j]
        alive[j] = False
        owner[owner == j] = i
        count -= 1
    return owner


def similarity_threshold(X: np.ndarray) -> float:
    """Similarity above which two answers say the same thing, from the group's own spread
    (estimated on an evenly spaced sample of at most ``THRESHOLD_SAMPLE`` answers, so memory
    stays flat however large the group: the full matrix of 20,000 answers would need 1.6 GB)."""
    if len(X) < 3:
        return 0.9
    if len(X) > THRESHOLD_SAMPLE:
        X = X[:: -(-len(X) // THRESHOLD_SAMPLE)]
    # mean and standard deviation of the off-diagonal similarities, summed in float64 over blocks
    # of rows: the full matrix and its off-diagonal copy took 40 MB for a sample of 2,000
    n, total, squares = len(X), 0.0, 0.0
    for i in range(0, n, 256):
        block = (X[i:i + 256] @ X.T).astype(np.float64)
        diag = block[np.arange(len(block)), np.arange(i, i + len(block))]
        total += block.sum() - diag.sum()
        squares += np.einsum("ij,ij->", block, block) - (diag * diag).sum()
    m = n * (n - 1)
    mean = total / m
    return float(mean + 1.0 * math.sqrt(max(0.0, squares / m - mean * mean)))


def cluster_group(X: np.ndarray, threshold: float | None = None, min_size: int = 1) -> list[list[int]]:
    """Clusters (lists of row indices, sorted) of the unit vectors ``X``, largest first."""
    n = len(X)
    if n == 0:
        return []
    if n == 1:
        return [[0]]
    t = similarity_threshold(X) if threshold is None else threshold
    max_k = max(1, min(MAX_THEMES, round(math.sqrt(n / 2))))
    if n > MICRO_ABOVE:
        micro = _kmeans(X, min(MICRO_K, n // 2))
        ids = sorted(set(micro.tolist()))
        means = np.stack([group_mean(X, np.flatnonzero(micro == m)) for m in ids])
        weights = np.array([(micro == m).sum() for m in ids])
        owner = _agglomerate(means, weights, t, max_k, min_size)
        labels = owner[np.searchsorted(ids, micro)]
    else:
        labels = _agglomerate(X, np.ones(n), t, max_k, min_size)
    groups: dict[int, list[int]] = defaultdict(list)
    for idx, lab in enumerate(labels.tolist()):
        groups[lab].append(idx)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def group_sum(X: np.ndarray, members, block: int | None = None) -> np.ndarray:
    """``X[members].sum(axis=0)``, the same numbers, without copying all of ``X[members]`` (a group of
    400,000 answers: 600 MB): numpy sums the rows of a C-ordered float32 array over axis 0 one after the
    other (each column's running sum, in row order), so carrying the running sum as the first row of the
    next block of rows adds the same numbers in the same order (tested for exact equality)."""
    m, block = len(members), block or MEAN_BLOCK
    if m <= block or X.ndim != 2 or X.dtype != np.float32 or not X.flags.c_contiguous:
        return X[members].sum(axis=0)
    members = np.asarray(members, dtype=np.intp)
    total = X[members[:block]].sum(axis=0)
    buf = np.empty((block + 1, X.shape[1]), dtype=X.dtype)
    for i in range(block, m, block):
        part = members[i:i + block]
        buf[0] = total
        np.take(X, part, axis=0, out=buf[1:1 + len(part)])
        total = buf[:1 + len(part)].sum(axis=0)
    return total


def group_mean(X: np.ndarray, members, block: int | None = None) -> np.ndarray:
    """``X[members].mean(axis=0)``, the same numbers (:func:`group_sum`, then divided as ``np.mean``
    divides a float32 sum: by the count as an ``intp``, into the sum)."""
    if len(members) <= (block or MEAN_BLOCK) or X.ndim != 2 or X.dtype != np.float32 or not X.flags.c_contiguous:
        return X[members].mean(axis=0)
    total = group_sum(X, members, block)
    return np.true_divide(total, np.intp(len(members)), out=total, casting="unsafe")


def unit_vector(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1 (a zero vector stays zero)."""
    return v / (np.linalg.norm(v) or 1.0)


def settle_outliers(groups, X, min_size: int, threshold: float):
    """Dissolve groups under ``min_size``; move their answers to the nearest kept theme when similar enough.

    Returns (themes, other) where other holds (index, best similarity, position of the nearest theme).
    """
    kept = [g for g in groups if len(g) >= min_size] or groups[:1]  # a side keeps at least its largest group
    loose = [i for g in groups if g not in kept for i in g]
    centres = np.stack([unit_vector(group_mean(X, g)) for g in kept])  # no copy of a large group's rows
    other = []
    for i in loose:
        sims = centres @ X[i]
        best = int(np.argmax(sims))
        if sims[best] >= threshold:
            kept[best].append(i)
        else:
            other.append((i, float(sims[best]), best))
    return kept, other


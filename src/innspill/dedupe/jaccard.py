"""The exact Jaccard similarity of many pairs of texts' hashed shingles at once: by one merge
sort of both sides (:func:`jaccard_reaches`), or, for all pairs of a bucket, by a sparse
product of its 0/1 shingle matrix (:func:`shingle_matrix`)."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from .features import FeatureTable

# a column (a shingle of a part, or the rows lacking a common one) in at least this share of its
# part's rows is counted by a matrix product (about the part's size squared multiply-adds, at well
# under a nanosecond each in BLAS), a rarer one pair by pair (its rows' pairs, some ns each)
DENSE_SHARE = 0.05
PAIR_CHUNK = 1 << 23  # pairs listed at once by _pair_counts (a few arrays of 8 bytes each)


def jaccard_reaches(a: np.ndarray, b: np.ndarray, t: FeatureTable, threshold: float,
                     chunk: int = 1 << 20) -> np.ndarray:
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
    at = np.arange(int(lens.sum()))
    at += np.repeat(t.offsets[rows] - np.cumsum(lens) + lens, lens)
    flat = t.shingle_ids(at)
    del at
    flat >>= np.int64(21)  # in place: these arrays are a batch's every shingle
    flat += np.int64(1 << 42)
    flat |= np.repeat(tags, lens)
    return flat


def _numbered(t: FeatureTable, rows: np.ndarray, lens: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Each shingle of ``rows`` (one after another) as the number of its column: one column per
    distinct shingle of each part (the top 43 bits of its hash, as in :func:`jaccard_reaches`),
    numbered in order, so a part's columns follow the previous part's."""
    tagged = tagged_shingles(t, rows, lens, part.astype(np.int64) << np.int64(43))
    # numbered in order, as np.unique would; a stable sort merges the rows' ascending runs (and
    # the parts never overlap), about twice as fast as np.unique's sort
    order = np.argsort(tagged, kind="stable")
    ranked = tagged[order]
    cols = np.empty(tagged.size, dtype=np.int64)
    cols[order] = np.cumsum(np.r_[False, ranked[1:] != ranked[:-1]])
    return cols


def shingle_matrix(t: FeatureTable, rows: np.ndarray, part: np.ndarray):
    """The hashed shingles of ``rows`` as a 0/1 sparse matrix, one column per distinct shingle of
    each part (:func:`_numbered`)."""
    from scipy.sparse import csr_matrix

    lens = np.diff(t.offsets)[rows]
    cols = _numbered(t, rows, lens, part)
    return csr_matrix((np.ones(cols.size, dtype=np.int32), cols, np.r_[0, np.cumsum(lens)]),
                      shape=(len(rows), int(cols.max()) + 1))


def pairs_reaching(t: FeatureTable, rows: np.ndarray, part: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(i, j)``, ``i < j``, of ``rows`` in the same part (``part``: ascending, one
    number per row) whose shingles' Jaccard similarity reaches ``threshold``, as indices into
    ``rows``: what counting the shingles every pair of a part shares in the sparse product of
    :func:`shingle_matrix` gives, with fewer steps. Texts in one LSH bucket share phrases: most of
    the product's work (86 % at 1,000,000 answers) is in columns that more than half of a part's
    rows have. For such a column the rows that lack it are counted instead: a pair shares
    ``S + h - g_i - g_j`` shingles, where ``S`` counts the rarer columns both have and the common
    columns both lack (a seventh of the work), ``h`` is the part's number of common columns and
    ``g_i`` the number row ``i`` lacks. ``S`` is counted for the pairs ``i < j`` only, each pair of
    a column's rows adding one to its cell of its part's square (:func:`_pair_counts`), and each
    part's pairs are tested in that square. The test is the product's:
    ``shared / (size_i + size_j - shared) >= threshold``."""
    n = len(rows)
    lens = np.diff(t.offsets)[rows]
    tagged = tagged_shingles(t, rows, lens, part.astype(np.int64) << np.int64(43))
    order = np.argsort(tagged, kind="stable")  # by part and column; a column's rows ascending
    ranked = tagged[order]
    owner = np.repeat(np.arange(n), lens)[order]
    new = np.r_[True, ranked[1:] != ranked[:-1]]
    del tagged, ranked, order
    if (~new[1:] & (owner[1:] == owner[:-1])).any():  # pragma: no cover - two shingles of a text
        return _pairs_by_product(t, rows, part, threshold)  # alike in 43 bits (about 1 in 5,000 at 1,000,000 texts)
    gstart = np.flatnonzero(new)
    k = np.diff(np.r_[gstart, owner.size])  # rows per column
    size = np.bincount(part)  # rows per part; the rows of a part are consecutive
    first = np.cumsum(size) - size
    gpart = part[owner[gstart]]
    common = 2 * k > size[gpart]
    # the rows that lack each common column: all rows of its part (in order), less those that have it
    hc = np.flatnonzero(common)
    kc = size[gpart[hc]]
    start = np.cumsum(kc) - kc  # where a common column's rows begin in that list
    cand_row = np.repeat(first[gpart[hc]] - start, kc) + np.arange(int(kc.sum()))
    has = np.repeat(common, k)
    lack = np.ones(cand_row.size, dtype=bool)
    lack[np.repeat(start, k[hc]) + owner[has] - first[part[owner[has]]]] = False
    g = np.bincount(cand_row[lack], minlength=n).astype(np.int32)
    h = np.bincount(gpart[hc], minlength=len(size)).astype(np.int32)
    # S: the pairs of each rarer column's rows, and of the rows lacking each common column
    rare = ~common & (k >= 2)
    grows = np.concatenate([owner[np.repeat(rare, k)], cand_row[lack]])
    gsizes = np.concatenate([k[rare], kc - k[hc]])
    gparts = np.concatenate([gpart[rare], gpart[hc]])
    dense = gsizes >= DENSE_SHARE * size[gparts]
    cell0 = np.cumsum(size * size) - size * size  # where each part's square begins
    counts = _pair_counts(grows[np.repeat(~dense, gsizes)], gsizes[~dense], part, first, size, cell0)
    drow, dcol, bounds = _dense_columns(grows[np.repeat(dense, gsizes)], gsizes[dense], gparts[dense], first, len(size))
    with threadpool_limits(1, user_api="blas"):  # small products: a second BLAS thread only spins
        return _test_parts(counts, cell0, (drow, dcol, bounds), g, h, lens, first, size, threshold)


def _test_parts(counts: np.ndarray, cell0: np.ndarray, dense: tuple, g: np.ndarray, h: np.ndarray, lens: np.ndarray,
                first: np.ndarray, size: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of each part of :func:`pairs_reaching` that reach ``threshold``: their shared
    shingles ``S + h - g_i - g_j``, ``S`` from ``counts`` (by :func:`_pair_counts`) and from the
    products of the ``dense`` columns (:func:`_dense_columns`), tested in the part's square."""
    drow, dcol, bounds = dense
    upper = np.triu(np.ones((int(size.max()),) * 2, dtype=bool), 1)
    out_i, out_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for p in np.flatnonzero(size >= 2).tolist():
        a, e, m = int(first[p]), int(first[p] + size[p]), int(size[p])
        gp, lp = g[a:e], lens[a:e]
        shared = counts[cell0[p]:cell0[p] + m * m].reshape(m, m) + (h[p] - gp[:, None] - gp[None, :])
        lo, hi = bounds[p], bounds[p + 1]
        if hi > lo:  # the columns that many of the part's rows have, in one matrix product
            shared += _gram(drow[lo:hi], dcol[lo:hi], m)
        # a pair that reaches the threshold shares at least threshold * size_i (less a margin)
        x, y = np.nonzero((shared >= (threshold * lp - 1).astype(np.float32)[:, None]) & upper[:m, :m])
        c = shared[x, y].astype(np.int64)
        ok = (c > 0) & (c / (lp[x] + lp[y] - c) >= threshold)
        out_i.append(x[ok] + a)
        out_j.append(y[ok] + a)
    return np.concatenate(out_i), np.concatenate(out_j)


def _dense_columns(grows: np.ndarray, gsizes: np.ndarray, gparts: np.ndarray, first: np.ndarray,
                   nparts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups of rows (as in :func:`_pair_counts`, ``gparts`` the part of each) as the entries of
    one 0/1 matrix per part, by part: each entry's row in its part, its column (the group's number
    among its part's groups) and where each part's entries begin and end (``nparts + 1`` bounds)."""
    order = np.argsort(gparts, kind="stable")
    gs = gsizes[order]
    gp = gparts[order]
    col = np.arange(gp.size) - np.searchsorted(gp, gp)  # the group's place among its part's
    starts = (np.cumsum(gsizes) - gsizes)[order]
    at = np.repeat(starts - (np.cumsum(gs) - gs), gs) + np.arange(int(gs.sum()))
    rows = grows[at]
    return rows - first[np.repeat(gp, gs)], np.repeat(col, gs), np.searchsorted(np.repeat(gp, gs), np.arange(nparts + 1))


def _gram(row: np.ndarray, col: np.ndarray, m: int) -> np.ndarray:
    """For the 0/1 matrix with ones at ``(row, col)`` (``m`` rows), how many columns each pair
    ``i <= j`` of rows both have (the upper triangle; 0 below), by BLAS (exact: counts far under
    2^24 in float32)."""
    from scipy.linalg.blas import ssyrk

    ones = np.zeros((m, int(col.max()) + 1), dtype=np.float32)
    ones[row, col] = 1.0
    return ssyrk(1.0, ones.T, trans=1).astype(np.int32)  # ones @ ones.T, upper triangle


def _pair_counts(grows: np.ndarray, gsizes: np.ndarray, part: np.ndarray, first: np.ndarray, size: np.ndarray,
                 cell0: np.ndarray) -> np.ndarray:
    """For groups of rows of one part each (``grows``: the groups one after another, rows
    ascending in each; ``gsizes``: their sizes), how many groups hold both rows of each pair
    ``i < j``, in the cell ``cell0[p] + (i - first[p]) * size[p] + (j - first[p])`` of part
    ``p``'s square (the other cells stay 0); groups of one row may be left out. The pairs are
    listed a chunk at a time and counted with ``np.bincount``."""
    ncells = int(cell0[-1] + size[-1] * size[-1])
    counts = np.zeros(ncells, dtype=np.int32)
    if grows.size < 2:
        return counts
    p = part[grows]
    loc = grows - first[p]
    base = cell0[p] + loc * size[p]
    idx = np.arange(grows.size)
    after = np.repeat(np.cumsum(gsizes), gsizes) - idx - 1  # the rows after each in its group
    ends = np.cumsum(after)
    chunk = PAIR_CHUNK
    s = 0
    while s < grows.size:
        e = max(s + 1, int(np.searchsorted(ends, (ends[s - 1] if s else 0) + chunk, side="right")))
        c = after[s:e]
        total = int(c.sum())
        if total:
            partner = np.arange(total) + np.repeat(idx[s:e] + 1 - (np.cumsum(c) - c), c)
            counts += np.bincount(np.repeat(base[s:e], c) + loc[partner], minlength=ncells).astype(np.int32)
        s = e
    return counts


def _pairs_by_product(t: FeatureTable, rows: np.ndarray, part: np.ndarray,
                      threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pairs_reaching` by the plain sparse product of :func:`shingle_matrix` (every pair's
    shared shingles counted), in the same order."""
    inter = (lambda m: m @ m.T)(shingle_matrix(t, rows, part)).tocoo()
    i, j, k = inter.row, inter.col, inter.data
    keep = i < j
    i, j, k = i[keep].astype(np.int64), j[keep].astype(np.int64), k[keep]
    sizes = np.diff(t.offsets)[rows]
    keep = k / (sizes[i] + sizes[j] - k) >= threshold
    order = np.lexsort((j[keep], i[keep]))
    return i[keep][order], j[keep][order]

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
    columns both lack (one sparse product, a seventh of the work), ``h`` is the part's number of
    common columns and ``g_i`` the number row ``i`` lacks; then each part's pairs are tested in one
    dense array. The test is the product's: ``shared / (size_i + size_j - shared) >= threshold``."""
    from scipy.sparse import csc_matrix, csr_matrix

    n = len(rows)
    lens = np.diff(t.offsets)[rows]
    cols = _numbered(t, rows, lens, part)
    owner = np.repeat(np.arange(n), lens)
    if ((cols[1:] == cols[:-1]) & (owner[1:] == owner[:-1])).any():  # pragma: no cover - two shingles of a text
        return _pairs_by_product(t, rows, part, threshold)  # alike in 43 bits (about 1 in 5,000 at 1,000,000 texts)
    ncols = int(cols.max()) + 1
    size = np.bincount(part)  # rows per part; the rows of a part are consecutive
    first = np.cumsum(size) - size
    colpart = np.zeros(ncols, dtype=np.int64)
    colpart[cols] = part[owner]
    common = 2 * np.bincount(cols, minlength=ncols) > size[colpart]
    # the rows that lack each common column: all rows of its part (in order), less those that have it
    hc = np.flatnonzero(common)
    k = size[colpart[hc]]
    start = np.zeros(ncols, dtype=np.int64)
    start[hc] = np.cumsum(k) - k  # where a common column's rows begin in that list
    cand_row = np.repeat(first[colpart[hc]] - start[hc], k) + np.arange(int(k.sum()))
    has = common[cols]
    lack = np.ones(cand_row.size, dtype=bool)
    lack[start[cols[has]] + owner[has] - first[part[owner[has]]]] = False
    cand_row = cand_row[lack]
    g = np.bincount(cand_row, minlength=n).astype(np.int32)
    h = np.bincount(colpart[hc], minlength=len(size)).astype(np.int32)
    # S in two products over disjoint columns: the rarer columns' rows as they come (by row, columns
    # ascending), the rows lacking the common ones by column (a column-major matrix as it comes)
    rare = csr_matrix((np.ones(int((~has).sum()), dtype=np.int32), cols[~has],
                       np.r_[0, np.cumsum(np.bincount(owner[~has], minlength=n))]), shape=(n, ncols))
    lacking = csc_matrix((np.ones(cand_row.size, dtype=np.int32), cand_row,
                          np.r_[0, np.cumsum(np.bincount(np.repeat(hc, k)[lack], minlength=ncols))]), shape=(n, ncols))
    products = []
    for m in (rare, lacking):
        prod = (m @ m.T).tocoo()  # by row
        up = prod.row < prod.col
        si = prod.row[up]
        products.append((si, prod.col[up], prod.data[up], np.searchsorted(si, np.r_[first, n])))
    upper = np.triu(np.ones((int(size.max()),) * 2, dtype=bool), 1)
    out_i, out_j = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for p in np.flatnonzero(size >= 2).tolist():
        a, e = int(first[p]), int(first[p] + size[p])
        gp, lp = g[a:e], lens[a:e]
        shared = h[p] - gp[:, None] - gp[None, :]
        for si, sj, sv, bounds in products:  # each product's pairs once: one scatter each
            lo, hi = bounds[p], bounds[p + 1]
            shared[si[lo:hi] - a, sj[lo:hi] - a] += sv[lo:hi]
        # a pair that reaches the threshold shares at least threshold * size_i (less a margin)
        x, y = np.nonzero((shared >= (threshold * lp - 1).astype(np.float32)[:, None]) & upper[:e - a, :e - a])
        c = shared[x, y].astype(np.int64)
        ok = (c > 0) & (c / (lp[x] + lp[y] - c) >= threshold)
        out_i.append(x[ok] + a)
        out_j.append(y[ok] + a)
    return np.concatenate(out_i), np.concatenate(out_j)


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

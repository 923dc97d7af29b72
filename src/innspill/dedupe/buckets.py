"""The near-duplicate search over LSH buckets: which candidate pairs sharing a bucket are checked
and joined (:func:`link_near` for a whole thread, :func:`bucket_links` for one destination of a
distributed runner), and how a bucket too large to check pair by pair is split."""

from __future__ import annotations

import numpy as np

from ..memory import release_memory
from .features import EST_MATCHES, NEAR_THRESHOLD, FeatureLookup, FeatureTable, text_features, worth_checking
from .jaccard import jaccard_reaches, pairs_reaching

SMALL_BUCKET = 24  # buckets of at most this many texts have their pairs listed, every band's at once
CHECK_ALL_PER_GROUP = 4  # with at most this many candidate pairs per group left, all are checked at once
PRODUCT_PAIRS = 1 << 22  # larger buckets are checked in sparse products of about this many pairs
# ... and of at most this many shingles: a product sorts them and keeps several arrays of 8 bytes
# each per shingle (1,000,000 answers: up to 9 million shingles, 340 MB, in a product of small buckets)
PRODUCT_SHINGLES = 1 << 21
# A bucket of more than LARGE_BUCKET texts is split before its pairs are checked (see
# :func:`_split_bucket`): on one topic a common phrase can be the smallest MinHash value of a band
# for a fixed share of all texts, so such a bucket grows with the thread and checking all its pairs
# grows with the square of it (1,000,000 answers: 1,051 s). Generated threads of up to 100,000
# answers have no bucket this large (their largest: 1,947), so their results are those of checking
# every pair. Below it, the work is the sum of the squares of the buckets' sizes (sparse products,
# :func:`_link_parts`): at 1,000,000 answers about half of the search's time.
LARGE_BUCKET = 2_000
SPLIT_TO = 250  # a large bucket is split until its parts have at most this many texts
SPLIT_CHAINS = 6  # ... in this many independent ways (each with its own MinHash positions)


def large_buckets(entries: list[tuple]) -> dict[int, np.ndarray]:
    """The buckets of ``entries`` (pieces of :func:`band_entries`) with more than
    :data:`LARGE_BUCKET` texts, as band -> sorted band hashes. Every entry of a bucket goes to the
    same destination, so the union over the destinations is the thread's large buckets."""
    entries = [e for e in entries if len(e[2])]
    if not entries:
        return {}
    band = np.concatenate([e[0] for e in entries]).astype(np.int64)
    hsh = np.concatenate([e[1] for e in entries])
    out: dict[int, np.ndarray] = {}
    for b in np.unique(band).tolist():
        keys, counts = np.unique(hsh[band == b], return_counts=True)
        if (counts > LARGE_BUCKET).any():
            out[b] = keys[counts > LARGE_BUCKET]
    return out


def _large_flags(table: np.ndarray, large: dict[int, np.ndarray]) -> np.ndarray | None:
    """Whether each text's bucket in each band (``table``: texts x bands of band hashes) is large;
    None when none is."""
    if not large:
        return None
    flags = np.zeros(table.shape, dtype=bool)
    for b, keys in large.items():
        flags[:, b] = np.isin(table[:, b], keys)
    return flags


def _unmet(t: FeatureTable, flags: np.ndarray | None, a: np.ndarray, b: np.ndarray,
           band: int | np.ndarray) -> np.ndarray:
    """Which pairs ``(a, b)`` of a bucket of ``band`` (one, or one per pair) did not share a bucket
    of an earlier band that is not large (``flags``: :func:`_large_flags`): a pair is checked in
    the first band where it meets outside a large bucket (a large bucket's parts may meet it
    again), so that runners that check bands apart do not check, or send, it twice."""
    last = int(np.max(band)) if a.size else 0
    if not last:
        return np.ones(a.size, dtype=bool)
    met = t.band_hashes[a, :last] == t.band_hashes[b, :last]
    if flags is not None:
        met &= ~flags[a, :last]
    if not np.isscalar(band):
        met &= np.arange(last) < np.asarray(band)[:, None]
    return ~met.any(axis=1)


def bucket_links(entries: list[tuple], norms: dict[int, str], bands: tuple[int, int],
                 threshold: float = NEAR_THRESHOLD, features: dict | None = None,
                 large: dict[int, np.ndarray] | None = None) -> list[tuple[int, int]]:
    """The near-duplicate links of the buckets in ``entries`` (pieces of :func:`band_entries`
    for one destination), checked as the local search checks its buckets (:func:`_near_links`),
    and only the links that joined two groups come back (fewer than the texts), so nothing
    quadratic is listed or sent. Joining those links gives the local search's groups: both link
    the connected components of the same candidate pairs (pairs sharing a bucket of at most
    :data:`LARGE_BUCKET` texts or a part of a larger one, split the same way, that pass the same
    two tests), and which pairs are skipped because they are already joined does not change them.
    ``features`` (position -> :func:`text_features`) may be a cache kept between calls, or a
    :class:`FeatureLookup` of every text's features (then ``norms`` is not read). ``large`` is the
    thread's large buckets (:func:`large_buckets` over every destination's entries; a pair that
    met in another destination's bucket is checked there unless that bucket is large); None: those
    of ``entries`` alone (right when they are the only destination)."""
    entries = [e for e in entries if len(e[2])]
    if not entries:
        return []
    if large is None:
        large = large_buckets(entries)
    band = np.concatenate([e[0] for e in entries]).astype(np.int64)
    hsh = np.concatenate([e[1] for e in entries])
    pos = np.concatenate([e[2] for e in entries])
    order = np.lexsort((pos, hsh, band))
    band, hsh, pos = band[order], hsh[order], pos[order]
    new = np.r_[True, (band[1:] != band[:-1]) | (hsh[1:] != hsh[:-1])]
    size = np.diff(np.r_[np.flatnonzero(new), len(pos)])
    shared = np.repeat(size >= 2, size)  # only texts in a bucket with others need features
    band, hsh, pos = band[shared], hsh[shared], pos[shared]
    if not len(pos):
        return []
    t = _table_of(np.unique(pos), norms, bands, features)
    rows = np.searchsorted(t.positions, pos)
    columns = [(b, hsh[band == b], rows[band == b]) for b in np.unique(band).tolist()]
    uf = _RowUnion(np.arange(len(t), dtype=np.int64))
    links = _near_links(t, columns, uf, threshold, bands, _large_flags(t.band_hashes, large))
    return [(int(t.positions[a]), int(t.positions[b])) for a, b in links]


def _table_of(positions: np.ndarray, norms: dict[int, str], bands: tuple[int, int], features) -> FeatureTable:
    """A :class:`FeatureTable` of ``positions`` (ascending) from a :class:`FeatureLookup`, a cache
    (position -> :func:`text_features`, filled from ``norms`` where missing) or ``norms`` alone."""
    feats = {} if features is None else features
    if isinstance(feats, FeatureLookup):
        feats = feats.views(positions)
    plist = positions.tolist()
    for p in plist:
        if p not in feats:
            feats[p] = text_features(norms[p], bands)
    got = [feats[p] for p in plist]
    shingles = [g[2] for g in got]
    return FeatureTable(positions, np.stack([g[0] for g in got]), np.stack([g[1] for g in got]),
                        np.concatenate(shingles), np.r_[0, np.cumsum([s.size for s in shingles])].astype(np.int64))


def _split_bucket(rows: np.ndarray, band: int, sigs: np.ndarray, bands: tuple[int, int]):
    """The parts of a large bucket whose pairs are checked: the bucket is split by one more
    MinHash value of its texts, then a part still over :data:`SPLIT_TO` by another, and so on,
    :data:`SPLIT_CHAINS` times with different values (the positions outside the bucket's band,
    dealt out to the chains). A pair is checked when its signatures agree on every value one of
    the chains used to reach a small enough part: a near-identical pair agrees on each value with
    probability about its Jaccard similarity, so it is missed only where it disagrees somewhere
    in every chain (it may still meet in another band's bucket); unrelated texts rarely agree, so
    the work is about SPLIT_CHAINS x SPLIT_TO comparisons per text, not the bucket's size. Only
    buckets over :data:`LARGE_BUCKET` texts are split. Rows come in ascending order in each part."""
    b, r = bands
    others = [p for p in range(sigs.shape[1]) if not band * r <= p < (band + 1) * r]
    for c in range(SPLIT_CHAINS):
        chain = others[c::SPLIT_CHAINS]
        stack = [(rows, 0)]
        while stack:
            part, depth = stack.pop()
            if len(part) <= SPLIT_TO or depth == len(chain):
                yield part
                continue
            col = sigs[part, chain[depth]]
            order = np.argsort(col, kind="stable")
            keys = col[order]
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            ends = np.r_[starts[1:], len(keys)]
            for s, e in zip(starts.tolist()[::-1], ends.tolist()[::-1]):
                if e - s > 1:
                    stack.append((part[np.sort(order[s:e])], depth + 1))




def bucket_numbers(band_hashes: np.ndarray) -> np.ndarray:
    """Each band's buckets numbered in the order of their hashes (``band_hashes``: texts x bands):
    the same buckets in the same order, in 4 bytes a text and band instead of 8, for
    :func:`link_near`, which only compares them (at 1,000,000 answers, 67 MB less)."""
    out = np.empty(band_hashes.shape, dtype=np.int32)
    for b in range(band_hashes.shape[1]):
        column = band_hashes[:, b]
        order = np.argsort(column)
        ranked = column[order]
        out[order, b] = np.cumsum(np.r_[False, ranked[1:] != ranked[:-1]])
    return out


def link_near(t: FeatureTable, roots: np.ndarray, threshold: float, bands: tuple[int, int]) -> list[tuple[int, int]]:
    """The near-duplicate links (pairs of positions) that join groups among the texts of ``t``,
    whose groups so far (exact and truncated copies) are ``roots`` (one per row): every band's
    buckets of the whole thread, those over :data:`LARGE_BUCKET` texts split. Pairs inside one
    group are never checked. ``t.band_hashes`` may hold the buckets' numbers instead
    (:func:`bucket_numbers`): the same links."""
    _, first_row, inverse = np.unique(roots, return_index=True, return_inverse=True)
    # rows ascend with positions; in 32 bits, as the candidate pairs listed of them (8 bytes a pair)
    uf = _RowUnion(first_row[inverse.ravel()].astype(np.int32))
    rows = np.arange(len(t), dtype=np.int32)
    columns = [(b, t.band_hashes[:, b], rows) for b in range(t.band_hashes.shape[1])]
    large = {}
    for b, column in enumerate(t.band_hashes.T):
        keys, counts = np.unique(column, return_counts=True)
        if (counts > LARGE_BUCKET).any():
            large[b] = keys[counts > LARGE_BUCKET]
    links = _near_links(t, columns, uf, threshold, bands, _large_flags(t.band_hashes, large))
    return [(int(t.positions[a]), int(t.positions[b])) for a, b in links]


class _RowUnion:
    """Union-find over a feature table's rows in one numpy array (the root is the smallest row),
    so that the roots of many candidate pairs are found in a few vectorised steps."""

    def __init__(self, parent: np.ndarray):
        self.parent = parent

    def find(self, rows: np.ndarray) -> np.ndarray:
        p = self.parent
        r = p[rows]
        while True:
            up = p[r]
            if (up == r).all():
                break
            r = up
        p[rows] = r  # path compression
        return r

    def _root(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = int(p[x])
        return x

    def union(self, a: np.ndarray, b: np.ndarray) -> list[tuple[int, int]]:
        """Join the pairs ``(a[i], b[i])`` one by one; returns those that joined two groups."""
        joined = []
        for x, y in zip(a.tolist(), b.tolist()):
            rx, ry = self._root(x), self._root(y)
            if rx != ry:
                self.parent[max(rx, ry)] = min(rx, ry)
                joined.append((x, y))
        return joined


def _near_links(t: FeatureTable, columns, uf: _RowUnion, threshold: float, bands: tuple[int, int],
                flags: np.ndarray | None) -> list[tuple[int, int]]:
    """The links (row pairs) that join groups, from the buckets of ``columns`` (band, band hashes,
    rows of ``t``). Buckets of at most :data:`SMALL_BUCKET` texts, most of them, have their pairs
    listed and checked a band at a time; larger ones are checked one by one, smallest first (what the
    small ones joined is skipped there), through their agreement matrix; those over
    :data:`LARGE_BUCKET` texts part by part (:func:`_split_bucket`). Every candidate pair that
    passes :func:`worth_checking` is joined when its Jaccard reaches ``threshold`` unless its
    texts are joined already, so the groups are the same in any order (:func:`_resolve`); a
    pair is checked in the first band it meets in outside a large bucket (:func:`_unmet`)."""
    joined, big = [], []
    for band, hsh, rows in columns:
        order = np.lexsort((rows, hsh))
        h, r = hsh[order], rows[order]
        del order
        starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
        sizes = np.diff(np.r_[starts, len(h)])
        small = (sizes >= 2) & (sizes <= SMALL_BUCKET)
        a, b = _pairs_within(r, starts[small], sizes[small])
        a, b, m = _worth(t.sigs, a, b)
        keep = _unmet(t, flags, a, b, band)
        joined += _resolve(a[keep], b[keep], m[keep], t, uf, threshold)  # a band at a time: fewer pairs held
        big += _large_parts(band, r, sizes)
    release_memory()  # the bands' temporaries
    big.sort(key=lambda x: (x[0], x[1]))
    pairs, parts = [], []
    for size, band, rows in big:
        if size <= LARGE_BUCKET:
            parts.append((band, rows))
            continue
        small = []
        for part in _split_bucket(rows, band, t.sigs, bands):
            if len(part) > SMALL_BUCKET:
                parts.append((band, part))
            else:
                small.append(part)
        if small:  # a large bucket's small parts: their pairs listed together, checked with all others'
            sizes = np.array([len(p) for p in small])
            a, b, m = _worth(t.sigs, *_pairs_within(np.concatenate(small), np.cumsum(sizes) - sizes, sizes))
            keep = _unmet(t, flags, a, b, band)
            pairs.append((a[keep], b[keep], m[keep]))
    lens, batch, load, held = np.diff(t.offsets), [], 0, 0
    for band, rows in parts:  # many buckets in one sparse product: a product per bucket costs ~1 ms
        k = int(lens[rows].sum())
        if batch and (load + len(rows) ** 2 > PRODUCT_PAIRS or held + k > PRODUCT_SHINGLES):
            joined += _link_parts(batch, t, uf, threshold, flags)
            batch, load, held = [], 0, 0
        batch.append((band, rows))
        load += len(rows) ** 2
        held += k
    joined += _link_parts(batch, t, uf, threshold, flags)
    if pairs:
        joined += _resolve(*(np.concatenate(x) for x in zip(*pairs)), t, uf, threshold)
    return joined


def _large_parts(band: int, r: np.ndarray, sizes: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """The buckets of more than :data:`SMALL_BUCKET` texts of one band (``r``: its rows by bucket,
    ``sizes``: its buckets' sizes) as (size, band, rows), their rows copied out of ``r`` (views
    would keep every band's rows until the last bucket is checked)."""
    large = sizes > SMALL_BUCKET
    if not large.any():
        return []
    rows = r[np.repeat(large, sizes)]
    k = sizes[large]
    return [(n, band, rows[s:s + n]) for s, n in zip((np.cumsum(k) - k).tolist(), k.tolist())]


def _pairs_within(r: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (earlier, later) of ``r[s:s + k]`` for each bucket start ``s`` and size ``k``,
    as elements of ``r`` (listed in 32 bits where they fit: a band has millions of pairs)."""
    if not len(sizes):
        return r[:0], r[:0]
    total = int(sizes.sum())
    off = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # place in its bucket
    idx = np.repeat(starts, sizes) + off
    cnt = np.repeat(sizes, sizes) - 1 - off  # partners after it
    pairs = int(cnt.sum())
    dt = np.int32 if max(len(r), pairs) < 2**31 else np.int64
    a = np.repeat(idx.astype(dt), cnt)
    b = np.arange(pairs, dtype=dt) - np.repeat((np.cumsum(cnt) - cnt).astype(dt), cnt)  # the partner's place after a
    b += a
    b += 1
    return r[a], r[b]


def _worth(sigs: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 1 << 16):
    """The pairs that pass :func:`worth_checking`, with their signatures' number of agreements
    (int8), compared a chunk at a time (a pair's two signatures are gathered: 512 bytes)."""
    out_a, out_b, out_m = [a[:0]], [b[:0]], [np.zeros(0, np.int8)]
    for s in range(0, len(a), chunk):
        x, y = a[s:s + chunk], b[s:s + chunk]
        m = (sigs[x] == sigs[y]).sum(axis=1)
        keep = m >= EST_MATCHES
        out_a.append(x[keep])
        out_b.append(y[keep])
        out_m.append(m[keep].astype(np.int8))
    return np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_m)


def _link_parts(parts: list[tuple[int, np.ndarray]], t: FeatureTable, uf: _RowUnion, threshold: float,
                flags: np.ndarray | None) -> list[tuple[int, int]]:
    """Check buckets (or parts of large ones) of more than :data:`SMALL_BUCKET` texts, given as
    (band, rows). Texts that share a bucket share phrases, so most of its pairs pass
    :func:`worth_checking` and still fall short of ``threshold`` (99 in 100 on generated
    consultations): all their pairs' shingles in common are counted in one sparse product instead
    (each bucket's shingles are its own columns, so the product has no pairs across buckets; a
    prefix filter found too many candidates to be cheaper, as the texts share stock phrases), and
    only the pairs that reach ``threshold`` are then held to :func:`worth_checking` and
    :func:`_unmet`: the same pairs as testing in the other order. A bucket whose texts are all in
    one group already (a form letter joined in smaller buckets) drops out first. The shared
    shingles are counted by :func:`~innspill.dedupe.jaccard.pairs_reaching`, which gives the
    pairs the plain product would."""
    if not parts:
        return []
    rows = np.concatenate([r for _, r in parts])
    counts = np.array([len(r) for _, r in parts])
    part = np.repeat(np.arange(len(parts)), counts)
    roots = uf.find(rows)
    mixed = np.bincount(part, weights=roots != np.repeat(roots[np.cumsum(counts) - counts], counts),
                        minlength=len(parts)) > 0
    rows, part, roots = rows[mixed[part]], part[mixed[part]], roots[mixed[part]]
    if not rows.size:
        return []
    i, j = pairs_reaching(t, rows, part, threshold)
    keep = roots[i] != roots[j]
    i, j = i[keep], j[keep]
    order = np.lexsort((rows[j], rows[i]))  # joined in one fixed order: the links sent back do not depend on scipy's
    a, b, band = rows[i[order]], rows[j[order]], np.array([p[0] for p in parts])[part[i[order]]]
    keep = worth_checking(t.sigs[a], t.sigs[b]) & _unmet(t, flags, a, b, band)
    return uf.union(a[keep], b[keep])


def _resolve(a: np.ndarray, b: np.ndarray, agree: np.ndarray, t: FeatureTable, uf: _RowUnion,
             threshold: float) -> list[tuple[int, int]]:
    """Join the candidate pairs ``(a, b)`` whose Jaccard reaches ``threshold``, computing it only
    where it can matter: a pair whose texts are joined already is dropped. With few pairs per
    group left, all are checked at once; with many (a form letter's variants all meet each
    other), each group first checks its most similar partners (highest signature agreement),
    Borůvka-style, so that a bucket of k variants costs about k checks, not k^2 / 2. The groups
    reached are those of checking every pair. Returns the links that joined two groups."""
    joined: list[tuple[int, int]] = []
    while a.size:
        ra, rb = uf.find(a), uf.find(b)
        keep = ra != rb
        a, b, agree, ra, rb = a[keep], b[keep], agree[keep], ra[keep], rb[keep]
        del keep
        if not a.size:
            break
        seen = np.zeros(len(t), dtype=bool)
        seen[ra] = seen[rb] = True
        if a.size <= CHECK_ALL_PER_GROUP * int(np.count_nonzero(seen)):
            ok = jaccard_reaches(a, b, t, threshold)
            joined += uf.union(a[ok], b[ok])
            break
        pick = _firsts(np.lexsort((b, a, -agree)), (ra, rb), len(t))  # most similar first; ties by row
        del ra, rb
        ok = jaccard_reaches(a[pick], b[pick], t, threshold)
        joined += uf.union(a[pick][ok], b[pick][ok])
        a, b, agree = a[~pick], b[~pick], agree[~pick]
        if ok.mean() < 0.5:  # mostly pairs that fall short: another round would not prune much
            ra, rb = uf.find(a), uf.find(b)
            a, b = a[ra != rb], b[ra != rb]
            ok = jaccard_reaches(a, b, t, threshold)
            joined += uf.union(a[ok], b[ok])
            break
    return joined


def _firsts(order: np.ndarray, roots: tuple[np.ndarray, ...], rows: int) -> np.ndarray:
    """Which pairs come first in ``order`` among the pairs of their group in ``roots[0]``, or
    among those of their group in ``roots[1]`` (groups: roots, rows of a table of ``rows``): each
    pair's rank in ``order``, and each group's least rank, in arrays of 4 bytes a pair."""
    dt = np.int32 if order.size < 2**31 else np.int64
    rank = np.empty(order.size, dtype=dt)
    rank[order] = np.arange(order.size, dtype=dt)
    del order
    pick = np.zeros(rank.size, dtype=bool)
    for r in roots:
        least = np.full(rows, rank.size, dtype=dt)
        np.minimum.at(least, r, rank)
        pick |= rank == least[r]
    return pick



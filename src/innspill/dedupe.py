"""Link duplicates: exact copies, truncated copies, and near-identical texts.

Nothing is deleted: a duplicate keeps its place with ``status = "duplicate"``,
``duplicate_of`` (the first copy's id) and ``duplicate_how``:

* ``exact``: the same text after normalisation (case, punctuation, spacing);
* ``prefix``: one is the other cut off (a truncated copy; the shorter one is
  flagged ``truncated``);
* ``near``: near-identical texts such as form letters, found with MinHash/LSH
  over word 3-shingles and confirmed by their exact Jaccard similarity.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from .model import Comment
from .textutil import normalise

NEAR_THRESHOLD = 0.4  # word 3-shingle Jaccard; unrelated comments on one topic stay under 0.16 in our labelled threads
MIN_PREFIX_CHARS = 40
MIN_PREFIX_SHARE = 0.3
SHORT_WORDS = 8  # below this, equal texts are copies only from the same author, or unsigned and back to back
NUM_PERM = 64
# candidates whose signatures agree in fewer than 13 of 64 places (an estimated Jaccard below 0.2)
# are not checked: a pair at exactly 0.4 is missed so with probability 3 in 10,000, at 0.5 never
# in practice (binomial tails), while 99.7 % of unrelated on-topic pairs (0.1) are dropped
EST_MATCHES = 13
SPARSE_FROM = 32  # a row with this many partners to check has them intersected in one sparse product
# A bucket of more than LARGE_BUCKET texts is split before its pairs are checked (see
# :func:`_split_bucket`): on one topic a common phrase can be the smallest MinHash value of a band
# for a fixed share of all texts, so such a bucket grows with the thread and checking all its pairs
# grows with the square of it (1,000,000 answers: 1,051 s). Generated threads of up to 100,000
# answers have no bucket this large (their largest: 1,947), so their results are those of checking
# every pair.
LARGE_BUCKET = 2_000
SPLIT_TO = 250  # a large bucket is split until its parts have at most this many texts
SPLIT_CHAINS = 6  # ... in this many independent ways (each with its own MinHash positions)
FEATURE_CHUNK = 4_096  # texts hashed in one vectorised step (a few tens of MB of temporaries)


def _shingles(norm: str, k: int = 3) -> set[bytes]:
    ws = norm.split()
    if len(ws) < k:
        return {norm.encode()} if norm else set()
    return {" ".join(ws[i:i + k]).encode() for i in range(len(ws) - k + 1)}


class _Groups:
    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent[hi] = lo  # the earliest position is the root


def lsh_bands(threshold: float = NEAR_THRESHOLD) -> tuple[int, int]:
    """Bands and rows per band for the LSH candidate search (datasketch's optimum)."""
    lsh = MinHashLSH(threshold=max(0.3, threshold - 0.1), num_perm=NUM_PERM)
    return lsh.b, lsh.r


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a 64-bit mixing function, element-wise (wraps on overflow)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@cache
def _permutations() -> tuple:
    """The MinHash permutations of seed 7 and their scheme, made once (making them is most of a
    MinHash's cost); a MinHash made from them hashes exactly as a fresh one of seed 7."""
    mh = MinHash(num_perm=NUM_PERM, seed=7)
    return mh.permutations, mh.scheme


def _minhash(shingles: set[bytes]) -> np.ndarray:
    perms, scheme = _permutations()
    mh = MinHash(num_perm=NUM_PERM, seed=7, permutations=perms, scheme=scheme)
    mh.update_batch(list(shingles))
    return mh.hashvalues.astype(np.uint32)


def _shingle_set(norm: str) -> set[bytes]:
    """:func:`_shingles` of a normalised text (words joined by single spaces), split and joined
    as bytes: the same set for texts of three words or more, the only ones whose features are kept."""
    ws = norm.encode().split(b" ")
    if len(ws) < 3:
        return _shingles(norm)
    return set(map(b" ".join, zip(ws, ws[1:], ws[2:])))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, element-wise: what datasketch's affine32 scheme applies to
    each hash value before its permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _signatures(hv: np.ndarray, starts: np.ndarray, flat: list[bytes]) -> np.ndarray:
    """MinHash signatures of many texts at once, bit for bit those of :func:`_minhash` (tested):
    ``hv`` holds every text's shingles' 32-bit SHA-1 values (datasketch's ``sha1_hash32``), text
    ``i``'s from ``starts[i]``; the permutations are applied to all of them in one array and the
    minimum taken per text."""
    perms, scheme = _permutations()
    if scheme != "affine32":  # pragma: no cover - another datasketch: one MinHash per text
        ends = np.r_[starts[1:], len(flat)]
        return np.stack([_minhash(set(flat[s:e])) for s, e in zip(starts.tolist(), ends.tolist())])
    a, b = (np.asarray(x, dtype=np.uint32) for x in perms)
    with np.errstate(over="ignore"):
        phv = _fmix32(hv.astype(np.uint32))[:, None] * a + b  # wraps modulo 2^32, as datasketch's does
    return np.minimum.reduceat(phv, starts, axis=0)


def _band_hashes(sigs: np.ndarray, bands: tuple[int, int]) -> np.ndarray:
    """One 64-bit hash per LSH band of each signature (a row of ``sigs``)."""
    b, r = bands
    rows = sigs[:, : b * r].astype(np.uint64).reshape(len(sigs), b, r)
    h = np.full((len(sigs), b), 0xCBF29CE484222325, dtype=np.uint64)
    for j in range(r):
        h = _mix(h ^ rows[:, :, j])
    return h


def bands_of(sig: np.ndarray, bands: tuple[int, int]) -> np.ndarray:
    """One 64-bit hash per LSH band of a signature. Eight bytes per band instead of a bytes key
    per band keeps the candidate search at a few hundred bytes per distinct text."""
    return _band_hashes(sig[None, :], bands)[0]


def worth_checking(sig_a: np.ndarray, sig_b: np.ndarray) -> bool | np.ndarray:
    """Whether a candidate pair's MinHash estimate of the Jaccard similarity is high enough to
    compute the exact one. Texts on the same topic fall into a shared bucket often (a pair at
    0.1 does in 2 % of cases, and a consultation of 100,000 answers has billions of such pairs),
    so most candidates are dropped here, at one vector comparison each. ``sig_a`` may be a
    matrix of signatures: then one answer per row."""
    return (sig_a == sig_b).sum(axis=-1) >= EST_MATCHES


def text_features(norm: str, bands: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """What the near-duplicate search keeps of one normalised text: its MinHash signature, its
    band hashes and its shingles as a sorted int64 array (64 bits of each one's SHA-1, the same in
    every process); None when it is too short. :meth:`FeatureTable.of` does many at once."""
    t = FeatureTable.of([(0, norm)], bands)
    if not len(t):
        return None
    return t.sigs[0], t.band_hashes[0], t.shingles


def band_entries(items: list[tuple[int, str]], bands: tuple[int, int], parts: int,
                 with_features: bool = False):
    """For runners that shuffle between machines: the LSH bucket entries (band, band hash,
    position) of ``(position, normalised text)`` items, as numpy arrays split into ``parts``
    destinations by bucket, so every entry of a bucket goes to the same destination. With
    ``with_features``, also the texts' features as a :class:`FeatureTable`, so the bucket checks
    need neither the texts nor to compute them again."""
    table = FeatureTable.of(items, bands)
    n, nb = table.band_hashes.shape
    if not n:
        empty = (np.zeros(0, np.uint8), np.zeros(0, np.uint64), np.zeros(0, np.int64))
        pieces = [empty] * parts
    else:
        band = np.tile(np.arange(nb, dtype=np.uint8), n)
        hsh = table.band_hashes.ravel()
        pos = np.repeat(table.positions, nb)
        dest = (_mix(hsh ^ band.astype(np.uint64)) % np.uint64(parts)).astype(np.int64)
        pieces = [(band[dest == d], hsh[dest == d], pos[dest == d]) for d in range(parts)]
    return (pieces, table) if with_features else pieces


class FeatureTable:
    """The features (:func:`text_features`) of many texts in five arrays and no object per text:
    what a partition's mapper keeps on its worker for the bucket checks (about 1.2 KB a text,
    and it pickles as a few buffers)."""

    def __init__(self, positions: np.ndarray, sigs: np.ndarray, band_hashes: np.ndarray,
                 shingles: np.ndarray, offsets: np.ndarray):
        self.positions, self.sigs, self.band_hashes = positions, sigs, band_hashes
        self.shingles, self.offsets = shingles, offsets

    @classmethod
    def empty(cls, bands: tuple[int, int]) -> FeatureTable:
        return cls(np.zeros(0, np.int64), np.zeros((0, NUM_PERM), np.uint32), np.zeros((0, bands[0]), np.uint64),
                   np.zeros(0, np.int64), np.zeros(1, np.int64))

    @classmethod
    def of(cls, items: list[tuple[int, str]], bands: tuple[int, int]) -> FeatureTable:
        """The features of ``(position, normalised text)`` items, computed :data:`FEATURE_CHUNK`
        texts at a time with one SHA-1 call per shingle and the rest in numpy (a MinHash object
        per text cost several times as much); texts with fewer than 5 shingles are left out."""
        chunks = [cls._of_chunk(items[i:i + FEATURE_CHUNK], bands) for i in range(0, len(items), FEATURE_CHUNK)]
        chunks = [c for c in chunks if len(c)]
        if not chunks:
            return cls.empty(bands)
        if len(chunks) == 1:
            return chunks[0]
        shift = np.cumsum([0] + [int(c.offsets[-1]) for c in chunks[:-1]])
        return cls(np.concatenate([c.positions for c in chunks]), np.concatenate([c.sigs for c in chunks]),
                   np.concatenate([c.band_hashes for c in chunks]), np.concatenate([c.shingles for c in chunks]),
                   np.r_[0, np.concatenate([c.offsets[1:] + k for c, k in zip(chunks, shift.tolist())])])

    @classmethod
    def _of_chunk(cls, items: list[tuple[int, str]], bands: tuple[int, int]) -> FeatureTable:
        from hashlib import sha1

        positions, sizes, flat = [], [], []
        for pos, norm in items:
            sh = _shingle_set(norm)
            if len(sh) >= 5:
                positions.append(pos)
                sizes.append(len(sh))
                flat.extend(sh)
        if not positions:
            return cls.empty(bands)
        digests = np.frombuffer(b"".join([sha1(x).digest() for x in flat]), dtype=np.uint8).reshape(-1, 20)
        hv = digests[:, :4].copy().view("<u4").ravel()  # datasketch's sha1_hash32
        ids = digests[:, 4:12].copy().view("<i8").ravel()  # the shingle's identity for the exact Jaccard
        starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
        sigs = _signatures(hv, starts, flat)
        seg = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        order = np.lexsort((ids, seg))
        ids, seg = ids[order], seg[order]
        keep = np.r_[True, (ids[1:] != ids[:-1]) | (seg[1:] != seg[:-1])]  # np.unique per text
        ids, seg = ids[keep], seg[keep]
        offsets = np.r_[0, np.cumsum(np.bincount(seg, minlength=len(sizes)))].astype(np.int64)
        return cls(np.array(positions, dtype=np.int64), sigs, _band_hashes(sigs, bands), ids, offsets)

    def shingles_of(self, row: int) -> np.ndarray:
        return self.shingles[self.offsets[row]:self.offsets[row + 1]]

    def __len__(self) -> int:
        return len(self.positions)


class FeatureLookup:
    """Position -> features over several :class:`FeatureTable` (one per partition): one sorted
    index of all positions, looked up for many positions at once."""

    def __init__(self, tables: list[FeatureTable]):
        self.tables = tables
        pos = np.concatenate([t.positions for t in tables]) if tables else np.zeros(0, np.int64)
        table_of = np.concatenate([np.full(len(t), i, np.int64) for i, t in enumerate(tables)]) if tables else pos
        row_of = np.concatenate([np.arange(len(t), dtype=np.int64) for t in tables]) if tables else pos
        order = np.argsort(pos, kind="stable")
        self.pos, self.table_of, self.row_of = pos[order], table_of[order], row_of[order]

    def views(self, positions: np.ndarray) -> dict[int, tuple]:
        """Features of ``positions`` (each must be in a table) as views into the tables."""
        idx = np.searchsorted(self.pos, positions)
        if positions.size and (idx.max() >= len(self.pos) or (self.pos[idx] != positions).any()):
            raise KeyError("positions without features")
        out = {}
        for p, ti, r in zip(positions.tolist(), self.table_of[idx].tolist(), self.row_of[idx].tolist()):
            t = self.tables[ti]
            out[p] = (t.sigs[r], t.band_hashes[r], t.shingles[t.offsets[r]:t.offsets[r + 1]])
        return out


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


def bucket_links(entries: list[tuple], norms: dict[int, str], bands: tuple[int, int],
                 threshold: float = NEAR_THRESHOLD, features: dict | None = None,
                 large: dict[int, np.ndarray] | None = None) -> list[tuple[int, int]]:
    """The near-duplicate links of the buckets in ``entries`` (pieces of :func:`band_entries`
    for one destination): each bucket is checked as the local search checks it, with one
    union-find for all of them, and only the links that joined two groups come back (fewer than
    the texts), so nothing quadratic is listed or sent. Joining those links gives the local
    search's groups: both check each candidate pair in the first band it shares a bucket in that
    is not large (and large buckets part by part, split the same way), with the same two tests,
    and skipping a pair that is already joined does not change any group.
    ``features`` (position -> :func:`text_features`) may be a cache kept between calls, or a
    :class:`FeatureLookup` of every text's features (then ``norms`` is not read). ``large`` is the
    thread's large buckets (:func:`large_buckets` over every destination's entries); None: those
    of ``entries`` alone (right when they are the only destination)."""
    entries = [e for e in entries if len(e[2])]
    if not entries:
        return []
    if large is None:
        large = large_buckets(entries)
    band = np.concatenate([e[0] for e in entries])
    hsh = np.concatenate([e[1] for e in entries])
    pos = np.concatenate([e[2] for e in entries])
    order = np.lexsort((pos, hsh, band))
    band, hsh, pos = band[order], hsh[order], pos[order]
    new = np.r_[True, (band[1:] != band[:-1]) | (hsh[1:] != hsh[:-1])]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], len(pos)]
    feats = {} if features is None else features
    if isinstance(feats, FeatureLookup):  # only the texts in a bucket with others
        shared = np.repeat((ends - starts) >= 2, ends - starts)
        feats = feats.views(np.unique(pos[shared]))
    groups = _Groups()
    links: list[tuple[int, int]] = []
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e - s < 2:
            continue
        members = pos[s:e].tolist()
        for p in members:
            if p not in feats:
                feats[p] = text_features(norms[p], bands)
        sigs = np.stack([feats[p][0] for p in members])
        table = np.stack([feats[p][1] for p in members])
        shingles = [feats[p][2] for p in members]
        flags = _large_flags(table, large)
        b = int(band[s])
        rows = np.arange(len(members))
        for part in (_split_bucket(rows, b, sigs, bands) if len(members) > LARGE_BUCKET else (rows,)):
            links += _link_bucket(part, b, table, np.array(members), sigs, shingles, groups, threshold, flags)
    return links


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


def exact_and_prefix(live: list[Comment], norms: dict[int, str], groups: _Groups) -> tuple[dict[str, int], set[str]]:
    """Union exact copies and truncated copies; returns the first position of each distinct text
    and the texts that are truncated copies of longer ones.

    A short text ("Nei.", "3 - No.", "Helt enig!") is something many people write on their own:
    it is a copy only when the same author posted it before, or, where neither comment names an
    author, when it follows the comment before directly (a double post). Two different authors,
    or two unsigned comments with others between them, gave the same answer: both count."""
    first: dict[str, int] = {}
    by_author: dict[tuple[str, str], int] = {}  # (text, author) -> the author's first position of it
    previous: Comment | None = None  # the comment just before, among those that take part
    for c in live:
        n = norms[c.position]
        if len(n.split()) < SHORT_WORDS:
            if c.author:
                earlier = by_author.setdefault((n, c.author), c.position)
                if earlier != c.position:
                    groups.union(earlier, c.position)
            elif previous is not None and not previous.author and norms[previous.position] == n:
                groups.union(previous.position, c.position)
            first.setdefault(n, c.position)
        elif n in first:
            groups.union(first[n], c.position)
        else:
            first[n] = c.position
        previous = c
    # truncated copies: a prefix sorts right before the texts it starts
    truncated: set[str] = set()
    order = sorted(first.items())  # distinct normalised texts
    for i, (short, pos) in enumerate(order):
        if len(short) < MIN_PREFIX_CHARS:
            continue
        for j in range(i + 1, len(order)):  # not order[i + 1:]: copying the rest for every text is quadratic
            long_text, other = order[j]
            if not long_text.startswith(short):
                break
            if len(short) >= MIN_PREFIX_SHARE * len(long_text):
                groups.union(pos, other)
                truncated.add(short)
    return first, truncated


def apply_links(live: list[Comment], norms: dict[int, str], groups: _Groups, truncated: set[str]) -> dict:
    """Write ``duplicate_of``/``duplicate_how``/``status`` from the groups; returns counts by kind."""
    counts = {"exact": 0, "prefix": 0, "near": 0}
    by_pos = {c.position: c for c in live}
    for c in live:
        root = groups.find(c.position)
        if root == c.position:
            continue
        canon = by_pos[root]
        nc, nr = norms[c.position], norms[root]
        how = "exact" if nc == nr else "prefix" if (nr.startswith(nc) or nc.startswith(nr)) else "near"
        c.duplicate_of, c.duplicate_how, c.status = canon.id, how, "duplicate"
        counts[how] += 1
    for c in live:
        if norms[c.position] in truncated and "truncated" not in c.flags:
            c.flags.append("truncated")
    return counts


def link_copies(comments: list[Comment]):
    """The first phase, on the whole thread: the comments that take part, their normalised texts,
    the groups with exact and truncated copies joined, each distinct text's first position, and
    the truncated texts."""
    live = [c for c in comments if c.status == "kept" and c.text.strip()]
    norms: dict[int, str] = {}
    once: dict[str, str] = {}  # text -> normal form: copies are normalised once and share it
    for c in live:
        n = once.get(c.text)
        if n is None:
            n = once[c.text] = normalise(c.text)
        norms[c.position] = n
    del once
    groups = _Groups()
    for c in live:
        groups.find(c.position)
    first, truncated = exact_and_prefix(live, norms, groups)
    return live, norms, groups, first, truncated


def link_duplicates(comments: list[Comment], threshold: float = NEAR_THRESHOLD) -> dict:
    """Mark duplicates in place; returns counts by kind.

    Groups are the connected components of: equal normalised texts, truncated copies, and
    LSH candidate pairs whose exact shingle Jaccard reaches ``threshold``. Components do not
    depend on the order pairs are checked in, so the distributed runner, which checks the
    buckets apart after shuffling their entries (:func:`band_entries`, :func:`bucket_links`),
    links exactly the same comments.
    """
    live, norms, groups, first, truncated = link_copies(comments)
    bands = lsh_bands(threshold)
    t = FeatureTable.of([(pos, n) for n, pos in first.items()], bands)
    if len(t):
        table = t.band_hashes  # distinct texts x bands
        large = {}
        for band in range(table.shape[1]):
            keys, counts = np.unique(table[:, band], return_counts=True)
            if (counts > LARGE_BUCKET).any():
                large[band] = keys[counts > LARGE_BUCKET]
        flags = _large_flags(table, large)
        shingles = _Ragged(t.shingles, t.offsets)
        for band in range(table.shape[1]):
            for rows in _shared_buckets(table[:, band]):
                for part in (_split_bucket(rows, band, t.sigs, bands) if len(rows) > LARGE_BUCKET else (rows,)):
                    _link_bucket(part, band, table, t.positions, t.sigs, shingles, groups, threshold, flags)
    return apply_links(live, norms, groups, truncated)


class _Ragged:
    """Row ``i`` of a flat array cut at ``offsets`` (a :class:`FeatureTable`'s shingles), as a view."""

    def __init__(self, flat: np.ndarray, offsets: np.ndarray):
        self.flat, self.offsets = flat, offsets

    def __getitem__(self, i: int) -> np.ndarray:
        return self.flat[self.offsets[i]:self.offsets[i + 1]]


def _shared_buckets(column: np.ndarray):
    """The rows of each bucket that more than one text falls into."""
    order = np.argsort(column, kind="stable")
    keys = column[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e - s > 1:
            yield order[s:e]


def _shingle_matrix(arrays: list[np.ndarray]):
    """The texts' hashed shingles as rows of a 0/1 sparse matrix (one column per distinct shingle)."""
    from scipy.sparse import csr_matrix

    flat = np.concatenate(arrays)
    _, cols = np.unique(flat, return_inverse=True)
    indptr = np.r_[0, np.cumsum([a.size for a in arrays])]
    return csr_matrix((np.ones(flat.size, dtype=np.int32), cols.ravel(), indptr),
                      shape=(len(arrays), int(cols.max()) + 1 if flat.size else 0))


def _link_bucket(rows: np.ndarray, band: int, table: np.ndarray, positions: np.ndarray, sigs: np.ndarray,
                 shingles, groups: _Groups, threshold: float,
                 large: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Check the pairs of one bucket (or one part of a large bucket), all of a row's partners at
    once: pairs that met in an earlier band's bucket were checked there (unless that bucket was
    large, ``large[row, band]``: then only pairs in one of its parts were), pairs already in one group need no check, pairs whose signatures
    disagree are dropped (one numpy comparison each), and the exact Jaccard of the rest is computed
    on the texts' hashed shingles: one by one for a few partners, in one sparse product for many
    (a bucket of half-similar texts otherwise costs a Python-level intersection per pair). Pairs
    are never listed: a form letter sent in a thousand variants makes half a million of them.
    Returns the links that joined two groups."""
    joined: list[tuple[int, int]] = []
    pos = positions[rows]
    # each member's group at the start, kept up to date as this bucket joins groups
    labels = np.array([groups.find(int(p)) for p in pos.tolist()])
    sizes = np.array([shingles[r].size for r in rows.tolist()])
    matrix = None
    for k in range(len(rows) - 1):
        row = rows[k]
        idx = np.flatnonzero(labels[k + 1:] != labels[k]) + k + 1  # members not yet in this row's group
        if not idx.size:
            continue
        keep = worth_checking(sigs[rows[idx]], sigs[row])
        if band:
            met = table[rows[idx], :band] == table[row, :band]
            if large is not None:
                met &= ~large[row, :band]
            keep &= ~met.any(axis=1)
        idx = idx[keep]
        if not idx.size:
            continue
        if idx.size >= SPARSE_FROM:
            if matrix is None:
                matrix = _shingle_matrix([shingles[r] for r in rows.tolist()])
            inter = (matrix[idx] @ matrix[k].T).toarray().ravel()
        elif idx.size == 1:
            inter = np.array([np.intersect1d(shingles[row], shingles[rows[idx[0]]], assume_unique=True).size])
        else:  # the partners' shingles in one array, looked up in this row's at once, counted per partner
            partner = [shingles[rows[i]] for i in idx.tolist()]
            found = np.isin(np.concatenate(partner), shingles[row])
            inter = np.add.reduceat(found, np.r_[0, np.cumsum(sizes[idx])[:-1]]).astype(np.int64)
        for i in idx[inter / (sizes[k] + sizes[idx] - inter) >= threshold].tolist():
            if labels[i] == labels[k]:
                continue  # joined a moment ago through another partner of this row
            a, b = int(pos[k]), int(pos[i])
            groups.union(a, b)
            joined.append((a, b))
            labels[labels == labels[i]] = labels[k]
    return joined

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
SMALL_BUCKET = 24  # buckets of at most this many texts have their pairs listed, every band's at once
CHECK_ALL_PER_GROUP = 4  # with at most this many candidate pairs per group left, all are checked at once
PRODUCT_PAIRS = 1 << 22  # larger buckets are checked in sparse products of about this many pairs
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
FEATURE_CHUNK = 8_192  # texts hashed in one vectorised step (a few tens of MB of temporaries)


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


def _shingle_index(items: list[tuple[int, str]]) -> tuple[list[int], list[int], list[bytes], np.ndarray]:
    """The word 3-shingles of ``(position, normalised text)`` items of 7 words or more (fewer make
    fewer than 5 shingles): their positions, each one's number of shingles (repeats counted), the
    distinct shingles as bytes (as :func:`_shingle_set` makes them) and, for each shingle of the
    texts in a row, the number of the distinct one. Words, not shingles, are looked up one by one
    (a word ends three shingles); a shingle is three word numbers in one integer, and only the
    distinct ones (about 1 in 5 in a chunk of a consultation) are made as bytes, to be hashed."""
    texts = [(p, n) for p, n in items if n.count(" ") >= 6]
    if not texts:
        return [], [], [], np.zeros(0, np.int64)
    words = " ".join(n for _, n in texts).split(" ")
    vocab = dict.fromkeys(words)
    number = dict(zip(vocab, range(len(vocab))))
    wid = np.fromiter(map(number.__getitem__, words), dtype=np.int64, count=len(words))
    nwords = np.array([n.count(" ") + 1 for _, n in texts], dtype=np.int64)
    counts = nwords - 2
    first = np.repeat(np.cumsum(nwords) - nwords, counts) + np.arange(int(counts.sum())) \
        - np.repeat(np.cumsum(counts) - counts, counts)  # each shingle's first word
    v = np.int64(len(vocab))  # under 2^21 words in a chunk: three numbers fit in 63 bits
    if len(vocab) >= 1 << 21:  # pragma: no cover - not with FEATURE_CHUNK texts of any real length
        raise ValueError("too many distinct words in one chunk")
    key = (wid[first] * v + wid[first + 1]) * v + wid[first + 2]
    keys, inv = np.unique(key, return_inverse=True)
    w = list(vocab)
    distinct = [f"{w[a]} {w[b]} {w[c]}".encode()
                for a, b, c in zip((keys // (v * v)).tolist(), (keys // v % v).tolist(), (keys % v).tolist())]
    return [p for p, _ in texts], counts.tolist(), distinct, inv.ravel()


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, element-wise: what datasketch's affine32 scheme applies to
    each hash value before its permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _signatures(hv: np.ndarray, inv: np.ndarray, starts: np.ndarray, distinct: list[bytes]) -> np.ndarray:
    """MinHash signatures of many texts at once, bit for bit those of :func:`_minhash` (tested):
    ``hv`` holds each distinct shingle's 32-bit SHA-1 value (datasketch's ``sha1_hash32``),
    ``inv`` the distinct shingle of each shingle of the texts in a row, text ``i``'s from
    ``starts[i]``. The permutations are applied to each distinct shingle once (a stock phrase or a
    form letter's shingle recurs in thousands of texts), and the minima taken one permutation at a
    time, along contiguous memory (several times faster than across a texts x permutations array)."""
    perms, scheme = _permutations()
    if scheme != "affine32":  # pragma: no cover - another datasketch: one MinHash per text
        ends = np.r_[starts[1:], len(inv)]
        return np.stack([_minhash({distinct[i] for i in inv[s:e].tolist()}) for s, e in zip(starts.tolist(), ends.tolist())])
    a, b = (np.asarray(x, dtype=np.uint32) for x in perms)
    with np.errstate(over="ignore"):
        phv = a[:, None] * _fmix32(hv.astype(np.uint32))[None, :] + b[:, None]  # wraps modulo 2^32, as datasketch's does
    out = np.empty((len(starts), len(a)), dtype=np.uint32)
    for p, row in enumerate(phv):
        out[:, p] = np.minimum.reduceat(row[inv], starts)
    return out


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """``np.unique(x)`` by one sort (numpy 2's ``unique`` hashes first, and is slower here)."""
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if x.size else x


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

        positions, counts, distinct, inv = _shingle_index(items)
        if not positions:
            return cls.empty(bands)
        digests = np.frombuffer(b"".join([sha1(x).digest() for x in distinct]), dtype=np.uint8).reshape(-1, 20)
        hv = digests[:, :4].copy().view("<u4").ravel()  # datasketch's sha1_hash32
        ids = digests[:, 4:12].copy().view("<i8").ravel()  # the shingle's identity for the exact Jaccard
        starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
        sigs = _signatures(hv, inv, starts, distinct)  # a repeat does not change a minimum
        # each text's distinct shingle identities, sorted: one sort of (text, rank of identity)
        sorted_ids = _sorted_unique(ids)
        key = np.repeat(np.arange(len(counts), dtype=np.int64), counts) * len(sorted_ids) + np.searchsorted(sorted_ids, ids)[inv]
        key = _sorted_unique(key)
        seg = key // len(sorted_ids)
        sizes = np.bincount(seg, minlength=len(counts))
        keep = sizes >= 5
        shingles = sorted_ids[key % len(sorted_ids)][keep[seg]]
        offsets = np.r_[0, np.cumsum(sizes[keep])].astype(np.int64)
        sigs = sigs[keep]
        return cls(np.array(positions, dtype=np.int64)[keep], sigs, _band_hashes(sigs, bands), shingles, offsets)

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
        # the rows' groups so far (exact and truncated copies): pairs inside one are never checked
        roots = np.fromiter((groups.find(p) for p in t.positions.tolist()), dtype=np.int64, count=len(t))
        _, first_row, inverse = np.unique(roots, return_index=True, return_inverse=True)
        uf = _RowUnion(first_row[inverse.ravel()].astype(np.int64))  # rows ascend with positions
        rows = np.arange(len(t), dtype=np.int64)
        columns = [(b, t.band_hashes[:, b], rows) for b in range(t.band_hashes.shape[1])]
        large = {}
        for b, column in enumerate(t.band_hashes.T):
            keys, counts = np.unique(column, return_counts=True)
            if (counts > LARGE_BUCKET).any():
                large[b] = keys[counts > LARGE_BUCKET]
        for a, b in _near_links(t, columns, uf, threshold, bands, _large_flags(t.band_hashes, large)):
            groups.union(int(t.positions[a]), int(t.positions[b]))
    return apply_links(live, norms, groups, truncated)


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
    listed for every band at once; larger ones are checked one by one, smallest first (what the
    small ones joined is skipped there), through their agreement matrix; those over
    :data:`LARGE_BUCKET` texts part by part (:func:`_split_bucket`). Every candidate pair that
    passes :func:`worth_checking` is joined when its Jaccard reaches ``threshold`` unless its
    texts are joined already, so the groups are the same in any order (:func:`_resolve`); a
    pair is checked in the first band it meets in outside a large bucket (:func:`_unmet`)."""
    pairs, big = [], []
    for band, hsh, rows in columns:
        order = np.lexsort((rows, hsh))
        h, r = hsh[order], rows[order]
        starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
        sizes = np.diff(np.r_[starts, len(h)])
        small = (sizes >= 2) & (sizes <= SMALL_BUCKET)
        a, b = _pairs_within(r, starts[small], sizes[small])
        a, b, m = _worth(t.sigs, a, b)
        keep = _unmet(t, flags, a, b, band)
        pairs.append((a[keep], b[keep], m[keep]))
        big += [(int(k), band, r[s:s + k]) for s, k in zip(starts[sizes > SMALL_BUCKET].tolist(),
                                                           sizes[sizes > SMALL_BUCKET].tolist())]
    joined = _resolve(*(np.concatenate(x) for x in zip(*pairs)), t, uf, threshold) if pairs else []
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
    batch, load = [], 0
    for band, rows in parts:  # many buckets in one sparse product: a product per bucket costs ~1 ms
        if batch and load + len(rows) ** 2 > PRODUCT_PAIRS:
            joined += _link_parts(batch, t, uf, threshold, flags)
            batch, load = [], 0
        batch.append((band, rows))
        load += len(rows) ** 2
    joined += _link_parts(batch, t, uf, threshold, flags)
    if pairs:
        joined += _resolve(*(np.concatenate(x) for x in zip(*pairs)), t, uf, threshold)
    return joined


def _pairs_within(r: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (earlier, later) of ``r[s:s + k]`` for each bucket start ``s`` and size ``k``."""
    if not len(sizes):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    total = int(sizes.sum())
    off = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # place in its bucket
    idx = np.repeat(starts, sizes) + off
    cnt = np.repeat(sizes, sizes) - 1 - off  # partners after it
    a = np.repeat(idx, cnt)
    step = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return r[a].astype(np.int64), r[a + 1 + step].astype(np.int64)


def _worth(sigs: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 1 << 18):
    """The pairs that pass :func:`worth_checking`, with their signatures' number of agreements,
    compared a chunk at a time (a pair's two signatures are gathered: 512 bytes)."""
    out_a, out_b, out_m = [a[:0]], [b[:0]], [np.zeros(0, np.int64)]
    for s in range(0, len(a), chunk):
        x, y = a[s:s + chunk], b[s:s + chunk]
        m = (sigs[x] == sigs[y]).sum(axis=1)
        keep = m >= EST_MATCHES
        out_a.append(x[keep])
        out_b.append(y[keep])
        out_m.append(m[keep])
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
    one group already (a form letter joined in smaller buckets) drops out first."""
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
    inter = (lambda m: m @ m.T)(_shingle_matrix(t, rows, part)).tocoo()
    i, j, k = inter.row, inter.col, inter.data
    keep = (i < j) & (roots[i] != roots[j])
    i, j, k = i[keep], j[keep], k[keep]
    sizes = np.diff(t.offsets)[rows]
    keep = k / (sizes[i] + sizes[j] - k) >= threshold
    i, j = i[keep], j[keep]
    order = np.lexsort((rows[j], rows[i]))  # joined in one fixed order: the links sent back do not depend on scipy's
    a, b, band = rows[i[order]], rows[j[order]], np.array([p[0] for p in parts])[part[i[order]]]
    keep = worth_checking(t.sigs[a], t.sigs[b]) & _unmet(t, flags, a, b, band)
    return uf.union(a[keep], b[keep])


def _shingle_matrix(t: FeatureTable, rows: np.ndarray, part: np.ndarray):
    """The hashed shingles of ``rows`` as a 0/1 sparse matrix, one column per distinct shingle of
    each part (the top 43 bits of its hash, as in :func:`_jaccard_reaches`)."""
    from scipy.sparse import csr_matrix

    lens = np.diff(t.offsets)[rows]
    tagged = _tagged(t, rows, lens, part.astype(np.int64) << np.int64(43))
    # numbered in order, as np.unique would; a stable sort merges the rows' ascending runs (and
    # the parts never overlap), about twice as fast as np.unique's sort
    order = np.argsort(tagged, kind="stable")
    ranked = tagged[order]
    cols = np.empty(tagged.size, dtype=np.int64)
    cols[order] = np.cumsum(np.r_[False, ranked[1:] != ranked[:-1]])
    return csr_matrix((np.ones(tagged.size, dtype=np.int32), cols, np.r_[0, np.cumsum(lens)]),
                      shape=(len(rows), int(cols.max()) + 1))


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
        if not a.size:
            break
        groups = np.unique(np.concatenate([ra, rb])).size
        if a.size <= CHECK_ALL_PER_GROUP * groups:
            ok = _jaccard_reaches(a, b, t, threshold)
            joined += uf.union(a[ok], b[ok])
            break
        order = np.lexsort((b, a, -agree))  # most similar first; ties by row, so it is reproducible
        pick = np.zeros(a.size, dtype=bool)
        for r in (ra, rb):
            pick[order[np.unique(r[order], return_index=True)[1]]] = True
        ok = _jaccard_reaches(a[pick], b[pick], t, threshold)
        joined += uf.union(a[pick][ok], b[pick][ok])
        a, b, agree = a[~pick], b[~pick], agree[~pick]
        if ok.mean() < 0.5:  # mostly pairs that fall short: another round would not prune much
            ra, rb = uf.find(a), uf.find(b)
            a, b = a[ra != rb], b[ra != rb]
            ok = _jaccard_reaches(a, b, t, threshold)
            joined += uf.union(a[ok], b[ok])
            break
    return joined


def _jaccard_reaches(a: np.ndarray, b: np.ndarray, t: FeatureTable, threshold: float,
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
        keys = np.sort(np.concatenate([_tagged(t, a[s:e], la[s:e], tags), _tagged(t, b[s:e], lb[s:e], tags)]),
                       kind="stable")
        inter = np.bincount(keys[1:][keys[1:] == keys[:-1]] >> np.int64(43), minlength=e - s)
        out[s:e] = inter / (la[s:e] + lb[s:e] - inter) >= threshold
        s = e
    return out


def _tagged(t: FeatureTable, rows: np.ndarray, lens: np.ndarray, tags: np.ndarray) -> np.ndarray:
    """The shingles of ``rows`` one after another, each as its tag (high bits) and the top 43 bits
    of its hash, shifted to be non-negative: ascending, as the shingles of a row are."""
    starts = t.offsets[rows]
    flat = t.shingles[np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))]
    return np.repeat(tags, lens) | ((flat >> np.int64(21)) + np.int64(1 << 42))

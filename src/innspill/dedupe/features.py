"""Near-duplicate features of normalised texts: word 3-shingles, their MinHash signatures (bit
for bit datasketch's, seed 7) and LSH band hashes, computed many texts at a time into a
:class:`FeatureTable`; the entries that runners shuffle between machines (:func:`band_entries`)
and the position -> features index over several tables (:class:`FeatureLookup`)."""

from __future__ import annotations

from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

NEAR_THRESHOLD = 0.4  # word 3-shingle Jaccard; unrelated comments on one topic stay under 0.16 in our labelled threads
NUM_PERM = 64
# candidates whose signatures agree in fewer than 13 of 64 places (an estimated Jaccard below 0.2)
# are not checked: a pair at exactly 0.4 is missed so with probability 3 in 10,000, at 0.5 never
# in practice (binomial tails), while 99.7 % of unrelated on-topic pairs (0.1) are dropped
EST_MATCHES = 13
FEATURE_CHUNK = 8192  # texts hashed in one vectorised step (a few tens of MB of temporaries)


def _shingles(norm: str, k: int = 3) -> set[bytes]:
    ws = norm.split()
    if len(ws) < k:
        return {norm.encode()} if norm else set()
    return {" ".join(ws[i:i + k]).encode() for i in range(len(ws) - k + 1)}



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


class _Words(dict):
    """word -> number, a new word numbered as it is first looked up (one dict lookup a word)."""

    def __init__(self):
        super().__init__()
        self.order: list[str] = []

    def __missing__(self, word: str) -> int:
        n = self[word] = len(self.order)
        self.order.append(word)
        return n


class _Registry:
    """The distinct words and word 3-shingles of the texts of one :meth:`FeatureTable.of` call,
    so that each distinct shingle is made as bytes and hashed once, not once per chunk (at
    1,000,000 answers: 54 million shingles of distinct texts, 1.6 million distinct ones, and
    about 10 million distinct within chunks). A shingle's key is its three word numbers in one
    integer; ``keys`` holds the known ones ascending, ``numbers`` their numbers, ``hv`` and
    ``ids`` each number's 32-bit SHA-1 value (datasketch's ``sha1_hash32``) and the 64 bits of
    it that identify it for the exact Jaccard."""

    WORDS = 1 << 21  # under 2^21 words: three numbers fit in 63 bits

    def __init__(self):
        self.words = _Words()
        self.keys, self.numbers = np.zeros(0, np.int64), np.zeros(0, np.int64)
        self.hv, self.ids = np.zeros(0, np.uint32), np.zeros(0, np.int64)

    def new_words(self) -> None:
        """Number the words anew (2^21 of them fill a key): the shingles known keep their numbers
        (a table being made holds them), and one seen again is numbered again."""
        self.words = _Words()
        self.keys, self.numbers = np.zeros(0, np.int64), np.zeros(0, np.int64)

    def shingle_bytes(self, keys: np.ndarray) -> list[bytes]:
        """The shingles of ``keys`` as bytes, as :func:`_shingle_set` makes them."""
        w, v = self.words.order, self.WORDS
        return [f"{w[a]} {w[b]} {w[c]}".encode() for a, b, c in zip((keys >> 42).tolist(), (keys >> 21 & (v - 1)).tolist(),
                                                                   (keys & (v - 1)).tolist())]

    def number(self, keys: np.ndarray) -> np.ndarray:
        """The numbers of ascending distinct ``keys``, the new ones hashed and added."""
        from hashlib import sha1

        at = np.searchsorted(self.keys, keys)
        known = at < len(self.keys)
        known[known] = self.keys[at[known]] == keys[known]
        out = np.empty(len(keys), dtype=np.int64)
        out[known] = self.numbers[at[known]]
        new = ~known
        if new.any():
            out[new] = np.arange(len(self.hv), len(self.hv) + int(new.sum()))
            digests = np.frombuffer(b"".join([sha1(x).digest() for x in self.shingle_bytes(keys[new])]),
                                    dtype=np.uint8).reshape(-1, 20)
            self.hv = np.concatenate([self.hv, digests[:, :4].copy().view("<u4").ravel()])
            self.ids = np.concatenate([self.ids, digests[:, 4:12].copy().view("<i8").ravel()])
            self.keys = np.insert(self.keys, at[new], keys[new])
            self.numbers = np.insert(self.numbers, at[new], out[new])
        return out


def _shingle_index(items: list[tuple[int, str]], reg: _Registry) -> tuple[list[int], list[int], np.ndarray, np.ndarray]:
    """The word 3-shingles of ``(position, normalised text)`` items of 7 words or more (fewer make
    fewer than 5 shingles): their positions, each one's number of shingles (repeats counted), the
    distinct shingles' keys in ``reg`` (ascending) and, for each shingle of the texts in a row, the
    number of its distinct one in those. Words, not shingles, are looked up one by one (a word
    ends three shingles); a shingle is three word numbers in one integer."""
    spaces = [n.count(" ") for _, n in items]
    texts = [pn for pn, k in zip(items, spaces) if k >= 6]
    if not texts:
        return [], [], np.zeros(0, np.int64), np.zeros(0, np.int64)
    words = " ".join(n for _, n in texts).split(" ")
    wid = np.fromiter(map(reg.words.__getitem__, words), dtype=np.int64, count=len(words))
    if len(reg.words) >= reg.WORDS:  # pragma: no cover - 2 million distinct words: start again
        if len(reg.words) > len(set(words)):
            reg.new_words()
            return _shingle_index(items, reg)
        raise ValueError("too many distinct words in one chunk")
    nwords = np.array([k for k in spaces if k >= 6], dtype=np.int64) + 1
    counts = nwords - 2
    first = np.repeat(np.cumsum(nwords) - nwords, counts) + np.arange(int(counts.sum())) \
        - np.repeat(np.cumsum(counts) - counts, counts)  # each shingle's first word
    key = (wid[first] << 42) | (wid[first + 1] << 21) | wid[first + 2]
    perm = np.argsort(key, kind="stable")  # as np.unique(key, return_inverse=True), whose quicksort is slower here
    ranked = key[perm]
    new = np.r_[True, ranked[1:] != ranked[:-1]]
    inv = np.empty(key.size, dtype=np.int64)
    inv[perm] = np.cumsum(new) - 1
    return [p for p, _ in texts], counts.tolist(), ranked[new], inv


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, element-wise: what datasketch's affine32 scheme applies to
    each hash value before its permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def _signatures(hv: np.ndarray, inv: np.ndarray, starts: np.ndarray, distinct) -> np.ndarray:
    """MinHash signatures of many texts at once, bit for bit those of :func:`_minhash` (tested):
    ``hv`` holds each distinct shingle's 32-bit SHA-1 value (datasketch's ``sha1_hash32``),
    ``inv`` the distinct shingle of each shingle of the texts in a row, text ``i``'s from
    ``starts[i]`` (``distinct()``: the distinct shingles as bytes). The permutations are applied to each distinct shingle once (a stock phrase or a
    form letter's shingle recurs in thousands of texts), and the minima taken one permutation at a
    time, along contiguous memory (several times faster than across a texts x permutations array)."""
    perms, scheme = _permutations()
    if scheme != "affine32":  # pragma: no cover - another datasketch: one MinHash per text
        ends, distinct = np.r_[starts[1:], len(inv)], distinct()
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
    return t.sigs[0], t.band_hashes[0], t.shingles_of(0)


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
    """The features (:func:`text_features`) of many texts in a few arrays and no object per text:
    what a partition's mapper keeps on its worker for the bucket checks (about 0.9 KB a text,
    and it pickles as a few buffers). A text's shingles are ``shingles[offsets[i]:offsets[i + 1]]``:
    their 64-bit identities, ascending, or, where there is a ``vocab`` (the tables :meth:`of` makes),
    their numbers in it in 32 bits (``vocab``: the distinct identities, ascending, so the numbers
    ascend as the identities do); :meth:`shingles_of` and :meth:`shingle_ids` give identities."""

    def __init__(self, positions: np.ndarray, sigs: np.ndarray, band_hashes: np.ndarray,
                 shingles: np.ndarray, offsets: np.ndarray, vocab: np.ndarray | None = None):
        self.positions, self.sigs, self.band_hashes = positions, sigs, band_hashes
        self.shingles, self.offsets, self.vocab = shingles, offsets, vocab

    @classmethod
    def empty(cls, bands: tuple[int, int]) -> FeatureTable:
        return cls(np.zeros(0, np.int64), np.zeros((0, NUM_PERM), np.uint32), np.zeros((0, bands[0]), np.uint64),
                   np.zeros(0, np.int64), np.zeros(1, np.int64))

    @classmethod
    def of(cls, items: list[tuple[int, str]], bands: tuple[int, int]) -> FeatureTable:
        """The features of ``(position, normalised text)`` items, computed :data:`FEATURE_CHUNK`
        texts at a time with one SHA-1 call per distinct shingle of all the items (:class:`_Registry`)
        and the rest in numpy (a MinHash object per text cost several times as much); texts with
        fewer than 5 shingles are left out."""
        most = sum(max(0, n.count(" ") - 1) for _, n in items)
        return cls.gather((items[i:i + FEATURE_CHUNK] for i in range(0, len(items), FEATURE_CHUNK)), len(items), most, bands)

    @classmethod
    def gather(cls, chunks, texts: int, most: int, bands: tuple[int, int]) -> FeatureTable:
        """:meth:`of` the items of ``chunks`` (lists of items, ``texts`` items and at most ``most``
        shingles in all, as a text of w words has at most w - 2), made a chunk at a time, so the
        caller may let go of a chunk's texts once the next one is asked for. Each chunk's features
        are copied into arrays made once for all the texts (pages never written are no memory),
        so the table is not held twice, as chunks and as their concatenation, and the shingles
        are held as 32-bit numbers (at 1,000,000 answers a 550 MB table, not 750 MB twice)."""
        reg = _Registry()
        out = cls(np.empty(texts, np.int64), np.empty((texts, NUM_PERM), np.uint32), np.empty((texts, bands[0]), np.uint64),
                  np.empty(most, np.int32), np.zeros(texts + 1, np.int64))
        rows = 0
        for items in chunks:
            positions, sigs, hashes, numbers, offsets = cls._of_chunk(items, bands, reg)
            k, at = len(positions), int(out.offsets[rows])
            out.positions[rows:rows + k], out.sigs[rows:rows + k], out.band_hashes[rows:rows + k] = positions, sigs, hashes
            out.shingles[at:at + numbers.size] = numbers
            out.offsets[rows + 1:rows + k + 1] = offsets[1:] + at
            rows += k
        end = int(out.offsets[rows])
        # the registry's numbers as the ranks of their identities
        vocab = _sorted_unique(reg.ids)
        rank = np.searchsorted(vocab, reg.ids).astype(np.int32)
        shingles = out.shingles[:end]
        for i in range(0, end, 1 << 22):
            shingles[i:i + (1 << 22)] = rank[shingles[i:i + (1 << 22)]]
        return cls(out.positions[:rows], out.sigs[:rows], out.band_hashes[:rows], shingles, out.offsets[:rows + 1], vocab)

    @classmethod
    def _of_chunk(cls, items: list[tuple[int, str]], bands: tuple[int, int], reg: _Registry) -> tuple:
        """The features of a chunk's items as positions, signatures, band hashes, shingles (each as
        its number in ``reg``) and offsets."""
        positions, counts, keys, inv = _shingle_index(items, reg)
        if not positions:
            return (np.zeros(0, np.int64), np.zeros((0, NUM_PERM), np.uint32), np.zeros((0, bands[0]), np.uint64),
                    np.zeros(0, np.int64), np.zeros(1, np.int64))
        number = reg.number(keys)
        hv, ids = reg.hv[number], reg.ids[number]
        starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
        sigs = _signatures(hv, inv, starts, lambda: reg.shingle_bytes(keys))  # a repeat does not change a minimum
        # each text's distinct shingle identities, sorted: one sort of (text, rank of identity)
        sorted_ids = _sorted_unique(ids)
        rank = np.searchsorted(sorted_ids, ids)
        numbers = np.empty(len(sorted_ids), np.int64)  # a number of each identity
        numbers[rank] = number
        key = np.repeat(np.arange(len(counts), dtype=np.int64), counts) * len(sorted_ids) + rank[inv]
        key = _sorted_unique(key)
        seg = key // len(sorted_ids)
        sizes = np.bincount(seg, minlength=len(counts))
        keep = sizes >= 5
        shingles = numbers[key % len(sorted_ids)][keep[seg]]
        offsets = np.r_[0, np.cumsum(sizes[keep])].astype(np.int64)
        sigs = sigs[keep]
        return np.array(positions, dtype=np.int64)[keep], sigs, _band_hashes(sigs, bands), shingles, offsets

    def shingles_of(self, row: int) -> np.ndarray:
        """The 64-bit identities of row ``row``'s shingles, ascending."""
        s = self.shingles[self.offsets[row]:self.offsets[row + 1]]
        return s if self.vocab is None else self.vocab[s]

    def shingle_ids(self, at: np.ndarray) -> np.ndarray:
        """The 64-bit identities of the shingles at ``at`` (places in ``shingles``), a new array."""
        return self.shingles[at] if self.vocab is None else self.vocab[self.shingles[at]]

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
        """Features of ``positions`` (each must be in a table): views into the tables, but for the
        shingles' identities where a table numbers its shingles (:meth:`FeatureTable.shingles_of`)."""
        idx = np.searchsorted(self.pos, positions)
        if positions.size and (idx.max() >= len(self.pos) or (self.pos[idx] != positions).any()):
            raise KeyError("positions without features")
        out = {}
        for p, ti, r in zip(positions.tolist(), self.table_of[idx].tolist(), self.row_of[idx].tolist()):
            t = self.tables[ti]
            out[p] = (t.sigs[r], t.band_hashes[r], t.shingles_of(r))
        return out



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


def bands_of(sig: np.ndarray, bands: tuple[int, int]) -> np.ndarray:
    """One 64-bit hash per LSH band of a signature. Eight bytes per band instead of a bytes key
    per band keeps the candidate search at a few hundred bytes per distinct text."""
    b, r = bands
    rows = sig[: b * r].astype(np.uint64).reshape(b, r)
    h = np.full(b, 0xCBF29CE484222325, dtype=np.uint64)
    for j in range(r):
        h = _mix(h ^ rows[:, j])
    return h


def worth_checking(sig_a: np.ndarray, sig_b: np.ndarray) -> bool | np.ndarray:
    """Whether a candidate pair's MinHash estimate of the Jaccard similarity is high enough to
    compute the exact one. Texts on the same topic fall into a shared bucket often (a pair at
    0.1 does in 2 % of cases, and a consultation of 100,000 answers has billions of such pairs),
    so most candidates are dropped here, at one vector comparison each. ``sig_a`` may be a
    matrix of signatures: then one answer per row."""
    return (sig_a == sig_b).sum(axis=-1) >= EST_MATCHES


def text_features(norm: str, bands: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """What the near-duplicate search keeps of one normalised text: its MinHash signature, its
    band hashes and its shingles hashed to a sorted int64 array; None when it is too short."""
    sh = _shingles(norm)
    if len(sh) < 5:
        return None
    sig = _minhash(sh)
    return sig, bands_of(sig, bands), np.unique(np.fromiter((hash(x) for x in sh), dtype=np.int64, count=len(sh)))


def band_entries(items: list[tuple[int, str]], bands: tuple[int, int], parts: int,
                 with_features: bool = False):
    """For runners that shuffle between machines: the LSH bucket entries (band, band hash,
    position) of ``(position, normalised text)`` items, as numpy arrays split into ``parts``
    destinations by bucket, so every entry of a bucket goes to the same destination. With
    ``with_features``, also the texts' features as a :class:`FeatureTable`, so the bucket checks
    need neither the texts nor to compute them again."""
    band_l, hash_l, pos_l = [], [], []
    kept: list[tuple[int, tuple]] = []
    for pos, norm in items:
        f = text_features(norm, bands)
        if f is not None:
            band_l.append(np.arange(len(f[1]), dtype=np.uint8))
            hash_l.append(f[1])
            pos_l.append(np.full(len(f[1]), pos, dtype=np.int64))
            if with_features:
                kept.append((pos, f))
    if not pos_l:
        empty = (np.zeros(0, np.uint8), np.zeros(0, np.uint64), np.zeros(0, np.int64))
        pieces = [empty] * parts
    else:
        band, hsh, pos = np.concatenate(band_l), np.concatenate(hash_l), np.concatenate(pos_l)
        dest = (_mix(hsh ^ band.astype(np.uint64)) % np.uint64(parts)).astype(np.int64)
        pieces = [(band[dest == d], hsh[dest == d], pos[dest == d]) for d in range(parts)]
    return (pieces, FeatureTable.build(kept, bands)) if with_features else pieces


class FeatureTable:
    """The features (:func:`text_features`) of many texts in five arrays and no object per text:
    what a partition's mapper keeps on its worker for the bucket checks (about 1.2 KB a text,
    and it pickles as a few buffers)."""

    def __init__(self, positions: np.ndarray, sigs: np.ndarray, band_hashes: np.ndarray,
                 shingles: np.ndarray, offsets: np.ndarray):
        self.positions, self.sigs, self.band_hashes = positions, sigs, band_hashes
        self.shingles, self.offsets = shingles, offsets

    @classmethod
    def build(cls, kept: list[tuple[int, tuple]], bands: tuple[int, int]) -> FeatureTable:
        if not kept:
            return cls(np.zeros(0, np.int64), np.zeros((0, NUM_PERM), np.uint32), np.zeros((0, bands[0]), np.uint64),
                       np.zeros(0, np.int64), np.zeros(1, np.int64))
        sizes = [f[2].size for _, f in kept]
        return cls(np.array([p for p, _ in kept], dtype=np.int64), np.stack([f[0] for _, f in kept]),
                   np.stack([f[1] for _, f in kept]), np.concatenate([f[2] for _, f in kept]),
                   np.r_[0, np.cumsum(sizes)].astype(np.int64))

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


def bucket_links(entries: list[tuple], norms: dict[int, str], bands: tuple[int, int],
                 threshold: float = NEAR_THRESHOLD, features: dict | None = None) -> list[tuple[int, int]]:
    """The near-duplicate links of the buckets in ``entries`` (pieces of :func:`band_entries`
    for one destination): each bucket is checked as the local search checks it, with one
    union-find for all of them, and only the links that joined two groups come back (fewer than
    the texts), so nothing quadratic is listed or sent. Joining those links gives the local
    search's groups: both check each candidate pair in the first band it shares a bucket in, with
    the same two tests, and skipping a pair that is already joined does not change any group.
    ``features`` (position -> :func:`text_features`) may be a cache kept between calls, or a
    :class:`FeatureLookup` of every text's features (then ``norms`` is not read)."""
    entries = [e for e in entries if len(e[2])]
    if not entries:
        return []
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
        links += _link_bucket(np.arange(len(members)), int(band[s]), table, np.array(members), sigs,
                              [feats[p][2] for p in members], groups, threshold)
    return links


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
    norms = {c.position: normalise(c.text) for c in live}
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
    positions, sigs, shingles = [], [], []
    band_rows = []
    for n, pos in first.items():
        f = text_features(n, bands)
        if f is not None:
            positions.append(pos)
            sigs.append(f[0])
            band_rows.append(f[1])
            shingles.append(f[2])
    if positions:
        rows_pos = np.array(positions)
        sig_table = np.stack(sigs)  # distinct texts x NUM_PERM, uint32
        table = np.stack(band_rows)  # distinct texts x bands
        del sigs, band_rows
        for band in range(table.shape[1]):
            for rows in _shared_buckets(table[:, band]):
                _link_bucket(rows, band, table, rows_pos, sig_table, shingles, groups, threshold)
    return apply_links(live, norms, groups, truncated)


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
                 shingles: list[np.ndarray], groups: _Groups, threshold: float) -> list[tuple[int, int]]:
    """Check the pairs of one bucket, all of a row's partners at once: pairs that met in an earlier
    band were checked there, pairs already in one group need no check, pairs whose signatures
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
            keep &= ~(table[rows[idx], :band] == table[row, :band]).any(axis=1)
        idx = idx[keep]
        if not idx.size:
            continue
        if idx.size >= SPARSE_FROM:
            if matrix is None:
                matrix = _shingle_matrix([shingles[r] for r in rows.tolist()])
            inter = (matrix[idx] @ matrix[k].T).toarray().ravel()
        else:
            inter = np.array([np.intersect1d(shingles[row], shingles[rows[i]], assume_unique=True).size
                              for i in idx.tolist()])
        for i in idx[inter / (sizes[k] + sizes[idx] - inter) >= threshold].tolist():
            if labels[i] == labels[k]:
                continue  # joined a moment ago through another partner of this row
            a, b = int(pos[k]), int(pos[i])
            groups.union(a, b)
            joined.append((a, b))
            labels[labels == labels[i]] = labels[k]
    return joined

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

from datasketch import MinHash, MinHashLSH

from .model import Comment
from .textutil import normalise

NEAR_THRESHOLD = 0.4  # word 3-shingle Jaccard; unrelated comments on one topic stay under 0.16 in our labelled threads
MIN_PREFIX_CHARS = 40
MIN_PREFIX_SHARE = 0.3
SHORT_WORDS = 8  # below this, equal texts are copies only from the same author or a few comments apart
SHORT_WINDOW = 3
NUM_PERM = 64


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


@cache
def _permutations() -> tuple:
    """The MinHash permutations of seed 7 and their scheme, made once (making them is most of a
    MinHash's cost); a MinHash made from them hashes exactly as a fresh one of seed 7."""
    mh = MinHash(num_perm=NUM_PERM, seed=7)
    return mh.permutations, mh.scheme


def band_keys(norm: str, bands: tuple[int, int]) -> list[bytes] | None:
    """The LSH bucket keys of one normalised text (None when it is too short to compare)."""
    sh = _shingles(norm)
    if len(sh) < 5:
        return None
    perms, scheme = _permutations()
    mh = MinHash(num_perm=NUM_PERM, seed=7, permutations=perms, scheme=scheme)
    mh.update_batch(list(sh))
    b, r = bands
    hv = mh.hashvalues
    return [bytes([i]) + hv[i * r:(i + 1) * r].byteswap().tobytes() for i in range(b)]


def candidate_pairs(keyed: list[tuple[int, list[bytes]]]) -> list[tuple[int, int]]:
    """Pairs of positions that share an LSH bucket, sorted (earlier position first)."""
    buckets: dict[bytes, list[int]] = {}
    for pos, keys in keyed:
        for k in keys:
            buckets.setdefault(k, []).append(pos)
    pairs = set()
    for members in buckets.values():
        if len(members) > 1:
            members = sorted(set(members))
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
    return sorted(pairs)


def similar(a: str, b: str, threshold: float = NEAR_THRESHOLD) -> bool:
    """The exact Jaccard similarity of the word 3-shingles decides."""
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) >= threshold


def exact_and_prefix(live: list[Comment], norms: dict[int, str], groups: _Groups) -> tuple[dict[str, int], set[str]]:
    """Union exact copies and truncated copies; returns the first position of each distinct text
    and the texts that are truncated copies of longer ones.

    A short text ("Nei.", "Helt enig!") is something many people write on their own: it is a
    copy only when the same author posted it again or it follows within a few comments (a
    double post), never because someone else gave the same short answer."""
    first: dict[str, int] = {}
    recent: dict[str, Comment] = {}
    for c in live:
        n = norms[c.position]
        if len(n.split()) < SHORT_WORDS:
            prev = recent.get(n)
            if prev is not None and (c.position - prev.position <= SHORT_WINDOW or
                                     (c.author and c.author == prev.author)):
                groups.union(prev.position, c.position)
            recent[n] = c
            first.setdefault(n, c.position)
        elif n in first:
            groups.union(first[n], c.position)
        else:
            first[n] = c.position
    # truncated copies: a prefix sorts right before the texts it starts
    truncated: set[str] = set()
    order = sorted(first.items())  # distinct normalised texts
    for i, (short, pos) in enumerate(order):
        if len(short) < MIN_PREFIX_CHARS:
            continue
        for long_text, other in order[i + 1:]:
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
    depend on the order pairs are checked in, so the distributed runner, which finds the
    candidate pairs by shuffling bucket keys, links exactly the same comments.
    """
    live, norms, groups, first, truncated = link_copies(comments)
    bands = lsh_bands(threshold)
    keyed = [(pos, k) for n, pos in first.items() if (k := band_keys(n, bands))]
    for a, b in candidate_pairs(keyed):
        if groups.find(a) != groups.find(b) and similar(norms[a], norms[b], threshold):
            groups.union(a, b)
    return apply_links(live, norms, groups, truncated)

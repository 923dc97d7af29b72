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

from datasketch import MinHash, MinHashLSH

from .model import Comment
from .textutil import normalise

NEAR_THRESHOLD = 0.7
MIN_PREFIX_CHARS = 40
MIN_PREFIX_SHARE = 0.3
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


def link_duplicates(comments: list[Comment], threshold: float = NEAR_THRESHOLD) -> dict:
    """Mark duplicates in place; returns counts by kind."""
    live = [c for c in comments if c.status == "kept" and c.text.strip()]
    norms = {c.position: normalise(c.text) for c in live}
    groups = _Groups()
    for c in live:
        groups.find(c.position)

    # exact
    first: dict[str, int] = {}
    for c in live:
        n = norms[c.position]
        if n in first:
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

    # near-identical texts
    # LSH finds candidates generously; the exact Jaccard of the shingle sets decides
    lsh = MinHashLSH(threshold=max(0.5, threshold - 0.2), num_perm=NUM_PERM)
    shingle_sets: dict[int, set[bytes]] = {}
    for n, pos in sorted(first.items(), key=lambda kv: kv[1]):
        sh = _shingles(n)
        if len(sh) < 5:
            continue
        shingle_sets[pos] = sh
        mh = MinHash(num_perm=NUM_PERM, seed=7)
        mh.update_batch(list(sh))
        for cand in sorted(lsh.query(mh)):
            a, b = shingle_sets[cand], sh
            if len(a & b) / len(a | b) >= threshold:
                groups.union(cand, pos)
        lsh.insert(pos, mh)

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

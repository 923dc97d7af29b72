"""Exact and truncated copies: the first phase of the duplicate search, on the whole thread
(normal forms, the groups they make, each distinct text's first position), and writing the
groups found by every phase onto the comments (:func:`apply_links`)."""

from __future__ import annotations

from ..contract import Comment
from .normal import normal_forms

MIN_PREFIX_CHARS = 40
MIN_PREFIX_SHARE = 0.3
SHORT_WORDS = 8  # below this, equal texts are copies only from the same author, or unsigned and back to back


class Groups:
    """Union-find over comment positions; the earliest position of a group is its root."""

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



def exact_and_prefix(live: list[Comment], norms: dict[int, str], groups: Groups) -> tuple[dict[str, int], set[str]]:
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
        if n.count(" ") < SHORT_WORDS - 1:  # words: a normal form has one space between two (textutil.normalise)
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


def apply_links(live: list[Comment], norms: dict[int, str], groups: Groups, truncated: set[str]) -> dict:
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
    distinct = list(dict.fromkeys([c.text for c in live]))  # copies are normalised once and share it
    once = dict(zip(distinct, normal_forms(distinct)))  # textutil.normalise of each, many at a time
    norms = {c.position: once[c.text] for c in live}
    del once, distinct
    groups = Groups()
    for c in live:
        groups.find(c.position)
    first, truncated = exact_and_prefix(live, norms, groups)
    return live, norms, groups, first, truncated



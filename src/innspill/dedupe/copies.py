"""Exact and truncated copies: the first phase of the duplicate search, on the whole thread
(normal forms, the groups they make, each distinct text's first position), and writing the
groups found by every phase onto the comments (:func:`apply_links`)."""

from __future__ import annotations

import numpy as np

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


class Norms:
    """The live comments' normal forms: each comment's form number (``numbers``, numbered in order
    of first use; ``positions``: the comments', in the same order) and the distinct forms
    (``forms``). :meth:`kind` tells how two forms are alike from their numbers and a copy of the
    forms that start another form or start with another (:meth:`hold_prefixes`), so the forms
    themselves may be let go (:meth:`forget`) once their features are made: at 1,000,000 answers,
    300 MB of text not held during the near-duplicate search."""

    def __init__(self, positions: np.ndarray, numbers: np.ndarray, forms: list[str]):
        self.positions, self.numbers, self.forms = positions, numbers, forms
        self._by_position = np.argsort(positions, kind="stable")
        self._empty = next((k for k, f in enumerate(forms) if f == ""), -1)
        self._slot: np.ndarray | None = None  # until hold_prefixes: the forms are read

    def number_of(self, positions: np.ndarray) -> np.ndarray:
        """The form numbers of the comments at ``positions`` (each a live comment's)."""
        order = self._by_position
        return self.numbers[order[np.searchsorted(self.positions[order], positions)]]

    def hold_prefixes(self, related: np.ndarray) -> None:
        """Keep a copy of the forms where ``related`` (one flag a form) in one string, apart from
        the forms (which many small objects left between them would keep in memory)."""
        slot = np.full(len(self.forms), -1, dtype=np.int64)
        slot[related] = np.arange(int(related.sum()))
        held = [self.forms[k] for k in np.flatnonzero(related).tolist()]
        self._slot, self._held = slot, "".join(held)
        self._ends = np.cumsum([len(f) for f in held], dtype=np.int64)

    def _prefix_form(self, k: int) -> str | None:
        if self._slot is None:
            return self.forms[k]
        i = int(self._slot[k])
        return None if i < 0 else self._held[int(self._ends[i - 1]) if i else 0:int(self._ends[i])]

    def forget(self, numbers) -> None:
        """Let go of the forms of ``numbers`` (:meth:`kind` does not read them)."""
        for k in numbers:
            self.forms[k] = None

    def kind(self, x: int, y: int) -> str:
        """``exact`` when the forms numbered ``x`` and ``y`` are the same, ``prefix`` when one
        starts the other, else ``near``."""
        if x == y:
            return "exact"
        if self._empty in (x, y):  # what every form starts with (held apart)
            return "prefix"
        fx, fy = self._prefix_form(x), self._prefix_form(y)
        if fx is None or fy is None:  # one of them starts no other form and starts with none
            return "near"
        return "prefix" if fx.startswith(fy) or fy.startswith(fx) else "near"


def exact_and_prefix(live: list[Comment], norms: Norms, groups: Groups) -> tuple[list[int], np.ndarray]:
    """Union exact copies and truncated copies; returns the first position of each distinct text
    (by its number in ``norms``) and which texts (one flag each) are truncated copies of longer
    ones, and has ``norms`` hold the texts that start another or start with another.

    A short text ("Nei.", "3 - No.", "Helt enig!") is something many people write on their own:
    it is a copy only when the same author posted it before, or, where neither comment names an
    author, when it follows the comment before directly (a double post). Two different authors,
    or two unsigned comments with others between them, gave the same answer: both count."""
    forms = norms.forms
    short = [f.count(" ") < SHORT_WORDS - 1 for f in forms]  # words: one space between two (textutil.normalise)
    first: list = [None] * len(forms)
    by_author: dict[tuple[int, str], int] = {}  # (text, author) -> the author's first position of it
    previous: Comment | None = None  # the comment just before, among those that take part
    previous_n = -1
    for c, n in zip(live, norms.numbers.tolist()):
        if short[n]:
            if c.author:
                earlier = by_author.setdefault((n, c.author), c.position)
                if earlier != c.position:
                    groups.union(earlier, c.position)
            elif previous is not None and not previous.author and previous_n == n:
                groups.union(previous.position, c.position)
        elif first[n] is not None:
            groups.union(first[n], c.position)
        if first[n] is None:
            first[n] = c.position
        previous, previous_n = c, n
    # truncated copies: a prefix sorts right before the texts it starts
    truncated = np.zeros(len(forms), dtype=bool)
    order = sorted(range(len(forms)), key=forms.__getitem__)  # distinct normalised texts
    for i, k in enumerate(order):
        short_text = forms[k]
        if len(short_text) < MIN_PREFIX_CHARS:
            continue
        for j in range(i + 1, len(order)):  # not order[i + 1:]: copying the rest for every text is quadratic
            long_text = forms[order[j]]
            if not long_text.startswith(short_text):
                break
            if len(short_text) >= MIN_PREFIX_SHARE * len(long_text):
                groups.union(first[k], first[order[j]])
                truncated[k] = True
    norms.hold_prefixes(_related(forms, order))
    return first, truncated


def _related(forms: list[str], order: list[int]) -> np.ndarray:
    """Which of the non-empty ``forms`` start another or start with another (``order``: the
    numbers in the order of their forms). The forms that start a form are forms before it in that
    order: a stack of them is kept (each a prefix of the next), so each form is pushed and popped
    once."""
    related = np.zeros(len(forms), dtype=bool)
    chain: list[int] = []
    for k in order:
        f = forms[k]
        if not f:
            continue
        while chain and not f.startswith(forms[chain[-1]]):
            chain.pop()
        if chain:
            related[k] = related[chain[-1]] = True
        chain.append(k)
    return related


def apply_links(live: list[Comment], norms: Norms, groups: Groups, truncated: np.ndarray) -> dict:
    """Write ``duplicate_of``/``duplicate_how``/``status`` from the groups; returns counts by kind."""
    counts = {"exact": 0, "prefix": 0, "near": 0}
    positions = np.fromiter((c.position for c in live), dtype=np.int64, count=len(live))
    roots = np.fromiter((groups.find(p) for p in positions.tolist()), dtype=np.int64, count=len(live))
    dup = np.flatnonzero(roots != positions)
    by_pos = {c.position: c for c in live}
    for i, root, x, y in zip(dup.tolist(), roots[dup].tolist(), norms.number_of(positions[dup]).tolist(),
                             norms.number_of(roots[dup]).tolist()):
        how = norms.kind(x, y)
        c = live[i]
        c.duplicate_of, c.duplicate_how, c.status = by_pos[root].id, how, "duplicate"
        counts[how] += 1
    for i in np.flatnonzero(truncated[norms.number_of(positions)]).tolist():
        if "truncated" not in live[i].flags:
            live[i].flags.append("truncated")
    return counts


def copies(comments: list[Comment]) -> tuple[list[Comment], Norms, Groups, list[int], np.ndarray]:
    """The first phase, on the whole thread: the comments that take part, their normal forms
    (:class:`Norms`), the groups with exact and truncated copies joined, each distinct form's first
    position (by its number) and which forms are truncated copies (a flag each)."""
    live = [c for c in comments if c.status == "kept" and c.text.strip()]
    distinct = {t: i for i, t in enumerate(dict.fromkeys([c.text for c in live]))}  # copies are normalised once
    numbers: dict[str, int] = {}  # distinct normal form -> its number, in order of first use
    of_text = np.fromiter((numbers.setdefault(f, len(numbers)) for f in normal_forms(list(distinct))),
                          dtype=np.int32, count=len(distinct))
    at = np.fromiter((distinct[c.text] for c in live), dtype=np.int64, count=len(live))
    norms = Norms(np.fromiter((c.position for c in live), dtype=np.int64, count=len(live)), of_text[at], list(numbers))
    del distinct, numbers, of_text, at
    groups = Groups()
    for c in live:
        groups.find(c.position)
    first, truncated = exact_and_prefix(live, norms, groups)
    return live, norms, groups, first, truncated


def link_copies(comments: list[Comment]):
    """:func:`copies`, with each distinct form's first position as a dict (normal form ->
    position, in order of first use), as runners that hand the texts out take it."""
    live, norms, groups, first, truncated = copies(comments)
    return live, norms, groups, dict(zip(norms.forms, first)), truncated

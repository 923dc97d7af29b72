"""The comments no later stage reads, kept on disk instead of in memory (issue 19: the Dask client
at 1,000,000 answers).

Once the language stage has run, a comment that is not analysed (a copy of another comment, or a
comment not kept: spam, empty, held, ...) is only counted and written: no later stage reads its
text or changes it (segmentation, stance, the stance model, privacy and the themes read the
analysed comments; privacy also reads every comment's author). :class:`SpilledComments` keeps the
analysed comments in memory and pickles the others into a temporary file, a partition at a time.
It is a sequence of every comment in the thread's order, so ``Analysis.write_json`` (the JSON
written comment by comment) and ``Analysis.stats`` read it as they read a list; iterating brings
back one partition at a time and lets it go, so the process never holds the spilled comments
together again. A comment read back is a copy: changing it changes nothing in the sequence.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator, Sequence

import numpy as np

PART = 10_000  # spilled comments per pickled partition (a partition is what iteration holds at once)
_RUN = 65_536  # positions looked at per step of an iteration


def analysed(c) -> bool:
    """The comments the stages after language read: kept and not a copy (``Analysis.distinct``)."""
    return c.status == "kept" and c.duplicate_of is None


class SpilledComments(Sequence):
    """Every comment of ``comments``, in order; the analysed ones in memory (:attr:`analysed`), the
    others pickled to a temporary file (removed when this object is collected or the process exits)
    in partitions of ``part`` comments. The caller drops its own list afterwards: the spilled
    comments' memory is freed only when nothing else holds them."""

    def __init__(self, comments: Sequence, part: int | None = None):
        self.part = part or PART
        self.analysed: list = []
        self._spilled = np.zeros(len(comments), dtype=bool)
        self._file = tempfile.TemporaryFile(prefix="innspill-comments-")
        self._parts: list[tuple[int, int]] = []  # (offset, length) of each pickled partition in the file
        self._end = 0
        batch: list = []
        for i, c in enumerate(comments):
            if analysed(c):
                self.analysed.append(c)
                continue
            self._spilled[i] = True
            batch.append(c)
            if len(batch) == self.part:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)
        # spilled comments at or before each position: a position's rank among the spilled or the kept
        self._upto = np.cumsum(self._spilled, dtype=np.int64)
        self._cached: tuple[int, list] | None = None  # the partition last read by index

    @property
    def spilled(self) -> int:
        """How many comments are on disk."""
        return int(self._upto[-1]) if len(self._upto) else 0

    @property
    def bytes_on_disk(self) -> int:
        """The size of the pickled partitions."""
        return self._end

    def _write(self, batch: list) -> None:
        data = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(data)
        self._file.flush()
        self._parts.append((self._end, len(data)))
        self._end += len(data)

    def _read(self, p: int) -> list:
        offset, length = self._parts[p]
        return pickle.loads(os.pread(self._file.fileno(), length, offset))

    def __len__(self) -> int:
        return len(self._spilled)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("comment index out of range")
        if not self._spilled[i]:
            return self.analysed[i - int(self._upto[i])]
        p, k = divmod(int(self._upto[i]) - 1, self.part)
        if self._cached is None or self._cached[0] != p:
            self._cached = (p, self._read(p))
        return self._cached[1][k]

    def __iter__(self) -> Iterator:
        kept = iter(self.analysed)
        spilled = (c for p in range(len(self._parts)) for c in self._read(p))
        for s in range(0, len(self._spilled), _RUN):
            for is_spilled in self._spilled[s:s + _RUN].tolist():
                yield next(spilled) if is_spilled else next(kept)

    def __eq__(self, other):
        if isinstance(other, (list, SpilledComments)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # a sequence that compares by value, as a list

    def __reduce__(self):
        return list, (list(self),)  # a copy (pickle, deepcopy) is a plain list

    def __repr__(self) -> str:
        return f"<SpilledComments: {len(self):,} comments, {self.spilled:,} of them on disk>"

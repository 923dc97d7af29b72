"""Handing freed memory back to the system between the phases of a large stage (the duplicate search, the themes)."""

from __future__ import annotations

import ctypes

_TRIM = None  # glibc's malloc_trim once looked up; False where there is none


def release_memory() -> None:
    """Hand memory the process has freed back to the system where the C library can (glibc's
    ``malloc_trim``, a few milliseconds): freed text and arrays of up to some MB otherwise stay in
    the process's resident memory, in holes between live blocks that larger arrays, mapped apart,
    do not reuse (at 1,000,000 answers, 200 MB after the features and 400 MB after the search)."""
    global _TRIM
    if _TRIM is None:
        try:
            _TRIM = ctypes.CDLL(None).malloc_trim  # the C library the process runs with
        except (OSError, AttributeError):  # not glibc
            _TRIM = False
    if _TRIM:
        _TRIM(0)

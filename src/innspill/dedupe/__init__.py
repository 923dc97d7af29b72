"""Link duplicates: exact copies, truncated copies, and near-identical texts.

Nothing is deleted: a duplicate keeps its place with ``status = "duplicate"``,
``duplicate_of`` (the first copy's id) and ``duplicate_how``:

* ``exact``: the same text after normalisation (case, punctuation, spacing);
* ``prefix``: one is the other cut off (a truncated copy; the shorter one is
  flagged ``truncated``);
* ``near``: near-identical texts such as form letters, found with MinHash/LSH
  over word 3-shingles and confirmed by their exact Jaccard similarity.

The parts: :mod:`.copies` (exact and truncated copies, writing the groups onto the comments),
:mod:`.normal` (the texts' normal forms, many at a time),
:mod:`.features` (shingles, MinHash signatures, LSH band hashes), :mod:`.buckets` (which
candidate pairs in the LSH buckets are checked, and splitting large buckets; its constants,
such as ``LARGE_BUCKET``, are read there at each call) and :mod:`.jaccard` (exact Jaccard
similarity of many pairs at once). Everything callers use is importable from here.

Memory (issue 19): at 1,000,000 answers the search holds the comments' normal forms only until
their features are made (:class:`Norms` keeps their numbers and the few forms that start one
another), the features in one table of compact arrays (32-bit shingle numbers, bucket numbers
during the search), and lists candidate pairs a band at a time in 32 bits; freed memory is handed
back between phases (:mod:`.memory`).
"""

from __future__ import annotations

import numpy as np

from ..contract import Comment
from ..memory import release_memory
from .buckets import (
    CHECK_ALL_PER_GROUP,
    LARGE_BUCKET,
    PRODUCT_PAIRS,
    SMALL_BUCKET,
    SPLIT_CHAINS,
    SPLIT_TO,
    bucket_links,
    bucket_numbers,
    large_buckets,
    link_near,
)
from .copies import (
    MIN_PREFIX_CHARS,
    MIN_PREFIX_SHARE,
    SHORT_WORDS,
    Groups,
    Norms,
    apply_links,
    copies,
    exact_and_prefix,
    link_copies,
)
from .features import (
    EST_MATCHES,
    FEATURE_CHUNK,
    NEAR_THRESHOLD,
    NUM_PERM,
    FeatureLookup,
    FeatureTable,
    band_entries,
    bands_of,
    lsh_bands,
    text_features,
    worth_checking,
)

__all__ = [
    "CHECK_ALL_PER_GROUP", "EST_MATCHES", "FEATURE_CHUNK", "LARGE_BUCKET", "MIN_PREFIX_CHARS", "MIN_PREFIX_SHARE",
    "NEAR_THRESHOLD", "NUM_PERM", "PRODUCT_PAIRS", "SHORT_WORDS", "SMALL_BUCKET", "SPLIT_CHAINS", "SPLIT_TO",
    "FeatureLookup", "FeatureTable", "Groups", "Norms", "apply_links", "band_entries", "bands_of", "bucket_links", "bucket_numbers",
    "copies", "exact_and_prefix", "large_buckets", "link_copies", "link_duplicates", "link_near", "lsh_bands", "text_features",
    "worth_checking",
]


def link_duplicates(comments: list[Comment], threshold: float = NEAR_THRESHOLD) -> dict:
    """Mark duplicates in place; returns counts by kind.

    Groups are the connected components of: equal normalised texts, truncated copies, and
    LSH candidate pairs whose exact shingle Jaccard reaches ``threshold``. Components do not
    depend on the order pairs are checked in, so the distributed runner, which checks the
    buckets apart after shuffling their entries (:func:`band_entries`, :func:`bucket_links`),
    links exactly the same comments.
    """
    live, norms, groups, first, truncated = copies(comments)
    bands = lsh_bands(threshold)
    t = _features(norms, first, bands)
    del first
    release_memory()  # the forms' text let go while the features were made
    if len(t):
        t.band_hashes = bucket_numbers(t.band_hashes)  # what link_near compares, in half the memory
        # the rows' groups so far (exact and truncated copies): pairs inside one are never checked
        roots = np.fromiter((groups.find(p) for p in t.positions.tolist()), dtype=np.int64, count=len(t))
        for a, b in link_near(t, roots, threshold, bands):
            groups.union(a, b)
    del t
    counts = apply_links(live, norms, groups, truncated)
    del live, norms, groups
    release_memory()
    return counts


def _features(norms: Norms, first: list[int], bands: tuple[int, int]) -> FeatureTable:
    """The features of every distinct normal form (at its first position), made
    :data:`FEATURE_CHUNK` forms at a time; each chunk's forms are forgotten (:meth:`Norms.forget`)
    once its features are made, so the text and the table are not held in full together."""
    forms = norms.forms
    most = sum(max(0, f.count(" ") - 1) for f in forms)

    def chunks():
        for i in range(0, len(forms), FEATURE_CHUNK):
            numbers = range(i, min(i + FEATURE_CHUNK, len(forms)))
            yield [(first[k], forms[k]) for k in numbers]
            norms.forget(numbers)
            release_memory()

    return FeatureTable.gather(chunks(), len(forms), most, bands)

"""A stand-in for the embedding model, for the memory benchmark only.

It returns a deterministic unit vector per text (seeded by the text's hash) in microseconds, so
the whole pipeline can run over 100,000 answers in minutes on a laptop and its memory can be
measured stage by stage. Everything but the model is the real code: the in-memory and disk
caches, the slices of units, the themes' clustering on 384-dimensional vectors. What it cannot
show is the engine's own buffers (measured by the real-model rows of the same benchmark, and
constant per batch) and the exact themes (random vectors cluster differently from real ones).
"""

from __future__ import annotations

import hashlib

import numpy as np

from innspill.embed import DIM, Embedder


class _HashModel:
    def _vectors(self, texts: list[str], prefix: str) -> np.ndarray:
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b((prefix + t).encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts, "p:")

    def query(self, texts: list[str]) -> np.ndarray:
        return self._vectors(texts, "q:")


class StandInEmbedder(Embedder):
    """An :class:`Embedder` whose model is :class:`_HashModel` (its version says so)."""

    @property
    def model(self):
        return _HashModel()

    @property
    def version(self) -> str:
        return "stand-in hash vectors (benchmark only)"

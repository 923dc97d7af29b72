""":func:`textutil.normalise <innspill.textutil.normalise>` of many texts at once, with the same
results (tested): the duplicate search normalises every distinct text of a thread, and one call
per text (a regular expression's list of words, then joining it) was about a tenth of its time at
1,000,000 answers.

Each text is put in NFKC on its own (a text already in NFKC, most, is seen to be so at once); a
chunk of them is joined with NUL between them and case-folded in one call (case folding maps each
character on its own, so it gives the texts' own results joined by NUL). The words are then found
in numpy, one code of each character at a time: ``WORD_RE`` matches runs of word characters (a
character the pattern ``[^\\W_]`` matches) joined by single connectors (``-``, ``'``, ``’``), so a
connector belongs to a word exactly when word characters stand on both sides of it; everything
else between two words of a text becomes one space, and what stands before its first word or
after its last goes. A chunk with a NUL inside a text, or characters that cannot be encoded (lone
surrogates), is normalised a text at a time."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from .. import textutil

CHUNK = 4_096  # texts normalised in one step (a few MB of temporaries)
# the pattern reproduced here: another WORD_RE makes normal_forms call textutil.normalise per text
_PATTERN = r"[^\W_]+(?:[-'’][^\W_]+)*"
_CONNECTORS = "-'’"
_WORD_CHAR = re.compile(r"[^\W_]")
_classes = np.full(0x110000, 255, dtype=np.uint8)  # code point -> 0 other, 1 word character, 2 connector; 255 not yet known


def _classes_of(cp: np.ndarray) -> np.ndarray:
    """The classes of the code points in ``cp``, one each (worked out once per code point)."""
    cls = _classes[cp]
    if (cls == 255).any():
        for c in np.unique(cp[cls == 255]).tolist():
            ch = chr(c)
            _classes[c] = 1 if _WORD_CHAR.fullmatch(ch) else 2 if ch in _CONNECTORS else 0
        cls = _classes[cp]
    return cls


def _codes(s: str) -> tuple[np.ndarray | None, str]:
    """The code points of ``s`` in the narrowest array that holds them, and its encoding."""
    for enc, dtype in (("latin-1", np.uint8), ("utf-16-le", np.uint16), ("utf-32-le", np.uint32)):
        try:
            b = s.encode(enc)
        except UnicodeEncodeError:
            continue
        if len(b) == len(s) * np.dtype(dtype).itemsize:  # not so in UTF-16 with characters past U+FFFF
            return np.frombuffer(b, dtype=dtype), enc
    return None, ""


def normal_forms(texts: list[str]) -> list[str]:
    """``[textutil.normalise(t) for t in texts]``, many texts at a time."""
    if textutil.WORD_RE.pattern != _PATTERN:  # pragma: no cover - the pattern changed: normalise per text
        return [textutil.normalise(t) for t in texts]
    out: list[str] = []
    for i in range(0, len(texts), CHUNK):
        out += _normal_chunk(texts[i:i + CHUNK])
    return out


def _normal_chunk(texts: list[str]) -> list[str]:
    if not texts:
        return []
    # NFKC one text at a time: a chunk with one text not in NFKC would be normalised whole
    joined = "\x00".join([unicodedata.normalize("NFKC", t) for t in texts])
    if joined.count("\x00") != len(texts) - 1:  # a NUL inside a text
        return [textutil.normalise(t) for t in texts]
    s = joined.casefold()
    cp, enc = _codes(s)
    if cp is None:  # lone surrogates
        return [textutil.normalise(t) for t in texts]
    if int(np.count_nonzero(cp == 0)) != len(texts) - 1:  # pragma: no cover - NFKC made or removed a NUL
        return [textutil.normalise(t) for t in texts]
    if not cp.size:
        return [""] * len(texts)
    cls = _classes_of(cp)
    word = cls == 1
    link = cls == 2
    link[0] = link[-1] = False
    link[1:-1] &= word[:-2] & word[2:]  # a connector between two word characters
    word |= link
    keep = word | (cp == 0)
    pos = np.flatnonzero(keep)
    w = word[pos]
    # two words of one text, apart: the first character between them becomes the one space
    space = pos[:-1][(pos[1:] - pos[:-1] > 1) & w[1:] & w[:-1]] + 1
    keep[space] = True
    cp = cp.copy()
    cp[space] = 32
    return cp[keep].tobytes().decode(enc).split("\x00")

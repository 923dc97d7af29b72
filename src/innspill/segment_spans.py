"""Offsets around a position in a comment: where its sentence or paragraph starts and ends,
where an answer starts after a reference that leads in, and an answer's span without its
surrounding white space. Segmentation cuts answers at these (:mod:`.segment`,
:mod:`.segment_anchors`)."""

from __future__ import annotations

import re

from .textutil import sentences, words


def sentence_start(text: str, pos: int) -> int:
    """Start of the sentence that holds ``pos``."""
    cuts = [text.rfind("\n", 0, pos) + 1] + [text.rfind(p, 0, pos) + 2 for p in (". ", "! ", "? ")
                                             if text.rfind(p, 0, pos) >= 0]
    i = max(cuts)
    while i < pos and text[i].isspace():
        i += 1
    return i


def after_lead_in(text: str, sentence_start: int, ref_end: int) -> int:
    """Where the answer starts: after "Til spørsmål 2:" / "On question 2," when the reference leads in."""
    m = re.compile(r"(?:\s+(?:ditt|your|then))?\s*[:,–—-]\s*").match(text, ref_end)
    if m and len(words(text[sentence_start:ref_end])) <= 5 and m.end() < len(text):
        return m.end()
    return sentence_start


def sentence_end(text: str, pos: int) -> int:
    """End of the sentence that holds ``pos`` (or the text's end)."""
    return next((e for s, e in sentences(text, pos) if e > pos), len(text))


def paragraph_end(text: str, pos: int) -> int:
    """End of the paragraph that holds ``pos`` (a blank line ends one), or the text's end."""
    m = re.compile(r"\n[ \t]*\n").search(text, pos)
    return m.start() if m else len(text)


def trim_span(text: str, s: int, e: int) -> tuple[int, int]:
    """``text[s:e]`` without its surrounding white space, as (start, end): how segmentation trims
    an answer (the web app's review page trims a corrected span the same way)."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e

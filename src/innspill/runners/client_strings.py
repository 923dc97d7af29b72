"""Strings the Dask client holds once (issue 19: the client's memory at scale).

What the client gets back from the workers is unpickled as new strings: ids, stage and rule names
are swapped for the client's own (:func:`share_ids`, :func:`shared_names`). And what it sends them
(:func:`fresh_texts`, :func:`as_bytes`): see below. The values never change, so neither does the
analysis.
"""

from __future__ import annotations

import sys


# Pickling a str that is not ASCII stores its UTF-8 form inside the str for as long as it lives
# (CPython's pickle asks for it), so every text the client sends to the workers would be held
# twice on the client (at 600 generated comments, the analysed comments' originals 222 -> 414 KB).
# The client therefore sends texts it keeps as bytes (``str.encode`` stores nothing), and copies
# the texts it sent inside comments and answers once the workers have them (fresh_texts).
def as_bytes(t: str) -> bytes:
    return t.encode("utf-8", "surrogatepass")


def as_text(b: bytes) -> str:
    return b.decode("utf-8", "surrogatepass")


def fresh_texts(comments: list, answers: list) -> None:
    """The comments' and answers' texts that are not ASCII as new strings (equal, without the UTF-8
    form pickling left in them); a comment whose text is its original keeps one string for both."""
    for c in comments:
        if not c.original.isascii():
            shared, c.original = c.text is c.original, as_text(as_bytes(c.original))
            if shared:
                c.text = c.original
        if not c.text.isascii() and c.text is not c.original:
            c.text = as_text(as_bytes(c.text))
    for a in answers:
        if not a.text.isascii():
            a.text = as_text(as_bytes(a.text))


def shared_names(prov: dict) -> dict:
    """A provenance from the workers with its names (the stage, the rule) as one string per name,
    not one per answer; the same keys in the same order and equal values."""
    return {k: sys.intern(v) if type(v) is str else v for k, v in prov.items()} if type(prov) is dict else prov


def share_ids(answers: list, comments: list, questions: list) -> list:
    """The answers as unpickled from the workers each carry their own copy of their comment's and
    question's id: they get the client's strings instead (the same values, so the same analysis;
    with the languages shared, 281 bytes fewer per comment read at 3,000 comments: held_bytes.py)."""
    ids = {c.id: c.id for c in comments}
    ids.update((q.id, q.id) for q in questions)
    for a in answers:
        a.comment_id, a.question_id = ids.get(a.comment_id, a.comment_id), ids.get(a.question_id, a.question_id)
    return answers

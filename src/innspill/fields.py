"""Answers taken straight from table cells (``how: "field"``).

A consultation exported with a column per question already says which question
each cell answers: the reader puts the cells in the comment's text, one
paragraph each, and records each cell's span in ``original`` under
``comment.fields``. After repair, the spans are mapped through the repairs to
``text``, so ``answer.text == comment.text[start:end]`` holds as for every
other answer; no segmentation guesswork is involved.
"""

from __future__ import annotations

from .contract import Answer, Comment, Question, Repair


def map_offset(repairs: list[Repair], pos: int) -> int:
    """Where offset ``pos`` of ``original`` lands in ``text`` after ``repairs``."""
    shift = 0
    for r in sorted(repairs, key=lambda r: r.offset):
        end = r.offset + len(r.before)
        if end <= pos:
            shift += len(r.after) - len(r.before)
        elif r.offset < pos:  # inside a repaired stretch: its end in ``text``
            return r.offset + shift + len(r.after)
        else:
            break
    return pos + shift


def field_answers(comments: list[Comment], questions: list[Question]) -> list[Answer]:
    """One answer per non-empty cell of each comment that has ``fields``."""
    known = {q.id for q in questions}
    answers = []
    for c in comments:
        for qid, (start, end) in (c.fields or {}).items():
            if qid not in known:
                continue
            s, e = map_offset(c.repairs, start), map_offset(c.repairs, end)
            while s < e and c.text[s].isspace():
                s += 1
            while e > s and c.text[e - 1].isspace():
                e -= 1
            if e > s:
                answers.append(Answer(comment_id=c.id, question_id=qid, text=c.text[s:e], start=s, end=e,
                                      how="field", score=1.0, provenance={"stage": "fields"}))
    return answers

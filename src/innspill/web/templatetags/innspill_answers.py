"""Answers shown under their question (issue 20): a form answer's per-question spans
(``Comment.fields``) as (number, question, answer) rows, in the questions' order."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def answers_of(comment, questions) -> list[tuple[int, str, str]]:
    """``[(number, question text, answer), …]`` for a comment sent through the form; ``[]`` for a
    free comment or an import (shown as its text)."""
    fields = getattr(comment, "fields", None) or {}
    if not fields:
        return []
    out = []
    for q in questions:
        span = fields.get(q.qid)
        if span:
            s, e = span
            out.append((q.number, q.text, comment.text[s:e]))
    return out

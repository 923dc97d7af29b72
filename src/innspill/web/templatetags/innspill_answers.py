"""Answers shown under their question (issue 20): a form answer's per-question spans
(``Comment.fields``) as (number, question, answer) rows, in the questions' order."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def answers_of(comment, questions) -> list[tuple[int, str, str]]:
    """``[(number, question text, answer), …]`` for a comment sent through the form; ``[]`` for a
    free comment, an import, or a form answer one of whose fields no longer matches a question
    (deleted or renumbered since): those are shown as their whole text, so a moderator never
    approves text they did not see."""
    fields = getattr(comment, "fields", None) or {}
    if not fields:
        return []
    by_qid = {q.qid: q for q in questions}
    if any(k not in by_qid for k in fields):
        return []
    out = []
    for q in questions:
        span = fields.get(q.qid)
        if span:
            s, e = span
            out.append((q.number, q.text, comment.text[s:e]))
    outside = comment.text
    for s, e in sorted(fields.values(), reverse=True):
        outside = outside[:s] + outside[e:]
    return [] if outside.strip() else out  # text outside the fields: show the whole text instead

"""Read JSONL: one JSON object a line.

Comment records: ``{"id", "author", "text", "parent_id", "posted_at"}`` (only
``text`` is required). Optional records give the post or the questions:
``{"post": "…"}`` and ``{"question": "…", "number": 1}``. A record may carry
``"status"`` (kept, spam, trash, held, rejected) from its source.
"""

from __future__ import annotations

import json

from ..contract import STATUSES, Comment
from ..errors import InnspillError, warning
from . import Thread
from .questions import find_in_post, make_questions


def read(content: str, path: str) -> Thread:
    comments: list[Comment] = []
    posts: list[str] = []
    qitems: list[tuple[int, str]] = []
    warnings: list[dict] = []
    ids: dict[str, int] = {}
    for lineno, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InnspillError("E107", f"not valid JSON at column {exc.colno}: {exc.msg}",
                                path=path, line=lineno, record=len(comments) + 1) from None
        if not isinstance(rec, dict):
            raise InnspillError("E107", "a record must be a JSON object", path=path, line=lineno)
        if "question" in rec:
            qitems.append((int(rec.get("number") or 0), str(rec["question"])))
            continue
        if "post" in rec:
            posts.append(str(rec["post"]))
            continue
        if "text" not in rec:
            raise InnspillError("E107", "record has no \"text\" field", path=path, line=lineno,
                                record=len(comments) + 1,
                                hint='each comment line needs {"text": "..."}; id, author, parent_id, posted_at are optional')
        text = rec["text"]
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise InnspillError("E107", "\"text\" must be a string", path=path, line=lineno)
        position = len(comments) + 1
        source_id = str(rec["id"]) if rec.get("id") is not None else None
        cid = f"c{position}"
        if source_id is not None:
            if source_id in ids:
                warnings.append(warning("W103", f"id {source_id!r} appears twice", f"{path}, line {lineno}"))
            ids.setdefault(source_id, position)
        status = str(rec.get("status") or "kept")
        if status not in STATUSES:
            raise InnspillError("E107", f"unknown status {status!r}", path=path, line=lineno,
                                hint=f"use one of {', '.join(STATUSES)}")
        c = Comment(id=cid, position=position, original=text.replace("\r\n", "\n"),
                    author=rec.get("author"), posted_at=_str(rec.get("posted_at")),
                    parent_id=_str(rec.get("parent_id")), line=lineno, status=status,
                    source_id=source_id)
        if not text.strip() and status == "kept":
            c.status = "empty"
        comments.append(c)
    # map parent ids from the source's ids to ours
    for c in comments:
        if c.parent_id is not None:
            pos = ids.get(c.parent_id)
            c.parent_id = f"c{pos}" if pos else c.parent_id
    questions = make_questions(qitems) if qitems else find_in_post("\n\n".join(posts))
    return Thread(post="\n\n".join(posts), questions=questions, comments=comments, source={},
                  warnings=warnings)


def _str(value) -> str | None:
    return None if value is None else str(value)

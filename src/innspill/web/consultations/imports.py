"""Importing a file into a consultation: the ``innspill inspect`` report of an upload (the
importer's ``inspect_file``), then, once the organiser confirms, its comments stored
(``read_threads``) with the questions and the post text when the consultation has none."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ...ingest import ReadOptions, read_threads
from ...inspection import inspect_file
from .models import Comment, ImportBatch, Question

# -- import --------------------------------------------------------------------------------------

IMPORT_STATE = {"kept": Comment.APPROVED, "empty": Comment.APPROVED, "held": Comment.PENDING,
                "spam": Comment.SPAM, "trash": Comment.REJECTED, "rejected": Comment.REJECTED}


def read_options(fmt: str = "auto", post: str | None = None) -> ReadOptions:
    return ReadOptions(fmt=fmt, max_bytes=settings.UPLOAD_MAX_BYTES, post=post or None)


def inspect_upload(path: str, fmt: str = "auto", post: str | None = None) -> dict:
    """The ``innspill inspect`` report of an uploaded file (raises InnspillError for a bad file)."""
    return inspect_file(path, read_options(fmt, post))


@transaction.atomic
def confirm_import(batch: ImportBatch, fmt: str = "auto", post: str | None = None) -> int:
    """Store the comments of the upload (the first post, or ``post``); questions and the post text
    come from the file when the consultation has none. Returns the number of comments stored."""
    consultation = batch.consultation
    thread = read_threads(batch.stored_path, read_options(fmt, post),
                          require_questions=not consultation.questions.exists())[0]
    if not consultation.questions.exists():
        for q in thread.questions:
            Question.objects.create(consultation=consultation, number=q.number, text=q.text, kind=q.kind,
                                    context=q.context)
        if not consultation.intro.strip():
            consultation.intro = thread.post
            consultation.save(update_fields=["intro"])
    now = timezone.now()
    by_reader_id: dict[str, Comment] = {}
    parents = []
    for c in thread.comments:
        row = Comment.objects.create(
            consultation=consultation, author=(c.author or "")[:120], text=c.original,
            fields=c.fields or None, consent=True, state=IMPORT_STATE.get(c.status, Comment.REJECTED),
            reason=(c.reason or (f"{c.status} at the source" if c.status in ("spam", "trash") else ""))[:300],
            source="import", batch=batch, source_status=c.status, posted_at=(c.posted_at or "")[:40],
            source_id=(c.source_id or "")[:100], created_at=now)
        by_reader_id[c.id] = row
        if c.parent_id:
            parents.append((row, c.parent_id))
    for row, parent in parents:
        if parent in by_reader_id:
            row.parent = by_reader_id[parent]
            row.save(update_fields=["parent"])
    batch.confirmed_at = now
    batch.comments = len(thread.comments)
    batch.save(update_fields=["confirmed_at", "comments"])
    return len(thread.comments)

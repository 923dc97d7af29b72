"""The moderation queue (issue 9): signals computed once per change and stored, the queue's
order (likely spam, then copies and form letters, then flagged personal or sensitive content,
then the rest, oldest first), search and filters, and logged decisions under a policy rule.

Signals are computed for the whole consultation in one batch (``refresh_signals``) when some
comment is new or changed since the last batch: copies need every comment of the consultation
(``innspill.dedupe``: exact, truncated and near copies); the privacy stage
(``innspill.privacy.assess_comment``) runs only on the new or changed comments."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ... import contract
from ...dedupe import link_duplicates
from ...privacy import assess_comment, author_names, thread_vocabulary
from ..consultations.models import Comment
from .models import CommentSignals, ModerationEvent

URL_RE = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:com|net|org|biz|info|ru|xyz|top|shop)\b/?\S*", re.I)
HONEYPOT = "honeypot field filled in"
SPAM_SIGNALS = ("honeypot", "source-spam", "spam-copy", "links", "repeat-sender")
REPEAT_SENDER = 3  # this many comments with one e-mail address
FLAGS = ("spam", "copies", "form-letter", "sensitive", "none")


def link_count(text: str) -> int:
    return len(URL_RE.findall(text))


def link_heavy(text: str) -> bool:
    """Two links or more, or a link in a short text (an advert)."""
    n = link_count(text)
    return n >= 2 or (n == 1 and len(text.split()) < 15)


def stale(consultation):
    """Comments whose signals are missing or older than their last change, and withdrawn ones
    that still have signals (their copies' groups have shrunk)."""
    return consultation.comments.filter(
        (~Q(state=Comment.WITHDRAWN) & (Q(signals__isnull=True) | Q(signals__stamp__lt=F("updated_at"))))
        | Q(state=Comment.WITHDRAWN, signals__isnull=False))


def _language(consultation) -> str | None:
    return consultation.language if consultation.language in ("nb", "nn", "en") else None


def refresh_signals(consultation, force: bool = False) -> int:
    """Compute and store the queue signals of every comment of ``consultation`` when any comment
    is new or changed (or ``force``). Returns how many comments had their privacy assessed."""
    if not force and not stale(consultation).exists():
        return 0
    rows = list(consultation.comments.exclude(state=Comment.WITHDRAWN).order_by("id").values(
        "id", "text", "author", "email", "state", "reason", "source_status", "updated_at"))
    old = {s.comment_id: s for s in CommentSignals.objects.filter(comment__consultation=consultation)}
    # copies: the library's duplicate finder over all comments of the consultation, in any state
    items = [contract.Comment(id=str(r["id"]), position=i, original=r["text"], author=r["author"] or None)
             for i, r in enumerate(rows, start=1)]
    link_duplicates(items)
    root = {int(x.id): int(x.duplicate_of) if x.duplicate_of else int(x.id) for x in items}
    how = {int(x.id): x.duplicate_how or "" for x in items}
    groups: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        groups[root[r["id"]]].append(r)
    emails = Counter(r["email"].lower() for r in rows if r["email"])
    known = author_names({}, items)
    vocab = thread_vocabulary(r["text"] for r in rows)
    lang = _language(consultation)
    assessed, out = 0, []
    for r in rows:
        pk = r["id"]
        members = groups[root[pk]]
        authors = {(m["author"] or m["email"] or f"#{m['id']}").strip().lower() for m in members}
        spam = []
        if r["reason"] == HONEYPOT:
            spam.append("honeypot")
        if r["source_status"] == "spam":
            spam.append("source-spam")
        if any(m["state"] == Comment.SPAM and m["id"] != pk for m in members):
            spam.append("spam-copy")
        if link_heavy(r["text"]):
            spam.append("links")
        if r["email"] and emails[r["email"].lower()] >= REPEAT_SENDER:
            spam.append("repeat-sender")
        prev = old.get(pk)
        if prev is not None and prev.stamp >= r["updated_at"] and prev.privacy:
            privacy = prev.privacy
        else:
            p = assess_comment(r["text"], lang, known, vocab) if r["text"].strip() else None
            privacy = _privacy_summary(p)
            assessed += 1
        sensitive = bool(privacy.get("personal") or privacy.get("categories") or privacy.get("sensitive_story"))
        copies = len(members) > 1
        form_letter = len(members) >= 3 and len(authors) >= 2
        bucket = (CommentSignals.SPAM if spam else CommentSignals.COPIES if copies else
                  CommentSignals.SENSITIVE if sensitive else CommentSignals.REST)
        out.append(CommentSignals(
            comment_id=pk, stamp=r["updated_at"], bucket=bucket, group_key=root[pk] if copies else 0, spam=spam,
            duplicate=copies, form_letter=form_letter, sensitive=sensitive,
            copy_of=root[pk] if root[pk] != pk else None, copy_how=how[pk], group_size=len(members),
            group_authors=len(authors), privacy=privacy))
    out = [s for s in out if _changed(old.get(s.comment_id), s)]  # write only what changed
    with transaction.atomic():
        CommentSignals.objects.filter(comment__consultation=consultation,
                                      comment__state=Comment.WITHDRAWN).delete()
        CommentSignals.objects.bulk_create(
            out, batch_size=500, update_conflicts=True, unique_fields=["comment"],
            update_fields=list(SIGNAL_FIELDS))
    return assessed


SIGNAL_FIELDS = ("stamp", "bucket", "group_key", "spam", "duplicate", "form_letter", "sensitive", "copy_of", "copy_how",
                 "group_size", "group_authors", "privacy")


def _changed(old: CommentSignals | None, new: CommentSignals) -> bool:
    return old is None or any(getattr(old, f) != getattr(new, f) for f in SIGNAL_FIELDS)


def _privacy_summary(p: dict | None) -> dict:
    """What the queue needs from the privacy stage: kinds of personal data, sensitive categories, story."""
    if not p:
        return {"personal": [], "categories": [], "story": False, "sensitive_story": False, "checked": True}
    return {"personal": sorted({x["kind"] for x in p["personal_data"]}), "categories": p["categories"],
            "story": bool(p["story"]), "sensitive_story": p["sensitive_story"], "checked": True}


def queue(consultation, *, status: str = Comment.PENDING, question: int | None = None, flag: str = "",
          search: str = "", question_pks=None):
    """The comments in queue order, filtered. ``question_pks``: pks the analysis says answer ``question``."""
    qs = consultation.comments.all()
    if status != "all":
        qs = qs.filter(state=status)
    if question:
        cond = Q(fields__has_key=f"q{question}")
        if question_pks:
            cond |= Q(pk__in=list(question_pks))
        qs = qs.filter(cond)
    if flag == "spam":
        qs = qs.filter(signals__bucket=CommentSignals.SPAM)
    elif flag == "copies":
        qs = qs.filter(signals__duplicate=True)
    elif flag == "form-letter":
        qs = qs.filter(signals__form_letter=True)
    elif flag == "sensitive":
        qs = qs.filter(signals__sensitive=True)
    elif flag == "none":
        qs = qs.filter(signals__bucket=CommentSignals.REST)
    search = search.strip()
    if search:
        qs = qs.filter(Q(text__icontains=search) | Q(author__icontains=search) | Q(remark__icontains=search))
    return qs.select_related("signals").order_by("signals__bucket", "signals__group_key", "created_at", "id")


def badges(s: CommentSignals | None) -> list[tuple[str, str]]:
    """(kind, code) of each reason a comment sits where it does; the template words them."""
    if s is None:
        return []
    out = [("spam", code) for code in s.spam]
    if s.form_letter:
        out.append(("copies", "form-letter"))
    elif s.duplicate:
        out.append(("copies", "copy" if s.copy_of else "original"))
    for kind in s.privacy.get("personal", []):
        out.append(("sensitive", kind))
    for cat in s.privacy.get("categories", []):
        out.append(("sensitive", cat))
    if s.privacy.get("sensitive_story"):
        out.append(("sensitive", "sensitive-story"))
    return out


def decide(comments, action: str, user, rule=None, note: str = "") -> int:
    """Change the state of ``comments`` (a queryset), logging each change with who, when, the rule
    and the note; nothing is deleted and a withdrawn comment is never touched."""
    target = {"approve": Comment.APPROVED, "reject": Comment.REJECTED, "spam": Comment.SPAM,
              "pending": Comment.PENDING}[action]
    note = note.strip()[:300]
    if target in (Comment.APPROVED, Comment.PENDING):
        rule = None  # a rule is a reason not to publish
    reason = (f"{rule.code}: {rule.text}" if rule else note)[:300]
    now, n, events = timezone.now(), 0, []
    with transaction.atomic():
        changed = []
        for comment in comments.select_for_update().exclude(state=Comment.WITHDRAWN).order_by("id"):
            if comment.state == target and comment.reason == reason:
                continue
            events.append(ModerationEvent(comment=comment, user=user, before=comment.state, after=target,
                                          reason=reason, rule=rule, rule_code=rule.code if rule else "",
                                          rule_text=rule.text if rule else "", note=note, at=now))
            changed.append(comment.pk)
            n += 1
        ModerationEvent.objects.bulk_create(events, batch_size=500)
        Comment.objects.filter(pk__in=changed).update(state=target, reason=reason, moderated_by=user,
                                                     moderated_at=now)
    return n


def log_state_change(sender, comment, before: str, after: str, reason: str = "", **kwargs) -> None:
    """``comment_state_changed``: a change made outside the queue goes into the moderation log."""
    ModerationEvent.objects.create(comment=comment, before=before, after=after, reason=reason)

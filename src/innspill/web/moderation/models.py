"""Moderation tables (the ``moderation`` app; the tables keep the names they had in the ``web``
app, ``web_moderationrule`` …, so moving the app changed no data): the consultation's rules for
comments, each comment's stored queue signals (spam, copies, privacy), and the log of every change
of a comment's state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL

class ModerationRule(models.Model):
    """One rule of a consultation's moderation policy: a short code and its text. A reject names one."""

    consultation = models.ForeignKey("consultations.Consultation", on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("rule"), max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "web_moderationrule"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["consultation", "code"], name="rule_code_unique")]

    def __str__(self):
        return f"{self.code}: {self.text}"

class CommentSignals(models.Model):
    """Why a comment sits where it does in the moderation queue; computed in one batch per change
    of the consultation's comments (``moderation.refresh_signals``), never per page view."""

    SPAM, COPIES, SENSITIVE, REST = 0, 1, 2, 3
    comment = models.OneToOneField("consultations.Comment", on_delete=models.CASCADE, related_name="signals")
    stamp = models.DateTimeField()  # the comment's updated_at when computed: older means stale
    bucket = models.PositiveSmallIntegerField(default=REST, db_index=True)
    group_key = models.PositiveIntegerField(default=0)  # the first copy's pk: copies sort together
    spam = models.JSONField(default=list)  # ["links", "honeypot", "source-spam", "spam-copy", "repeat-sender"]
    duplicate = models.BooleanField(default=False)
    form_letter = models.BooleanField(default=False)
    sensitive = models.BooleanField(default=False)
    copy_of = models.PositiveIntegerField(null=True, blank=True)  # pk of the first copy (None: it is the first)
    copy_how = models.CharField(max_length=10, blank=True)  # exact | prefix | near
    group_size = models.PositiveIntegerField(default=1)
    group_authors = models.PositiveIntegerField(default=1)
    privacy = models.JSONField(default=dict)  # {"personal": ["name", "email"], "categories": [...], "story": bool, ...}

    class Meta:
        db_table = "web_commentsignals"


class ModerationEvent(models.Model):
    """Every change of a comment's state, with who and why: nothing is changed silently."""

    comment = models.ForeignKey("consultations.Comment", on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    before = models.CharField(max_length=10)
    after = models.CharField(max_length=10)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    # the policy rule a decision names (a snapshot of its code and text, kept if the rule changes) and a note
    rule = models.ForeignKey(ModerationRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rule_code = models.CharField(max_length=20, blank=True)
    rule_text = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "web_moderationevent"

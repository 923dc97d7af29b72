"""Tables for moderation at scale and for closing the loop (issue 9): the consultation's rules
for comments, each comment's stored queue signals (spam, copies, privacy), a participant's flag
of a misreading, the organiser's switch for the public results page, and a job's time estimate.

Imported at the end of ``models.py``, so Django finds them in the ``web`` app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class ModerationRule(models.Model):
    """One rule of a consultation's moderation policy: a short code and its text. A reject names one."""

    consultation = models.ForeignKey("web.Consultation", on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("rule"), max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["consultation", "code"], name="rule_code_unique")]

    def __str__(self):
        return f"{self.code}: {self.text}"


class CommentSignals(models.Model):
    """Why a comment sits where it does in the moderation queue; computed in one batch per change
    of the consultation's comments (``moderation.refresh_signals``), never per page view."""

    SPAM, COPIES, SENSITIVE, REST = 0, 1, 2, 3
    comment = models.OneToOneField("web.Comment", on_delete=models.CASCADE, related_name="signals")
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


class MisreadingFlag(models.Model):
    """A participant says the analysis read their answer wrongly (from their private link)."""

    comment = models.ForeignKey("web.Comment", on_delete=models.CASCADE, related_name="misreadings")
    question_number = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500)
    run = models.ForeignKey("web.AnalysisRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


class ResultsPage(models.Model):
    """The organiser's choice to publish what was heard, once the consultation is closed."""

    consultation = models.OneToOneField("web.Consultation", on_delete=models.CASCADE, related_name="results_page")
    published = models.BooleanField(default=False)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)


class JobEstimate(models.Model):
    """How long the embedding step of a job should take on this machine, timed on a sample."""

    job = models.OneToOneField("web.Job", on_delete=models.CASCADE, related_name="estimate")
    texts = models.PositiveIntegerField()
    seconds = models.FloatField()
    at = models.DateTimeField(default=timezone.now)

"""The analysis' tables: analysis runs (the innspill.analysis/1 JSON as written), organisers'
corrections (applied on top of a run, so they survive re-analysis), jobs for ``innspill worker``
and their time estimates. The tables keep the names the ``web`` app gave them (``web_analysisrun`` …)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..consultations.models import Comment, Consultation

User = settings.AUTH_USER_MODEL


class AnalysisRun(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="runs")
    created_at = models.DateTimeField(default=timezone.now)
    analysis = models.JSONField()  # innspill.analysis/1, as the pipeline wrote it
    comment_map = models.JSONField(default=dict)  # analysis comment id -> Comment pk

    class Meta:
        db_table = "web_analysisrun"
        ordering = ["-created_at", "-id"]


class Correction(models.Model):
    """An organiser's correction of one analysis value; applied on top of every later run."""

    STANCE, SPAN, SENSITIVE, DUPLICATE = "stance", "span", "sensitive", "duplicate"
    KINDS = [(STANCE, "stance"), (SPAN, "span"), (SENSITIVE, "sensitive"), (DUPLICATE, "duplicate")]
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="corrections")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="corrections")
    question_number = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=KINDS)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    text_sha256 = models.CharField(max_length=64)  # of the comment text corrected; stale when it changes
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "web_correction"
        ordering = ["at", "id"]


class Job(models.Model):
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, QUEUED), (RUNNING, RUNNING), (DONE, DONE), (FAILED, FAILED)]
    kind = models.CharField(max_length=20, default="analyse")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=10, choices=STATES, default=QUEUED, db_index=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    progress = models.PositiveIntegerField(default=0)  # percent
    message = models.CharField(max_length=300, blank=True)
    run = models.ForeignKey(AnalysisRun, on_delete=models.SET_NULL, null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "web_job"
        ordering = ["created_at", "id"]


class JobEstimate(models.Model):
    """How long the embedding step of a job should take on this machine, timed on a sample."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="estimate")
    texts = models.PositiveIntegerField()
    seconds = models.FloatField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "web_jobestimate"

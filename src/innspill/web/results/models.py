"""Tables of the results (the ``results`` app; the tables keep the names they had in the ``web``
app, so moving the app changed no data): a participant's flag of a misreading (closing the loop,
issue 9), and the organiser's switch for the public results page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

User = settings.AUTH_USER_MODEL


class MisreadingFlag(models.Model):
    """A participant says the analysis read their answer wrongly (from their private link)."""

    comment = models.ForeignKey("consultations.Comment", on_delete=models.CASCADE, related_name="misreadings")
    question_number = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500)
    run = models.ForeignKey("analysis.AnalysisRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "web_misreadingflag"
        ordering = ["created_at", "id"]


class ResultsPage(models.Model):
    """The organiser's choice to publish what was heard, once the consultation is closed."""

    consultation = models.OneToOneField("consultations.Consultation", on_delete=models.CASCADE, related_name="results_page")
    published = models.BooleanField(default=False)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "web_resultspage"

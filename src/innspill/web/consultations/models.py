"""The consultations' tables: a consultation and its questions, who may organise or moderate it
(memberships and invitations), the files imported into it and the comments, given on the answer
form or imported. The tables keep the names the ``web`` app gave them (``web_consultation`` …)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class Consultation(models.Model):
    DRAFT, OPEN, CLOSED = "draft", "open", "closed"
    STATES = [(DRAFT, _("Draft")), (OPEN, _("Published")), (CLOSED, _("Closed"))]

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    language = models.CharField(_("language"), max_length=4, default="auto",
                                choices=[("auto", _("detect")), ("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English")])
    state = models.CharField(max_length=10, choices=STATES, default=DRAFT)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == self.OPEN and (self.closes_at is None or now < self.closes_at)

    def is_closed(self, now=None) -> bool:
        """Published once and no longer taking answers (closed by hand or by its closing time)."""
        return self.state != self.DRAFT and not self.is_open(now)

    class Meta:
        db_table = "web_consultation"


class Question(models.Model):
    KINDS = [("yesno", _("yes/no")), ("open", _("open")), ("scale", _("scale 1–5")),
             ("choice", _("multiple choice"))]
    SCALE = ("1", "2", "3", "4", "5")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("question"))
    kind = models.CharField(_("kind"), max_length=8, choices=KINDS, default="yesno")
    # a multiple-choice question's options; a scale's words for its ends (1 and 5), or none
    options = models.JSONField(null=True, blank=True)
    # set only when an imported post asked nothing by number and became its own question (W203):
    # the post's lead; the analysis then reads each comment for or against the post's claim
    context = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "web_question"
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="question_number_unique")]

    @property
    def qid(self) -> str:
        return f"q{self.number}"

    @property
    def has_buttons(self) -> bool:
        """Answered by pressing one of a set of buttons (yes/no, a scale, multiple choice)."""
        return self.kind in ("yesno", "scale", "choice")

    def button_values(self) -> list[str]:
        """What a button posts: yes/no/unsure, 1–5, or the option's own text."""
        if self.kind == "yesno":
            return ["yes", "no", "unsure"]
        if self.kind == "scale":
            return list(self.SCALE)
        if self.kind == "choice":
            return list(self.options or [])
        return []


class Membership(models.Model):
    ORGANISER, MODERATOR = "organiser", "moderator"
    ROLES = [(ORGANISER, _("organiser")), (MODERATOR, _("moderator"))]
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=ROLES)

    class Meta:
        db_table = "web_membership"
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="membership_unique")]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="invitations")
    token_sha256 = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=10, choices=Membership.ROLES, default=Membership.MODERATOR)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    used_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "web_invitation"


class ImportBatch(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    report = models.JSONField(default=dict)  # innspill.inspection.inspect_file
    confirmed_at = models.DateTimeField(null=True, blank=True)
    comments = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "web_importbatch"


class Comment(models.Model):
    """One participant's answer (from the form) or one imported comment."""

    PENDING, APPROVED, REJECTED, SPAM, WITHDRAWN = "pending", "approved", "rejected", "spam", "withdrawn"
    STATES = [(PENDING, _("awaiting moderation")), (APPROVED, _("approved")), (REJECTED, _("rejected")),
              (SPAM, _("spam")), (WITHDRAWN, _("withdrawn by the participant"))]

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    author = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)  # never shown to the public
    text = models.TextField(blank=True)  # as written (the per-question answers joined by blank lines)
    fields = models.JSONField(null=True, blank=True)  # {"q1": [start, end]} when answered per question
    remark = models.TextField(blank=True)  # the free comment beside per-question answers (not split)
    # the buttons a participant pressed on yes/no questions: {"q1": "yes" | "no" | "unsure"}; the
    # answer's text starts with the button's word ("Ja."), and the analysis takes the stance from here
    choices = models.JSONField(null=True, blank=True)
    consent = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=STATES, default=PENDING, db_index=True)
    reason = models.CharField(max_length=300, blank=True)
    moderated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, default="form")  # form | import
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True)
    source_status = models.CharField(max_length=10, blank=True)  # the status the import read
    posted_at = models.CharField(max_length=40, blank=True)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source_id = models.CharField(max_length=100, blank=True)
    edit_token_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "web_comment"
        ordering = ["id"]

"""Live debate tables (the ``live`` app; the tables keep the names they had in the ``web`` app,
``web_livesession`` …, so moving the app changed no data): a session with a join code, its statements (questions and debate
statements), anonymous participants (a token in a cookie, public id ``p1``, ``p2``…), their votes
(one per participant and statement; voting again replaces it) and audience ideas with upvotes."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# no 0/O, 1/I/L: a code read aloud or off a projector is not mistyped
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
IDEA_MAX_CHARS = 200


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    """A code as typed (any case, spaces, dashes) in its stored form; look-alikes mapped (O->0 is
    not in the alphabet, so O, 0 -> Q is not guessed: only case and separators are forgiven)."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LiveSession(models.Model):
    DRAFT, LIVE, ENDED = "draft", "live", "ended"
    STATES = [(DRAFT, _("not started")), (LIVE, _("live")), (ENDED, _("ended"))]

    consultation = models.ForeignKey("consultations.Consultation", on_delete=models.CASCADE,
                                     related_name="live_sessions")
    code = models.CharField(max_length=12, unique=True)
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=8, choices=STATES, default=DRAFT)
    current = models.ForeignKey("LiveStatement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    language = models.CharField(max_length=4, choices=[("nb", "Bokmål"), ("en", "English")], default="nb")
    include_straight_liners = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # refused by the per-address limits (settings LIVE_*_PER_ADDRESS), shown to the presenter
    refused_joins = models.PositiveIntegerField(default=0)
    refused_votes = models.PositiveIntegerField(default=0)
    refused_ideas = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "web_livesession"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.title} ({self.code})"

    @classmethod
    def create_with_code(cls, **fields) -> LiveSession:
        """A new session with a fresh code (retried on the rare collision)."""
        for _attempt in range(20):
            try:
                with transaction.atomic():
                    return cls.objects.create(code=new_code(), **fields)
            except IntegrityError:
                continue
        raise RuntimeError("no free live session code after 20 tries")

    def visible_statements(self):
        return self.statements.filter(hidden=False).order_by("position", "id")


class LiveStatement(models.Model):
    QUESTION, STATEMENT = "question", "statement"
    KINDS = [(QUESTION, _("question (yes / no / unsure)")), (STATEMENT, _("statement (agree / disagree / pass)"))]
    SOURCES = [("question", _("question")), ("brief", _("brief")), ("presenter", _("presenter")),
               ("audience", _("audience"))]

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="statements")
    kind = models.CharField(max_length=10, choices=KINDS, default=STATEMENT)
    text = models.TextField()
    source = models.CharField(max_length=10, choices=SOURCES, default="presenter")
    question_id = models.CharField(max_length=20, blank=True)  # the analysis question id ("q1"), if any
    question_number = models.PositiveIntegerField(null=True, blank=True)
    comment_id = models.CharField(max_length=40, blank=True)  # the comment a brief statement quotes
    position = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)
    revealed = models.BooleanField(default=False)  # results shown to participants and the projector
    locked = models.BooleanField(default=False)  # no more votes
    shown_at = models.DateTimeField(null=True, blank=True)  # first put on the screen: votes only from then on
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "web_livestatement"
        ordering = ["position", "id"]


class Participant(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participants")
    number = models.PositiveIntegerField()  # public id: p<number>
    token_sha256 = models.CharField(max_length=64, unique=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "web_participant"
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="live_participant_number_unique")]

    @property
    def public_id(self) -> str:
        return f"p{self.number}"

    @classmethod
    def join(cls, session: LiveSession) -> tuple[Participant, str]:
        """A new anonymous participant and its secret token (only its hash is stored)."""
        token = secrets.token_urlsafe(24)
        for _attempt in range(50):
            try:
                with transaction.atomic():
                    last = cls.objects.filter(session=session).aggregate(m=models.Max("number"))["m"] or 0
                    return cls.objects.create(session=session, number=last + 1, token_sha256=token_hash(token)), token
            except IntegrityError:
                continue
        raise RuntimeError("could not number a new participant")


class Vote(models.Model):
    AGREE, DISAGREE, PASS = 1, -1, 0
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(LiveStatement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=[(1, "agree"), (-1, "disagree"), (0, "pass")])
    at = models.DateTimeField(default=timezone.now)
    changes = models.PositiveIntegerField(default=0)  # how often the participant changed this vote

    class Meta:
        db_table = "web_vote"
        constraints = [models.UniqueConstraint(fields=["participant", "statement"], name="live_vote_unique")]


class AudienceIdea(models.Model):
    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATES = [(PENDING, _("awaiting moderation")), (APPROVED, _("approved")), (REJECTED, _("rejected"))]
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="ideas")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="ideas")
    text = models.CharField(max_length=IDEA_MAX_CHARS)
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    promoted_to = models.ForeignKey(LiveStatement, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "web_audienceidea"
        ordering = ["created_at", "id"]


class IdeaUpvote(models.Model):
    idea = models.ForeignKey(AudienceIdea, on_delete=models.CASCADE, related_name="upvotes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "web_ideaupvote"
        constraints = [models.UniqueConstraint(fields=["idea", "participant"], name="live_upvote_unique")]

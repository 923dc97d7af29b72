"""Public pages of a consultation: its answer form, the participant's private edit link, and
accepting an invitation to organise or moderate it (the front page, login and first-run setup
are the site's, ``innspill.web.views_home`` and ``views_accounts``)."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import security
from ..forms import AccountForm
from ..signals import answer_withdrawn, comment_state_changed
from .forms import AnswerForm, initial_from
from .models import Comment, Consultation, Invitation, Membership, new_token, token_hash


def _public_consultation(slug: str) -> Consultation:
    c = get_object_or_404(Consultation, slug=slug)
    if c.state == Consultation.DRAFT:
        raise Http404("not published")
    return c


def _published_comments(c: Consultation):
    """Approved comments only: nothing awaiting moderation, rejected or spam is ever public."""
    return c.comments.filter(state=Comment.APPROVED, consent=True).only("author", "text", "fields", "remark",
                                                                         "created_at", "posted_at")


def answer_language(c: Consultation) -> str:
    """The language of the words a yes/no button puts in an answer: the consultation's, else the page's."""
    if c.language != "auto":
        return c.language
    return (get_language() or "nb")[:2]


@require_http_methods(["GET", "POST"])
def consultation(request, slug):
    c = _public_consultation(slug)
    questions = list(c.questions.all())
    is_open = c.is_open()
    form = AnswerForm(request.POST or None, questions=questions, language=answer_language(c))
    status = 200
    if request.method == "POST":
        if not is_open:
            return render(request, "consultations/public.html", {"c": c, "questions": questions, "form": None,
                                                                 "is_open": False, "comments": _published_comments(c)},
                          status=403)
        if not security.submit_allowed(request, slug):
            messages.error(request, _("Too many answers from your address in the last hour. Try again later."))
            status = 429
        elif form.is_valid():
            token = new_token()
            text, fields, remark = form.as_text()
            comment = Comment.objects.create(
                consultation=c, author=form.cleaned_data["name"].strip(), email=form.cleaned_data["email"],
                text=text, fields=fields, remark=remark, choices=form.choices(), consent=True,
                edit_token_sha256=token_hash(token),
                state=Comment.SPAM if form.is_bot() else Comment.PENDING,
                reason="honeypot field filled in" if form.is_bot() else "")
            if comment.state == Comment.SPAM:
                comment_state_changed.send(sender=Comment, comment=comment, before="", after=Comment.SPAM,
                                           reason="honeypot field filled in")
            link = request.build_absolute_uri(reverse("web:mine", args=[slug, token]))
            request.session["innspill_last_link"] = link
            return redirect("web:thanks", slug=slug)
        else:
            status = 400
    return render(request, "consultations/public.html", {
        "c": c, "questions": questions, "form": form if is_open else None, "is_open": is_open,
        "comments": _published_comments(c)}, status=status)


def _private(response):
    """A page that shows a private link or answer: never stored by a browser or proxy cache."""
    response["Cache-Control"] = "no-store, private"
    return response


def thanks(request, slug):
    c = _public_consultation(slug)
    link = request.session.pop("innspill_last_link", None)
    return _private(render(request, "consultations/thanks.html", {"c": c, "link": link}))


def expires(created_at, days: int):
    """When a private link made at ``created_at`` stops working (None: never, ``days`` 0)."""
    return created_at + timedelta(days=days) if days else None


class LinkExpired(Exception):
    pass


def own_comment(slug: str, token: str) -> Comment:
    """The answer a private link (``/c/SLUG/mine/TOKEN/``) opens: 404 when there is none or it was
    withdrawn, ``LinkExpired`` when the link is older than ``PRIVATE_LINK_DAYS``."""
    h = token_hash(token)
    comment = Comment.objects.filter(consultation__slug=slug, edit_token_sha256=h).select_related(
        "consultation").first()
    if comment is None or not hmac.compare_digest(comment.edit_token_sha256, h) \
            or comment.state == Comment.WITHDRAWN:
        raise Http404("no such answer")
    until = expires(comment.created_at, settings.PRIVATE_LINK_DAYS)
    if until is not None and timezone.now() >= until:
        raise LinkExpired(until)
    return comment


def _expired(request, until):
    return _private(render(request, "web/message.html", {
        "title": _("This private link has expired"),
        "text": _("Private links work for %(days)s days after the answer was given (until %(date)s). "
                  "Ask the organiser if you need to change or withdraw your answer.")
        % {"days": settings.PRIVATE_LINK_DAYS, "date": timezone.localtime(until).strftime("%Y-%m-%d")}}, status=410))


@require_http_methods(["GET", "POST"])
def mine(request, slug, token):
    """The participant's own answer, by private link: change it (back to moderation) or withdraw it.
    The link works for ``INNSPILL_PRIVATE_LINK_DAYS`` days after the answer was given (410 after)."""
    try:
        comment = own_comment(slug, token)
    except LinkExpired as e:
        return _expired(request, e.args[0])
    c = comment.consultation
    questions = list(c.questions.all())
    if request.method == "POST" and request.POST.get("delete"):
        with transaction.atomic():
            comment_state_changed.send(sender=Comment, comment=comment, before=comment.state,
                                       after=Comment.WITHDRAWN, reason="withdrawn by the participant")
            Comment.objects.filter(pk=comment.pk).update(state=Comment.WITHDRAWN, text="", fields=None, remark="",
                                                         choices=None,
                                                         email="", author="", reason="withdrawn by the participant")
            # the analysis erases it from the stored runs, their exports and the review page too
            answer_withdrawn.send(sender=Comment, comment=comment)
        return _private(render(request, "web/message.html", {
            "title": _("Your answer is deleted"),
            "text": _("Its text, name and e-mail are erased. It is still counted as a withdrawn answer.")}))
    form = AnswerForm(request.POST or None, questions=questions, initial=initial_from(comment, questions),
                      language=answer_language(c))
    if request.method == "POST":
        if not c.is_open():
            return _private(render(request, "web/message.html", {"title": _("The comment field is closed")},
                                   status=403))
        if form.is_valid():
            text, fields, remark = form.as_text()
            with transaction.atomic():
                if comment.state != Comment.PENDING:
                    comment_state_changed.send(sender=Comment, comment=comment, before=comment.state,
                                               after=Comment.PENDING, reason="changed by the participant")
                comment.author, comment.email = form.cleaned_data["name"].strip(), form.cleaned_data["email"]
                comment.text, comment.fields, comment.remark = text, fields, remark
                comment.choices = form.choices()
                comment.state = Comment.PENDING
                comment.save()
            messages.success(request, _("Your answer is changed. It will be shown again after moderation."))
            return redirect("web:mine", slug=slug, token=token)
    return _private(render(request, "consultations/mine.html", {"c": c, "form": form, "comment": comment,
                                                                "is_open": c.is_open(),
                                                                "link_until": expires(comment.created_at,
                                                                            settings.PRIVATE_LINK_DAYS)}))


@require_http_methods(["GET", "POST"])
def accept_invite(request, token):
    inv = Invitation.objects.filter(token_sha256=token_hash(token), used_at__isnull=True).select_related(
        "consultation").first()
    if inv is None:
        raise Http404("no such invitation")
    until = expires(inv.created_at, settings.INVITATION_DAYS)
    if until is not None and timezone.now() >= until:
        return render(request, "web/message.html", {
            "title": _("This invitation has expired"),
            "text": _("Invitations work for %(days)s days. Ask the organiser for a new one.")
            % {"days": settings.INVITATION_DAYS}}, status=410)
    form = AccountForm(request.POST or None) if not request.user.is_authenticated else None
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        if user is None and form.is_valid():
            user = get_user_model().objects.create_user(form.cleaned_data["username"], form.cleaned_data["email"],
                                                        form.cleaned_data["password1"])
            login(request, user)
        if user is not None:
            with transaction.atomic():
                updated = Invitation.objects.filter(pk=inv.pk, used_at__isnull=True).update(
                    used_by=user, used_at=timezone.now())
                if updated:
                    Membership.objects.get_or_create(consultation=inv.consultation, user=user,
                                                     defaults={"role": inv.role})
            return redirect("web:overview", slug=inv.consultation.slug)
    return render(request, "consultations/invite.html", {"inv": inv, "form": form})

"""Organiser and moderator pages: dashboard, consultation settings and questions, publishing,
invitations, uploading a file to import (confirming it and the analysis job are the analysis
app's pages; the moderation queue is the moderation app's)."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ...errors import InnspillError
from ..security import hide_paths
from ..signals import questions_renumbered
from . import imports
from .access import consultation_for
from .forms import ConsultationForm, ImportForm, QuestionFormSet, moved, rows_in_order
from .models import Comment, Consultation, ImportBatch, Invitation, Membership, Question, new_token, token_hash

ORGANISER = (Membership.ORGANISER,)


@login_required
def dashboard(request):
    if request.user.is_superuser:
        mine = Consultation.objects.all()
    else:
        mine = Consultation.objects.filter(members__user=request.user)
    mine = mine.annotate(n=Count("comments")).order_by("-created_at")
    return render(request, "consultations/dashboard.html", {
        "consultations": mine, "can_create": request.user.is_staff or request.user.is_superuser})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    if not (request.user.is_staff or request.user.is_superuser):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None)
    formset = QuestionFormSet(request.POST or None, prefix="q")
    if request.method == "POST" and request.POST.get("move"):
        return _moved(request, form, formset, None, None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            c = form.save(commit=False)
            c.slug, c.created_by = form.unique_slug(), request.user
            c.save()
            formset.instance = c
            formset.save()
            Membership.objects.create(consultation=c, user=request.user, role=Membership.ORGANISER)
        return redirect("web:overview", slug=c.slug)
    return render(request, "consultations/consultation_form.html", {"form": form, "formset": formset,
                                                                    "rows": rows_in_order(formset)})


def _moved(request, form, formset, c, role):
    """Without JavaScript, a question's ↑ / ↓ button posts the form: it comes back with the question
    moved (nothing saved yet)."""
    data = moved(formset, request.POST["move"])
    if data is not None:
        form = ConsultationForm(data, instance=c) if c else ConsultationForm(data)
        formset = QuestionFormSet(data, instance=c, prefix="q") if c else QuestionFormSet(data, prefix="q")
        messages.info(request, _("The order is changed. Save to keep it."))
    return render(request, "consultations/consultation_form.html", {
        "form": form, "formset": formset, "c": c, "role": role, "rows": rows_in_order(formset), "moved": True})


def _renumber(c, formset) -> dict[int, int | None]:
    """Before the formset saves: every stored question whose No. changes (or that is deleted) gets a
    temporary No., so that two questions can swap numbers. Returns {old No.: new No., or None when
    the question is deleted}."""
    changes: dict[int, int | None] = {}
    for f in formset.initial_forms:
        if not f.instance.pk or not getattr(f, "cleaned_data", None):
            continue
        old = Question.objects.filter(pk=f.instance.pk).values_list("number", flat=True).first()
        gone = formset.can_delete and f.cleaned_data.get("DELETE")
        new = f.cleaned_data.get("number")
        if old is not None and (gone or new != old):
            Question.objects.filter(pk=f.instance.pk).update(number=10**6 + f.instance.pk)
            changes[old] = None if gone else new
    return changes


def _follow_numbers(c, changes: dict[int, int | None]) -> None:
    """Answers follow their question when it is renumbered: the per-question fields and yes/no
    buttons of each comment, and (by ``questions_renumbered``) corrections and participants'
    misreading notes. A deleted question's field is renamed ``deleted-qN``, so that it never
    becomes the answer to a new question N (the comment is then shown as its whole text, and the
    analysis reads no answer there)."""
    if not changes:
        return
    key = {f"q{a}": f"q{b}" if b else f"deleted-q{a}" for a, b in changes.items()}
    changes = {a: b for a, b in changes.items() if b}
    for cm in c.comments.exclude(fields=None):
        fields = {key.get(k, k): v for k, v in (cm.fields or {}).items()}
        choices = {key.get(k, k): v for k, v in (cm.choices or {}).items()} or None
        if fields != cm.fields or choices != cm.choices:
            Comment.objects.filter(pk=cm.pk).update(fields=fields, choices=choices)
    # the analysis' corrections and the results' misreading notes
    questions_renumbered.send(sender=Consultation, consultation=c, changes=changes)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    c, role = consultation_for(request, slug, ORGANISER)
    form = ConsultationForm(request.POST or None, instance=c)
    formset = QuestionFormSet(request.POST or None, instance=c, prefix="q")
    if request.method == "POST" and request.POST.get("move"):
        return _moved(request, form, formset, c, role)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            form.save()
            changes = _renumber(c, formset)
            formset.save()
            _follow_numbers(c, changes)
        messages.success(request, _("Saved."))
        return redirect("web:overview", slug=c.slug)
    return render(request, "consultations/consultation_form.html", {
        "form": form, "formset": formset, "c": c, "role": role, "rows": rows_in_order(formset)})


@login_required
def overview(request, slug):
    c, role = consultation_for(request, slug)
    counts = dict(c.comments.values_list("state").annotate(n=Count("id")))
    return render(request, "consultations/overview.html", {
        "c": c, "role": role, "counts": {k: counts.get(k, 0) for k, _label in Comment.STATES},
        "questions": c.questions.all(), "job": c.jobs.order_by("-id").first(),
        "run": c.runs.order_by("-id").first(),  # the analysis app's jobs and runs, by their reverse relations
        "members": c.members.select_related("user"), "invite_link": request.session.pop("innspill_invite", None)})


@login_required
@require_POST
def set_state(request, slug):
    c, _role = consultation_for(request, slug, ORGANISER)
    state = request.POST.get("state")
    if state not in (Consultation.DRAFT, Consultation.OPEN, Consultation.CLOSED):
        raise PermissionDenied
    if state == Consultation.OPEN and not c.questions.exists():
        messages.error(request, _("Add at least one question before publishing."))
        return redirect("web:overview", slug=slug)
    c.state = state
    if state == Consultation.OPEN and c.closes_at and c.closes_at <= timezone.now():
        c.closes_at = None
    c.save(update_fields=["state", "closes_at"])
    return redirect("web:overview", slug=slug)


@login_required
@require_POST
def invite(request, slug):
    c, _role = consultation_for(request, slug, ORGANISER)
    role = request.POST.get("role", Membership.MODERATOR)
    if role not in (Membership.MODERATOR, Membership.ORGANISER):
        raise PermissionDenied
    token = new_token()
    Invitation.objects.create(consultation=c, token_sha256=token_hash(token), role=role, created_by=request.user)
    request.session["innspill_invite"] = request.build_absolute_uri(reverse("web:accept_invite", args=[token]))
    return redirect("web:overview", slug=slug)


def _report_without_paths(report: dict, path, name: str) -> dict:
    """The inspect report as stored and shown: every text in it without the server's paths."""
    def clean(x):
        if isinstance(x, str):
            return hide_paths(x, path, name)
        if isinstance(x, list):
            return [clean(v) for v in x]
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        return x
    return clean(report)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, slug):
    c, role = consultation_for(request, slug, ORGANISER)
    form = ImportForm(request.POST or None, request.FILES or None, max_bytes=settings.UPLOAD_MAX_BYTES)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
            name = os.path.basename(upload.name)[:200] or "upload"
            path = settings.UPLOAD_DIR / f"{uuid.uuid4().hex}-{''.join(ch for ch in name if ch.isalnum() or ch in '.-_')}"
            with open(path, "wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            try:
                report = imports.inspect_upload(str(path), form.cleaned_data["format"], form.cleaned_data["post"])
            except InnspillError as exc:
                os.remove(path)
                form.add_error("file", hide_paths(f"{exc.code}: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""),
                                                  path, name))
                status = 400
            else:
                report = _report_without_paths(report, path, name)
                report["options"] = {"format": form.cleaned_data["format"], "post": form.cleaned_data["post"]}
                batch = ImportBatch.objects.create(consultation=c, filename=name, stored_path=str(path),
                                                   report=report, created_by=request.user)
                return redirect("web:import_confirm", slug=slug, batch=batch.pk)
        else:
            status = 400
    return render(request, "consultations/import.html", {
        "c": c, "role": role, "form": form, "limit_mb": round(settings.UPLOAD_MAX_BYTES / 1024**2)}, status=status)

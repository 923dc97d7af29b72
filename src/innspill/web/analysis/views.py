"""The analysis' pages: confirming an import (its comments stored, then their analysis queued),
queuing an analysis, and a job's progress (HTML, or JSON for the page's script)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ...errors import InnspillError
from ..consultations import imports
from ..consultations.access import consultation_for
from ..consultations.models import ImportBatch, Membership
from ..security import hide_paths
from . import jobs
from .models import Job

ORGANISER = (Membership.ORGANISER,)


@login_required
@require_http_methods(["GET", "POST"])
def import_confirm(request, slug, batch):
    c, role = consultation_for(request, slug, ORGANISER)
    batch = get_object_or_404(ImportBatch, pk=batch, consultation=c)
    if request.method == "POST" and batch.confirmed_at is None:
        opts = batch.report.get("options", {})
        try:
            n = imports.confirm_import(batch, opts.get("format", "auto"), opts.get("post") or None)
        except InnspillError as exc:
            messages.error(request, hide_paths(f"{exc.code}: {exc.message}", batch.stored_path, batch.filename))
            return redirect("web:import_confirm", slug=slug, batch=batch.pk)
        job = jobs.enqueue(c, request.user)
        messages.success(request, _("%(n)d comments imported; the analysis is queued.") % {"n": n})
        return redirect("web:job", slug=slug, job=job.pk)
    return render(request, "analysis/import_confirm.html", {"c": c, "role": role, "batch": batch,
                                                            "report": batch.report,
                                                            "has_questions": c.questions.exists()})


@login_required
@require_POST
def analyse(request, slug):
    c, _role = consultation_for(request, slug, ORGANISER)
    job = jobs.enqueue(c, request.user)
    return redirect("web:job", slug=slug, job=job.pk)


@login_required
def job(request, slug, job):
    c, role = consultation_for(request, slug)
    j = get_object_or_404(Job, pk=job, consultation=c)
    data = {"id": j.pk, "status": j.status, "progress": j.progress, "message": j.message,
            "attempts": j.attempts, "run": j.run_id,
            "estimate": {"texts": j.estimate.texts, "seconds": round(j.estimate.seconds, 1)}
            if hasattr(j, "estimate") else None}
    if request.GET.get("format") == "json":
        return JsonResponse(data)
    return render(request, "analysis/job.html", {"c": c, "role": role, "job": j,
                                                 "refresh": j.status in (Job.QUEUED, Job.RUNNING)})

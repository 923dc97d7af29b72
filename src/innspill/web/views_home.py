"""The front page: the open consultations, a box to join a live vote by its code, and the closed
consultations with what was heard (issue 20: closed ones no longer vanish with their results)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils import timezone

from .consultations.models import Consultation

CLOSED_ON_HOME = 30  # closed consultations listed on the front page, newest first


def home(request):
    if not get_user_model().objects.exists():
        return redirect("web:setup")
    now = timezone.now()
    published = (Consultation.objects.exclude(state=Consultation.DRAFT).select_related("results_page")
                 .order_by("-created_at"))
    open_ones, closed = [], []
    for c in published:
        if c.is_open(now):
            open_ones.append(c)
        elif len(closed) < CLOSED_ON_HOME:
            # a closed one links to its public results once the organiser published them, else to
            # its page (the published answers and "the comment field is closed")
            page = getattr(c, "results_page", None)
            closed.append({"c": c, "results": bool(page and page.published),
                           "closed_at": c.closes_at if c.closes_at and c.closes_at <= now else None})
    return render(request, "web/home.html", {"consultations": open_ones, "closed": closed})

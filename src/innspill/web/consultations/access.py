"""Who may see a consultation's organiser and moderator pages: its members by their role, and
superusers as organisers."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Consultation, Membership

ANY_ROLE = (Membership.ORGANISER, Membership.MODERATOR)


def role_of(user, consultation: Consultation) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Membership.ORGANISER
    m = Membership.objects.filter(consultation=consultation, user=user).values_list("role", flat=True).first()
    return m


def consultation_for(request, slug: str, roles=ANY_ROLE) -> tuple[Consultation, str]:
    """The consultation if the user has one of ``roles`` in it; 404 otherwise (its existence is
    not revealed to members of other consultations)."""
    consultation = get_object_or_404(Consultation, slug=slug)
    role = role_of(request.user, consultation)
    if role not in roles:
        raise Http404("no such consultation")
    return consultation, role

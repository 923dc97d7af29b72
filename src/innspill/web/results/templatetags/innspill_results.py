"""Template pieces of the results in other pages (issue 9): a participant's reading of their own
answer (their private page), open misreading flags (review), the switch that publishes the
results page (results)."""

from __future__ import annotations

from django import template

from ...consultations.models import Comment
from ..models import MisreadingFlag

register = template.Library()


@register.inclusion_tag("results/_reading.html", takes_context=True)
def own_reading(context, comment: Comment):
    from ..forms import MisreadingForm
    from ..heard import reading_of

    request = context["request"]
    token = request.resolver_match.kwargs.get("token") if request.resolver_match else None
    return {"reading": reading_of(comment), "comment": comment, "token": token, "c": comment.consultation,
            "form": MisreadingForm(questions=comment.consultation.questions.all()),
            "open_flags": comment.misreadings.filter(resolved_at__isnull=True).count(),
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("results/_misreadings.html", takes_context=True)
def misreading_flags(context, c):
    flags = list(MisreadingFlag.objects.filter(comment__consultation=c, resolved_at__isnull=True)
                 .select_related("comment"))
    return {"flags": flags, "c": c, "role": context.get("role"), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("results/_results_switch.html", takes_context=True)
def results_switch(context, c):
    from ..heard import closed, results_published

    return {"c": c, "closed": closed(c), "published": results_published(c),
            "csrf_token": context.get("csrf_token")}

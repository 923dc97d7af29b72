"""Template pieces of issue 9 that sit in existing pages: the public rules for comments and the
results link, a participant's reading of their own answer, open misreading flags in review,
and a job's time estimate."""

from __future__ import annotations

from django import template

from ..models import Comment, JobEstimate, MisreadingFlag

register = template.Library()


@register.inclusion_tag("web/_rules.html")
def comment_rules(c):
    from ..views_heard import results_published

    return {"rules": list(c.rules.all()), "c": c,  # the moderation app's rules (ModerationRule)
            "results": results_published(c)}


@register.inclusion_tag("web/_reading.html", takes_context=True)
def own_reading(context, comment: Comment):
    from ..forms import MisreadingForm
    from ..views_heard import reading_of

    request = context["request"]
    token = request.resolver_match.kwargs.get("token") if request.resolver_match else None
    return {"reading": reading_of(comment), "comment": comment, "token": token, "c": comment.consultation,
            "form": MisreadingForm(questions=comment.consultation.questions.all()),
            "open_flags": comment.misreadings.filter(resolved_at__isnull=True).count(),
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("web/_misreadings.html", takes_context=True)
def misreading_flags(context, c):
    flags = list(MisreadingFlag.objects.filter(comment__consultation=c, resolved_at__isnull=True)
                 .select_related("comment"))
    return {"flags": flags, "c": c, "role": context.get("role"), "csrf_token": context.get("csrf_token")}


def _when(seconds: float) -> tuple[int, str]:
    return (round(seconds / 60), "min") if seconds >= 90 else (max(1, round(seconds)), "s")


@register.inclusion_tag("web/_estimate.html")
def job_estimate(job):
    """The estimate timed on a sample when the job started embedding; while queued, the last
    sample's rate times the texts of the last run, marked as rough."""
    est = JobEstimate.objects.filter(job=job).first()
    if est is not None:
        n, unit = _when(est.seconds)
        return {"texts": est.texts, "n": n, "unit": unit, "timed": True, "job": job}
    if job.status == "queued":
        prev = JobEstimate.objects.filter(job__consultation=job.consultation).order_by("-at").first()
        if prev is not None and prev.texts:
            n, unit = _when(prev.seconds)
            return {"texts": prev.texts, "n": n, "unit": unit, "timed": False, "job": job}
    return {"texts": None, "job": job}


@register.inclusion_tag("web/_results_switch.html", takes_context=True)
def results_switch(context, c):
    from ..views_heard import closed, results_published

    return {"c": c, "closed": closed(c), "published": results_published(c),
            "csrf_token": context.get("csrf_token")}

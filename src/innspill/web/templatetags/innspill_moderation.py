"""Template pieces of issue 9 that sit in the consultations' pages: the public rules for comments
with the results link, and a job's time estimate. (The results' own pieces, a participant's
reading of their answer, open misreading flags and the publish switch, are the results app's
``innspill_results``.)"""

from __future__ import annotations

from django import template

from ..models import JobEstimate

register = template.Library()


@register.inclusion_tag("web/_rules.html")
def comment_rules(c):
    page = getattr(c, "results_page", None)  # the results app's ResultsPage, when there is one
    return {"rules": list(c.rules.all()), "c": c,  # the moderation app's rules (ModerationRule)
            "results": bool(page and page.published and c.is_closed())}


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

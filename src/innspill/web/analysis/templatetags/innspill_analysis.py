"""The analysis' template piece: a job's time estimate (on its page)."""

from __future__ import annotations

from django import template

from ..models import JobEstimate

register = template.Library()


def _when(seconds: float) -> tuple[int, str]:
    return (round(seconds / 60), "min") if seconds >= 90 else (max(1, round(seconds)), "s")


@register.inclusion_tag("analysis/_estimate.html")
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

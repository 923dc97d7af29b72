"""A work queue in a database table, for ``innspill worker`` (no Redis or Celery).

A worker claims the oldest job that is queued, or running with a heartbeat older than
``JOB_TIMEOUT_SECONDS`` (its worker crashed), with one conditional UPDATE: of two workers
that race for the same row, exactly one sees a row count of 1. While a job runs, a thread
refreshes its heartbeat; the job's ``progress`` and ``message`` are shown on its page.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone

from ..security import hide_paths
from .models import Job

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = 5


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def enqueue(consultation, user=None, kind: str = "analyse") -> Job:
    """A queued job; an analysis already queued for the consultation is reused."""
    existing = Job.objects.filter(consultation=consultation, kind=kind, status=Job.QUEUED).first()
    return existing or Job.objects.create(consultation=consultation, kind=kind, created_by=user)


def _claimable(now):
    stale = now - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
    return Q(status=Job.QUEUED) | Q(status=Job.RUNNING, heartbeat__lt=stale)


def claim(worker: str) -> Job | None:
    """Claim one job with a conditional UPDATE; None when there is nothing to do."""
    for _ in range(10):
        now = timezone.now()
        candidate = Job.objects.filter(_claimable(now)).order_by("id").values_list("id", flat=True).first()
        if candidate is None:
            return None
        won = Job.objects.filter(_claimable(now), id=candidate).update(
            status=Job.RUNNING, claimed_by=worker, heartbeat=now, attempts=F("attempts") + 1,
            message="started")
        if won == 1:
            return Job.objects.select_related("consultation").get(id=candidate)
    return None


def _beat(job_id: int, worker: str, stop: threading.Event) -> None:
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                Job.objects.filter(id=job_id, claimed_by=worker, status=Job.RUNNING).update(heartbeat=timezone.now())
            except Exception as exc:  # a busy database: the next beat will do
                log.warning("job %s: heartbeat not written (%s)", job_id, exc)
    finally:
        connection.close()


def run_job(job: Job, worker: str) -> Job:
    from .services import run_analysis

    if job.attempts > MAX_ATTEMPTS:
        Job.objects.filter(id=job.id).update(status=Job.FAILED, finished_at=timezone.now(),
                                             message=f"gave up after {MAX_ATTEMPTS} attempts")
        job.refresh_from_db()
        return job

    def progress(percent: int, stage: str) -> None:
        Job.objects.filter(id=job.id, claimed_by=worker).update(progress=percent, message=stage,
                                                                 heartbeat=timezone.now())

    def estimate(texts: int, seconds: float) -> None:
        from .models import JobEstimate

        JobEstimate.objects.update_or_create(job_id=job.id, defaults={"texts": texts, "seconds": seconds,
                                                                      "at": timezone.now()})

    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(job.id, worker, stop), daemon=True)
    beat.start()
    try:
        if job.kind != "analyse":
            raise ValueError(f"unknown job kind {job.kind!r}")
        run = run_analysis(job.consultation, progress=progress, on_estimate=estimate)
        Job.objects.filter(id=job.id, claimed_by=worker).update(
            status=Job.DONE, progress=100, message="done", run=run, finished_at=timezone.now())
    except Exception as exc:  # the job fails, the worker goes on
        log.error("job %s failed: %s", job.id, traceback.format_exc())
        Job.objects.filter(id=job.id, claimed_by=worker).update(
            status=Job.FAILED, message=hide_paths(f"{type(exc).__name__}: {exc}")[:300], finished_at=timezone.now())
    finally:
        stop.set()
        beat.join()
    job.refresh_from_db()
    return job


def run_one(worker: str | None = None) -> Job | None:
    """Claim and run one job, synchronously (tests, ``innspill worker --once``)."""
    worker = worker or worker_name()
    job = claim(worker)
    return run_job(job, worker) if job else None


def work(stop: threading.Event | None = None, poll: float = 1.0, once: bool = False) -> int:
    """Run jobs until ``stop`` is set (or, with ``once``, until the queue is empty). Returns jobs run."""
    worker = worker_name()
    done = 0
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        try:
            job = run_one(worker)
        except Exception:  # the database went away for a moment: wait and retry
            log.exception("worker: cannot claim a job")
            job = None
        if job is not None:
            done += 1
            continue
        if once:
            break
        stop.wait(poll)
    connection.close()
    return done

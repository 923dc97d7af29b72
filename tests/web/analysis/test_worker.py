"""The job queue: one claim per job, a crashed worker's job is taken over, failures recorded,
progress shown, and ``innspill worker --once`` drains the queue."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from innspill.web.analysis import jobs
from innspill.web.analysis.models import Job

pytestmark = pytest.mark.django_db


def test_only_one_worker_wins_a_job(make_consultation):
    cons = make_consultation()
    job = jobs.enqueue(cons)
    assert jobs.enqueue(cons).pk == job.pk  # an analysis already queued is reused
    first = jobs.claim("w1")
    assert first.pk == job.pk and first.claimed_by == "w1" and first.attempts == 1
    assert jobs.claim("w2") is None
    job.refresh_from_db()
    assert job.status == "running" and job.claimed_by == "w1"


def test_the_conditional_update_decides_a_race(make_consultation):
    """Both workers saw the job queued; the UPDATE with the same condition lets one through."""
    cons = make_consultation()
    job = jobs.enqueue(cons)
    now = timezone.now()
    won = [Job.objects.filter(jobs._claimable(now), id=job.pk).update(status="running", claimed_by=w, heartbeat=now)
           for w in ("w1", "w2")]
    assert won == [1, 0]


def test_a_crashed_workers_job_is_taken_over(make_consultation, settings):
    settings.JOB_TIMEOUT_SECONDS = 60
    cons = make_consultation()
    job = jobs.enqueue(cons)
    jobs.claim("crashed")
    assert jobs.claim("w2") is None  # heartbeat is fresh
    Job.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - timedelta(seconds=61))
    taken = jobs.claim("w2")
    assert taken.pk == job.pk and taken.claimed_by == "w2" and taken.attempts == 2
    done = jobs.run_job(taken, "w2")
    assert done.status == "done" and done.run is not None and done.progress == 100


def test_the_crashed_worker_cannot_overwrite_the_new_owner(make_consultation):
    cons = make_consultation()
    job = jobs.enqueue(cons)
    jobs.claim("old")
    Job.objects.filter(pk=job.pk).update(claimed_by="new")
    Job.objects.filter(id=job.pk, claimed_by="old").update(status="done")  # what the old worker would write
    job.refresh_from_db()
    assert job.status == "running" and job.claimed_by == "new"


def test_a_failing_job_is_recorded_and_the_worker_goes_on(make_consultation, monkeypatch):
    from innspill.web.analysis import services

    cons = make_consultation()
    jobs.enqueue(cons)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "run_analysis", boom)
    job = jobs.run_one("w")
    assert job.status == "failed" and "disk full" in job.message and job.finished_at is not None


def test_gives_up_after_three_attempts(make_consultation):
    cons = make_consultation()
    job = jobs.enqueue(cons)
    Job.objects.filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS)
    job = jobs.run_one("w")
    assert job.status == "failed" and "gave up" in job.message


def test_progress_is_reported_and_visible(make_consultation, client_for):
    cons = make_consultation()
    seen = []
    job = jobs.enqueue(cons)
    claimed = jobs.claim("w")
    from innspill.web.analysis import services

    services.run_analysis(cons, progress=lambda p, stage: seen.append((p, stage)))
    assert [s for _, s in seen][:3] == ["repair", "dedupe", "language"] and all(0 < p < 100 for p, _ in seen)
    org = client_for(cons.created_by)
    page = org.get(f"/org/c/{cons.slug}/jobs/{claimed.pk}/").content.decode()
    assert '<meta http-equiv="refresh"' in page and "<progress" in page
    assert org.get(f"/org/c/{cons.slug}/jobs/{job.pk}/?format=json").json()["status"] == "running"


@pytest.mark.skipif("sqlite" in connection.vendor, reason="threads share one SQLite test database poorly")
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_on_postgresql(make_consultation):
    cons = make_consultation()
    for _ in range(5):
        Job.objects.create(consultation=cons)
    got, lock = [], threading.Lock()

    def grab(name):
        while True:
            job = jobs.claim(name)
            if job is None:
                break
            with lock:
                got.append(job.pk)
        connection.close()

    threads = [threading.Thread(target=grab, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == sorted(Job.objects.values_list("pk", flat=True))  # every job once, none twice

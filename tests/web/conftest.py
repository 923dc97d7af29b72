"""Web tests: Django settings from the environment, a throwaway data folder, analysis by words
only unless a test asks for embeddings. With DATABASE_URL set they run on PostgreSQL."""

import os
import tempfile

import pytest

os.environ.setdefault("INNSPILL_DATA", tempfile.mkdtemp(prefix="innspill-web-test-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "innspill.web.settings"
os.environ.setdefault("INNSPILL_NO_EMBEDDINGS", "1")

import django  # noqa: E402

django.setup()

QUESTIONS = [
    ("Er det greit at ansatte oppretter grupper på facebook i bedriftens navn?", "yesno"),
    ("Skal vi slå ned på ansatte som legger ut bilder fra arbeidsplassen som kan være negative for "
     "bedriftens omdømme?", "yesno"),
    ("Hvilke retningslinjer bør gjelde for ansatte som har profiler på sosiale medier?", "open"),
    ("Og hva med oss selv – kan kommunikasjonsrådgivere skille mellom privat og offentlig rolle som brukere av "
     "sosiale medier – kan vi ytre oss fritt og være venner med hvem som helst?", "yesno"),
]
PASSWORD = "Tr1cky-horse-battery"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organiser(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("org", "org@example.org", PASSWORD)


@pytest.fixture
def make_consultation(db):
    from django.contrib.auth.models import User

    from innspill.web.consultations.models import Consultation, Membership, Question

    def make(slug="hoering", owner=None, state="open", questions=QUESTIONS, **kw):
        owner = owner or User.objects.create_user(f"owner-{slug}", "", PASSWORD, is_staff=True)
        c = Consultation.objects.create(slug=slug, title=f"Høring {slug}", intro="Vi vil høre fra deg.",
                                        state=state, created_by=owner, **kw)
        for i, (text, kind) in enumerate(questions, start=1):
            Question.objects.create(consultation=c, number=i, text=text, kind=kind)
        Membership.objects.create(consultation=c, user=owner, role=Membership.ORGANISER)
        return c
    return make


@pytest.fixture
def client_for(db):
    from django.test import Client

    def make(user=None, **kw):
        c = Client(**kw)
        if user is not None:
            c.force_login(user)
        return c
    return make


def answer(client, slug, **fields):
    data = {"consent": "on", **fields}
    return client.post(f"/c/{slug}/", data)


def two_answers_analysed(cons, client_for):
    """Two answers to the standard consultation, approved and analysed (the worker's job run
    here); returns the organiser's client."""
    from innspill.web.analysis import jobs
    from innspill.web.consultations.models import Comment

    anon = client_for()
    answer(anon, cons.slug, name="Per", q1="Nei. Det bør ikke enkeltpersoner gjøre.", q2="Ja, helt klart.")
    answer(anon, cons.slug, comment="1. Det er greit hvis arbeidsgiver vet om det.\n\n2. Nei, det er å gå for langt.")
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": list(Comment.objects.values_list("id", flat=True)),
                                                "action": "approve"})
    jobs.enqueue(cons)
    jobs.run_one()
    return org

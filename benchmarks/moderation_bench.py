"""Moderation queue at scale: a consultation with N pending comments (distinct answers, a form
letter, double posts, link spam, names and sensitive stories), SQLite in a throwaway folder.
Prints the time of the first signals batch, of a batch after one new comment, and of queue
page views (first page, a filter, a search, a later page) with Django's test client.
Not part of the test run.

    python benchmarks/moderation_bench.py --comments 3000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=3000)
    args = ap.parse_args()
    from innspill.web.runtime import setup

    setup(tempfile.mkdtemp(prefix="innspill-modbench-"))
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from innspill.web.consultations.models import Comment, Consultation, Membership, Question
    from innspill.web.moderation import services as moderation

    settings.ALLOWED_HOSTS = ["*"]
    user = get_user_model().objects.create_superuser("bench", "", "Bench-password-123")
    c = Consultation.objects.create(slug="bench", title="Kantina", state="open", created_by=user)
    Membership.objects.create(consultation=c, user=user, role="organiser")
    Question.objects.create(consultation=c, number=1, text="Bør kantina ha vegetardag hver uke?")
    rng = random.Random(3)
    words = ("kantina mat vegetar kaffe pris kø åpningstid salat suppe brød frukt kjøtt fisk lunsj ansatte "
             "kollegaer sunn billig dyr god dårlig uke dag morgen ettermiddag valg meny smak").split()
    letter = ("Vi som jobber i tredje etasje ber om en fast vegetardag hver uke, billigere frukt og at kantina "
              "holder åpent til klokka fire, slik at også de som jobber sent får et måltid.")
    rows = []
    for i in range(args.comments):
        r = i % 20
        if r == 0:
            text = letter
        elif r == 1:
            text = "Billig kaffe! http://kaffe.example/tilbud www.rabatt.example"
        elif r == 2:
            text = "Snakk med Kari Nordmann i kantina, hun vet. " + " ".join(rng.choices(words, k=12))
        elif r == 3:
            text = "Jeg ble sykmeldt med depresjon etter at sjefen min trakasserte meg i lunsjen."
        else:
            text = " ".join(rng.choices(words, k=rng.randint(10, 40))).capitalize() + "."
        rows.append(Comment(consultation=c, text=text, author=f"Deltaker {i}", email=f"d{i}@example.org",
                            consent=True))
    Comment.objects.bulk_create(rows, batch_size=1000)
    t0 = time.perf_counter()
    n = moderation.refresh_signals(c)
    print(f"{args.comments} pending comments: first signals batch {time.perf_counter() - t0:.2f} s "
          f"({n} assessed for privacy)")
    Comment.objects.create(consultation=c, text=letter, author="Sen", consent=True)
    t0 = time.perf_counter()
    n = moderation.refresh_signals(c)
    print(f"one new comment: batch {time.perf_counter() - t0:.2f} s ({n} assessed for privacy)")
    client = Client()
    client.force_login(user)
    for label, url in [("queue, first page", "/org/c/bench/moderate/"),
                       ("queue, first page again", "/org/c/bench/moderate/"),
                       ("filter form letters", "/org/c/bench/moderate/?flag=form-letter"),
                       ("search 'vegetar'", "/org/c/bench/moderate/?q=vegetar"),
                       ("page 20", "/org/c/bench/moderate/?page=20")]:
        t0 = time.perf_counter()
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        print(f"{label}: {1000 * (time.perf_counter() - t0):.0f} ms")
    t0 = time.perf_counter()
    r = client.post("/org/c/bench/moderate/", {"flag": "form-letter", "all_matching": "1", "action": "spam",
                                              "note": "kampanje"})
    print(f"mark every form letter as spam ({Comment.objects.filter(state='spam').count()} comments, "
          f"signals recomputed): {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()

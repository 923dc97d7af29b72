"""Issue 20, the other direction: the English interface is English. Each organiser, moderator,
participant and public page, and the brief (HTML and Markdown), is rendered in English (a
consultation written in English) and its visible text is searched for Norwegian words that leaked in."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import innspill.web
from innspill.web.analysis import jobs
from innspill.web.consultations.models import Comment
from innspill.web.moderation.models import ModerationRule

from .conftest import answer
from .test_nb_words import visible

pytestmark = pytest.mark.django_db

NORWEGIAN = ["spørsmål", "spørsmålet", "kommentar", "kommentarer", "kommentaren", "svar", "svaret", "enig", "uenig",
             "ikke", "godkjent", "godkjenn", "avvist", "avvis", "venter", "høring", "høringen", "lagre", "arrangør",
             "standpunkt", "blandet", "ingen", "deltaker", "deltakere", "resultater", "forslag", "usikker",
             "hvorfor", "og", "eller", "du", "ja", "nei", "med", "mot", "til", "fra", "på", "av", "som", "er",
             "flytt", "del", "slett", "legg", "rediger", "oversikt", "moderering", "gjennomgang", "ferdig", "feilet",
             "kjører", "i kø", "publisert", "stengt", "utkast", "tittel", "innledning", "språk", "rekkefølge",
             "velg", "merk", "begrunnelse", "regel", "regler", "tema", "grupper", "notat", "debattnotat"]
QUESTIONS = [("Should the speed limit on Main Street be 30 km/h?", "yesno"),
             ("Should cars be allowed to park along Main Street?", "yesno"),
             ("What would make Main Street better to walk along?", "open")]


def norwegian_in(html: str) -> list[str]:
    text = visible(html).lower()
    return [w for w in NORWEGIAN if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def test_en_pages_and_brief_have_no_norwegian_words(make_consultation, client_for):
    cons = make_consultation(questions=QUESTIONS, language="en")
    cons.title, cons.intro = "Main Street", "We would like to hear from you about Main Street."
    cons.save()
    ModerationRule.objects.create(consultation=cons, code="R1", text="No personal attacks.", position=0)
    anon = client_for(HTTP_ACCEPT_LANGUAGE="en")
    answer(anon, cons.slug, name="Pat", q1_choice="yes", q1="It is safer for children.",
           q3="Wider pavements and more benches.")
    link = anon.session["innspill_last_link"].split("testserver", 1)[-1]
    answer(client_for(), cons.slug, comment="1. No, 40 km/h is fine.\n\n2. Yes, shops need the parking.")
    answer(client_for(), cons.slug, q2_choice="unsure", q3="Trees along the street.")
    org = client_for(cons.created_by, HTTP_ACCEPT_LANGUAGE="en")
    org.cookies.load({"django_language": "en"})
    ids = list(Comment.objects.values_list("id", flat=True))
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": ids[:2], "action": "approve"})
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": ids[2:], "action": "reject", "rule": cons.rules.get().pk})
    jobs.enqueue(cons)
    jobs.run_one()
    job = cons.jobs.order_by("-id").first()
    pages = {
        "overview": f"/org/c/{cons.slug}/", "moderate": f"/org/c/{cons.slug}/moderate/?show=all",
        "moderate-pending": f"/org/c/{cons.slug}/moderate/", "log": f"/org/c/{cons.slug}/moderate/log/",
        "review": f"/org/c/{cons.slug}/review/", "review-all": f"/org/c/{cons.slug}/review/?show=all",
        "results": f"/org/c/{cons.slug}/results/", "job": f"/org/c/{cons.slug}/jobs/{job.pk}/", "dashboard": "/org/",
        "policy": f"/org/c/{cons.slug}/policy/", "edit": f"/org/c/{cons.slug}/edit/", "new": "/org/new/",
        "brief.html": f"/org/c/{cons.slug}/brief.html?lang=en", "brief.md": f"/org/c/{cons.slug}/brief.md?lang=en",
    }
    found = {}
    for name, url in pages.items():
        r = org.get(url)
        assert r.status_code == 200, (name, r.status_code)
        body = r.content.decode("utf-8")
        if bad := norwegian_in(body if name != "brief.md" else f"<pre>{body}</pre>"):
            found[name] = bad
    for name, url in {"public": f"/c/{cons.slug}/", "private": link, "front": "/", "login": "/login/"}.items():
        r = anon.get(url)
        assert r.status_code == 200, (name, r.status_code)
        if bad := norwegian_in(r.content.decode()):
            found[name] = bad
    # the check sees Norwegian where it is: the same public page in nb
    assert ">Don&#x27;t know</label>" in anon.get(f"/c/{cons.slug}/").content.decode()
    nb = client_for(HTTP_ACCEPT_LANGUAGE="nb").get(f"/c/{cons.slug}/").content.decode()
    assert {"svar", "spørsmål", "ikke", "hvorfor"} <= set(norwegian_in(nb))
    org.post(f"/org/c/{cons.slug}/state/", {"state": "closed"})
    org.post(f"/org/c/{cons.slug}/results/publish/", {"publish": "1"})
    r = anon.get(f"/c/{cons.slug}/results/")
    assert r.status_code == 200
    if bad := norwegian_in(r.content.decode()):
        found["public results"] = bad
    demo = Path(innspill.web.__file__).parent / "demo" / "kantine-nb.txt"
    r = org.post(f"/org/c/{cons.slug}/import/", {"file": SimpleUploadedFile("kantine.txt", demo.read_bytes()),
                                                  "format": "auto"})
    assert r.status_code == 302
    page = org.get(r["Location"]).content.decode()
    # the import page quotes the file (Norwegian): only the page's own words are checked
    page = re.sub(r"<(blockquote|pre|td|li)\b[^>]*>.*?</\1>", " ", page, flags=re.S)
    if bad := norwegian_in(page):
        found["import"] = bad
    assert not found, found

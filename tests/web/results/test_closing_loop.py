"""Issue 9, closing the loop: the organiser's public results page after closing (anonymised
quotes; no e-mail, flagged name or sensitive story), a participant's private link that shows how
their answer was read and lets them flag a misreading into the review queue; and the time
estimate of an analysis job on its page."""

import re

import numpy as np
import pytest

from innspill.web.analysis import jobs, services
from innspill.web.analysis.models import JobEstimate
from innspill.web.consultations.models import Comment
from innspill.web.results.models import MisreadingFlag

from ..conftest import answer

pytestmark = pytest.mark.django_db

ANSWERS = [
    dict(name="Per", q1="Nei, det er ikke greit at ansatte lager grupper i bedriftens navn uten lov.",
         q2="Nei, vi skal ikke slå ned på bilder, men snakke om dem."),
    dict(name="Kari Nordmann", q1="Ja, det er greit så lenge gruppen er tydelig merket som uoffisiell.",
         q2="Ja, negative bilder skader omdømmet og bør få følger."),
    dict(name="", q1="Nei, det er ikke greit. Skriv til ola.nordmann@example.org om dere er uenige.",
         q2="Nei, det går for langt å slå ned på bilder."),
    dict(name="", q1="Ja, det er greit. Snakk med Kari Nordmann i HR, hun vet hva som gjelder.",
         q2="Ja, bedriften må kunne reagere på bilder som skader."),
    dict(name="", q1="Nei. Jeg ble sykmeldt med depresjon etter at sjefen min trakasserte meg i en slik gruppe.",
         q2="Nei, det er ikke greit å slå ned på ansatte."),
    dict(name="Ole", q1="Ja, det er greit med grupper når arbeidsgiver vet om dem og har regler for dem.",
         q2="Nei, bilder fra jobben er en del av ytringsfriheten til de ansatte."),
]


def _analysed(make_consultation, client_for, state="open"):
    c = make_consultation()
    anon = client_for()
    links = []
    for a in ANSWERS:
        r = answer(anon, c.slug, **a)
        assert r.status_code == 302
        links.append(anon.get(r["Location"]).context["link"].split("testserver", 1)[1])
    org = client_for(c.created_by, HTTP_ACCEPT_LANGUAGE="nb")
    org.post(f"/org/c/{c.slug}/moderate/", {"show": "pending", "all_matching": "1", "action": "approve"})
    assert Comment.objects.filter(state="approved").count() == len(ANSWERS)
    org.post(f"/org/c/{c.slug}/analyse/")
    assert jobs.run_one().status == "done"
    return c, org, links


def test_public_results_page_shows_what_was_heard_without_personal_data(make_consultation, client_for):
    c, org, _links = _analysed(make_consultation, client_for)
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    assert anon.get(f"/c/{c.slug}/results/").status_code == 404  # not published
    r = org.post(f"/org/c/{c.slug}/results/publish/", {"publish": "1"}, follow=True)
    assert "Steng høringen før du publiserer" in r.content.decode()  # still open
    org.post(f"/org/c/{c.slug}/state/", {"state": "closed"})
    org.post(f"/org/c/{c.slug}/results/publish/", {"publish": "1"})
    page = anon.get(f"/c/{c.slug}/results/")
    assert page.status_code == 200
    body = page.content.decode()
    heard = page.context["heard"]
    assert [q["number"] for q in heard["questions"]] == [1, 2, 3, 4]
    q1 = heard["questions"][0]
    assert q1["answered"] == 6 and sum(k for _s, k, _p in q1["counts"]) == 6
    quotes = [x for q in heard["questions"] for t in q["themes"] for x in t["quotes"]]
    assert quotes, "the page quotes what people wrote"
    assert any("ytringsfriheten" in x or "uoffisiell" in x or "arbeidsgiver vet" in x for x in quotes)
    # no e-mail, no flagged name, no sensitive story, no author
    assert "@" not in body and "example.org" not in body
    assert "Kari" not in body and "Nordmann" not in body and "Per" not in re.findall(r"\w+", body)
    assert "sykmeldt" not in body and "depresjon" not in body and "trakasserte" not in body
    assert "Dette hørte vi" in body and "Bygger på 6 publiserte svar." in body and "[navn]" in body
    # the public page links to it; taking it down hides it again
    assert f"/c/{c.slug}/results/" in anon.get(f"/c/{c.slug}/").content.decode()
    org.post(f"/org/c/{c.slug}/results/publish/", {"publish": "0"})
    assert anon.get(f"/c/{c.slug}/results/").status_code == 404


def test_participant_sees_how_their_answer_was_read_and_flags_a_misreading(make_consultation, client_for):
    c, org, links = _analysed(make_consultation, client_for)
    me = client_for(HTTP_ACCEPT_LANGUAGE="en")
    page = me.get(links[0])
    body = page.content.decode()
    assert "How your answer was read" in body
    reading = page.context["reading"]
    by_q = {a["number"]: a for a in reading["answers"]}
    assert set(by_q) == {1, 2}
    assert by_q[1]["stance"] == "against" and "ikke greit" in by_q[1]["evidence"]
    assert "«Nei, det er ikke greit" in body
    r = me.post(links[0] + "misreading/", {"question": "2", "note": "Jeg mente at bildene bør få følger bare av og til."})
    assert r.status_code == 302 and r["Location"].endswith("#reading")
    flag = MisreadingFlag.objects.get()
    assert flag.question_number == 2 and flag.comment.author == "Per" and flag.run is not None
    assert me.post(links[0] + "misreading/", {"question": "2", "note": ""}).status_code == 302
    assert MisreadingFlag.objects.count() == 1  # a note is required
    # another participant's token cannot flag this answer; a bad token is 404
    assert me.post(f"/c/{c.slug}/mine/not-a-token/misreading/", {"note": "x"}).status_code == 404
    review = org.get(f"/org/c/{c.slug}/review/").content.decode()
    assert "Jeg mente at bildene bør få følger bare av og til." in review
    assert "1 deltaker sier at vi leste dem feil" in review and f'href="#c{flag.comment_id}"' in review
    org.post(f"/org/c/{c.slug}/misreadings/{flag.pk}/resolve/")
    flag.refresh_from_db()
    assert flag.resolved_by == c.created_by
    assert "Jeg mente at bildene" not in org.get(f"/org/c/{c.slug}/review/").content.decode()


class _FakeModel:
    """Stands in for the embedding model: deterministic vectors, a little time per text."""

    def passage(self, texts):
        import time

        time.sleep(0.0005 * len(texts))
        return np.stack([np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(384).astype(np.float32)
                         for t in texts])

    query = passage


def test_job_page_shows_the_estimate_timed_on_a_sample(make_consultation, client_for, settings, monkeypatch):
    from innspill.embed import Embedder

    c = make_consultation()
    rng = np.random.default_rng(9)
    words = ("grupper bilder jobben ansatte regler facebook kantina ledere omdømme lov greit tydelig åpne "
             "lukket kunder sjefen møter privat offentlig rolle venner ytre fritt navn logo kollegaer").split()
    for _i in range(300):  # distinct texts (copies are embedded once), three sentences each
        text = " ".join(" ".join(rng.choice(words, 7)).capitalize() + "." for _ in range(3))
        Comment.objects.create(consultation=c, state="approved", consent=True, text=text)
    emb = Embedder()
    emb._model = _FakeModel()
    settings.USE_EMBEDDINGS = True
    monkeypatch.setattr(services, "embedder", lambda: emb)
    org = client_for(c.created_by, HTTP_ACCEPT_LANGUAGE="en")
    job_url = org.post(f"/org/c/{c.slug}/analyse/")["Location"]
    queued = org.get(job_url).content.decode()
    assert "timed on a sample when a long analysis starts" in queued
    job = jobs.run_one()
    assert job.status == "done", job.message
    est = JobEstimate.objects.get(job=job)
    assert est.texts > 512 and est.seconds > 0
    assert emb.on_estimate is None  # the shared embedder is left as it was
    page = org.get(job_url).content.decode()
    assert f"Embedding {est.texts} text parts: about" in page and "(timed on a sample)" in page
    assert org.get(job_url + "?format=json").json()["estimate"]["texts"] == est.texts
    # the next job, while queued, shows the last sample's figure as a rough estimate
    nxt = org.post(f"/org/c/{c.slug}/analyse/")["Location"]
    assert f"Rough estimate from the last run ({est.texts} text parts)" in org.get(nxt).content.decode()


def test_second_guard_blocks_names_but_not_the_ordinary_word_they_spell():
    """An author called Per: "per uke", written in lower case in several comments, is an ordinary
    word and leaves a quote public; "Per" capitalised, and a name that is no ordinary word in any
    case, still block it, as do e-mail addresses and phone numbers."""
    from innspill.web.results.heard import Flagged, _safe

    texts = ["Det koster 50 kroner per uke.", "Maks to timer per dag.", "Én gang per måned holder.",
             "Spør Per om det.", "Ole har rett i dette."]
    data = {"language": "nb", "comments": [
        {"text": t, "author": a, "privacy": {"personal_data": []}}
        for t, a in zip(texts, ["Per", "Ole Hans Hansen", None, None, None])]}
    data["comments"][3]["privacy"]["personal_data"] = [{"start": 4, "end": 7, "kind": "name"}]
    f = Flagged(data)
    assert _safe("Det koster 50 kroner per uke.", f)
    assert not _safe("Spør Per om det.", f) and not _safe("PER sa nei.", f)
    assert not _safe("ole har rett.", f) and not _safe("Hansen har rett.", f)  # no ordinary words
    assert _safe("Det er hans sak.", f)  # "hans" is a stop word ("his"), not the name Hans here
    assert not _safe("Hans sa nei.", f)
    assert not _safe("Skriv til a@b.no", f) and not _safe("Ring 912 34 567.", f)
    assert _safe("Det er greit.", f)


def test_misreading_flags_follow_renumbered_questions(make_consultation):
    """The consultations renumber questions without importing the results app: the
    ``questions_renumbered`` signal moves the flags, read all before any is changed (1 <-> 2)."""
    from innspill.web.consultations.views import _follow_numbers

    c = make_consultation()
    cm = Comment.objects.create(consultation=c, text="Ja.")
    flags = {n: MisreadingFlag.objects.create(comment=cm, question_number=n, note=f"q{n}") for n in (1, 2, 3)}
    _follow_numbers(c, {1: 2, 2: 1, 3: None})  # 1 and 2 swap, 3 is deleted
    assert {f.note: MisreadingFlag.objects.get(pk=f.pk).question_number for f in flags.values()} == \
        {"q1": 2, "q2": 1, "q3": 3}

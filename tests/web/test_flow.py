"""The organiser's path through the app with Django's test client: create, publish, answers,
moderation, analysis (one job run synchronously), review, corrections, exports."""

import json

import pytest

from innspill.web.analysis import jobs
from innspill.web.analysis.models import Correction
from innspill.web.consultations.models import Comment, Consultation
from innspill.web.moderation.models import ModerationEvent

from .conftest import QUESTIONS, answer

pytestmark = pytest.mark.django_db


def test_organiser_creates_and_publishes_a_consultation(organiser, client_for):
    c = client_for(organiser)
    data = {"title": "Sosiale medier på jobben", "intro": "Hva mener du?", "language": "nb", "closes_at": "",
            "q-TOTAL_FORMS": "4", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "1000"}
    for i, (text, kind) in enumerate(QUESTIONS):
        data.update({f"q-{i}-number": str(i + 1), f"q-{i}-text": text, f"q-{i}-kind": kind})
    r = c.post("/org/new/", data)
    assert r.status_code == 302
    cons = Consultation.objects.get()
    assert cons.slug == "sosiale-medier-pa-jobben" and cons.state == "draft"
    assert [q.kind for q in cons.questions.all()] == ["yesno", "yesno", "open", "yesno"]
    assert c.get(f"/c/{cons.slug}/").status_code == 404  # a draft is not public
    assert c.post(f"/org/c/{cons.slug}/state/", {"state": "open"}).status_code == 302
    page = c.get(f"/c/{cons.slug}/")
    assert page.status_code == 200 and QUESTIONS[0][0] in page.content.decode()


def test_participant_answers_edits_and_deletes(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for()
    r = answer(anon, cons.slug, q1="Nei, det er ikke greit.", q3="Klare regler.", name="Kari", email="kari@example.org")
    assert r.status_code == 302
    link = anon.get(r["Location"]).context["link"]
    comment = Comment.objects.get()
    assert comment.state == "pending" and comment.fields == {"q1": [0, 23], "q3": [25, 38]}
    assert comment.text == "Nei, det er ikke greit.\n\nKlare regler." and comment.email == "kari@example.org"
    path = link.split("testserver", 1)[1]
    r = anon.post(path, {"consent": "on", "q1": "Ja, det er greit.", "name": "Kari"})
    assert r.status_code == 302
    comment.refresh_from_db()
    assert comment.text == "Ja, det er greit." and comment.state == "pending" and comment.email == ""
    r = anon.post(path, {"delete": "1"})
    comment.refresh_from_db()
    assert comment.state == "withdrawn" and comment.text == "" and comment.author == ""
    assert anon.get(path).status_code == 404
    assert ModerationEvent.objects.filter(comment=comment, after="withdrawn").exists()


def test_answer_needs_content_and_consent(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for()
    assert anon.post(f"/c/{cons.slug}/", {"consent": "on"}).status_code == 400
    assert anon.post(f"/c/{cons.slug}/", {"comment": "Ja."}).status_code == 400
    assert Comment.objects.count() == 0


def test_closed_consultation_refuses_answers(make_consultation, client_for):
    from datetime import timedelta

    from django.utils import timezone

    cons = make_consultation(closes_at=timezone.now() - timedelta(minutes=1))
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    page = anon.get(f"/c/{cons.slug}/").content.decode()
    assert "Kommentarfeltet er stengt" in page and 'name="consent"' not in page
    assert answer(anon, cons.slug, comment="Ja.").status_code == 403
    en = client_for(HTTP_ACCEPT_LANGUAGE="en").get(f"/c/{cons.slug}/").content.decode()
    assert "The comment field is closed" in en
    assert Comment.objects.count() == 0


def _three_answers(cons, client_for):
    anon = client_for()
    answer(anon, cons.slug, name="Per", q1="Nei. Det bør ikke enkeltpersoner gjøre.", q2="Ja, helt klart.")
    answer(anon, cons.slug, comment="1. Det er greit hvis arbeidsgiver vet om det.\n\n"
                                    "2. Nei, det er å gå for langt.")
    answer(anon, cons.slug, name="Spammer", comment="Billige klokker her", email="s@spam.example")
    return list(Comment.objects.order_by("id"))


def test_moderation_bulk_actions_keep_everything(make_consultation, client_for):
    cons = make_consultation()
    c1, c2, c3 = _three_answers(cons, client_for)
    org = client_for(cons.created_by)
    r = org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [c1.pk, c2.pk], "action": "approve"})
    assert r.status_code == 302
    r = org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [c3.pk], "action": "spam", "note": ""})
    c3.refresh_from_db()
    assert c3.state == "pending"  # a reason is required
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [c3.pk], "action": "spam", "note": "advertising"})
    states = dict(Comment.objects.values_list("id", "state"))
    assert states == {c1.pk: "approved", c2.pk: "approved", c3.pk: "spam"}
    assert ModerationEvent.objects.count() == 3
    page = org.get(f"/org/c/{cons.slug}/moderate/?show=spam").content.decode()
    assert "advertising" in page and "Billige klokker" in page
    public = client_for().get(f"/c/{cons.slug}/").content.decode()
    assert "Billige klokker" not in public and "Det er greit hvis" in public


def test_analysis_review_correction_survives_reanalysis(make_consultation, client_for):
    cons = make_consultation()
    c1, c2, c3 = _three_answers(cons, client_for)
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [c1.pk, c2.pk], "action": "approve"})
    r = org.post(f"/org/c/{cons.slug}/analyse/")
    assert r.status_code == 302
    job = jobs.run_one("test-worker")
    assert job.status == "done" and job.progress == 100, job.message
    assert org.get(f"/org/c/{cons.slug}/jobs/{job.pk}/?format=json").json()["status"] == "done"
    data = job.run.analysis
    assert data["schema"] == "innspill.analysis/1"
    assert data["stats"]["by_status"]["kept"] == 2 and data["stats"]["by_status"]["held"] == 1
    per_field = [a for a in data["answers"] if a["comment_id"] == "c1"]
    assert {a["how"] for a in per_field} == {"field"} and {a["question_id"] for a in per_field} == {"q1", "q2"}
    q1 = next(a for a in per_field if a["question_id"] == "q1")
    assert q1["stance"] == "against"
    page = org.get(f"/org/c/{cons.slug}/review/").content.decode()
    assert '<mark class="q1"' in page and 'data-stance="against"' in page
    r = org.post(f"/org/c/{cons.slug}/review/{c1.pk}/correct/", {"kind": "stance", "question": "1", "stance": "mixed"})
    assert r.status_code == 302
    corr = Correction.objects.get()
    assert (corr.kind, corr.before, corr.after, corr.user) == ("stance", {"stance": "against"}, {"stance": "mixed"},
                                                                cons.created_by)
    org.post(f"/org/c/{cons.slug}/analyse/")
    job2 = jobs.run_one("test-worker")
    assert job2.run_id != job.run_id
    corrected = json.loads(org.get(f"/org/c/{cons.slug}/export/analysis.json").content)
    a = next(x for x in corrected["answers"] if x["comment_id"] == "c1" and x["question_id"] == "q1")
    assert a["stance"] == "mixed" and a["provenance"]["corrected"]["by"] == cons.created_by.username
    assert corrected["corrections"][0]["applied"] is True
    raw = json.loads(org.get(f"/org/c/{cons.slug}/export/analysis-raw.json").content)
    assert next(x for x in raw["answers"] if x["comment_id"] == "c1" and x["question_id"] == "q1")["stance"] == "against"
    gold = json.loads(org.get(f"/org/c/{cons.slug}/export/gold.json").content)
    assert gold["schema"] == "innspill.gold/1" and gold["comments"][0]["answers"]["1"] == "mixed"


def test_participant_edit_makes_a_correction_stale(make_consultation, client_for):
    from innspill.web.analysis import corrections

    cons = make_consultation()
    c1, c2, _ = _three_answers(cons, client_for)
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [c1.pk], "action": "approve"})
    jobs.enqueue(cons)
    run = jobs.run_one().run
    corrections.record(cons, c1, "stance", {"stance": "for"}, cons.created_by, 1, before={"stance": "against"})
    Comment.objects.filter(pk=c1.pk).update(text="Nei, aldri.", fields={"q1": [0, 11]})
    jobs.enqueue(cons)
    run = jobs.run_one().run
    data = corrections.corrected(run)
    assert data["corrections"][0]["applied"] is False


def test_span_move_split_sensitive_and_duplicate(make_consultation, client_for):
    cons = make_consultation()
    c1, c2, _ = _three_answers(cons, client_for)
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [c1.pk, c2.pk], "action": "approve"})
    jobs.enqueue(cons)
    run = jobs.run_one().run
    a = next(x for x in run.analysis["answers"] if x["comment_id"] == "c2" and x["question_id"] == "q1")
    split = a["start"] + 10
    url = f"/org/c/{cons.slug}/review/{c2.pk}/correct/"
    org.post(url, {"kind": "span", "question": "1", "target": "1", "start": a["start"], "end": a["end"],
                   "split_at": split, "split_target": "3"})
    org.post(url, {"kind": "flags", "sensitive": "1"})
    org.post(f"/org/c/{cons.slug}/review/{c1.pk}/correct/", {"kind": "flags", "duplicate_of": str(c2.pk)})
    data = json.loads(org.get(f"/org/c/{cons.slug}/export/analysis.json").content)
    mine = {x["question_id"]: x for x in data["answers"] if x["comment_id"] == "c2"}
    text = next(x["text"] for x in data["comments"] if x["id"] == "c2")
    assert mine["q1"]["end"] == split and mine["q3"]["start"] == split
    for x in mine.values():
        assert x["text"] == text[x["start"]:x["end"]] and x["evidence"] in text
    c1d = next(x for x in data["comments"] if x["id"] == "c1")
    assert c1d["duplicate_of"] == "c2" and c1d["status"] == "duplicate"
    assert not [x for x in data["answers"] if x["comment_id"] == "c1"]
    c2d = next(x for x in data["comments"] if x["id"] == "c2")
    assert "sensitive-story" in c2d["flags"] and c2d["privacy"]["sensitive_story"] is True
    assert data["stats"]["by_status"]["duplicate"] == 1 and data["stats"]["reconciled"]
    gold = json.loads(org.get(f"/org/c/{cons.slug}/export/gold.json").content)
    assert gold["comments"][0] == {"position": 1, "duplicate_of": 2}
    assert gold["comments"][1]["sensitive"] is True and gold["comments"][1]["answers"]["3"] == "none"


def test_exports_have_no_emails(make_consultation, client_for):
    cons = make_consultation()
    _three_answers(cons, client_for)
    org = client_for(cons.created_by)
    for what in ("comments.csv", "data.json"):
        body = org.get(f"/org/c/{cons.slug}/export/{what}").content.decode()
        assert "Billige klokker" in body and "s@spam.example" not in body


def test_invited_moderator_sees_the_queue_but_cannot_correct(make_consultation, client_for):
    from django.contrib.auth.models import User

    cons = make_consultation()
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/invite/", {"role": "moderator"})
    link = org.get(f"/org/c/{cons.slug}/").context["invite_link"]
    path = link.split("testserver", 1)[1]
    guest = client_for()
    r = guest.post(path, {"username": "mona", "password1": "kort", "password2": "kort"})
    assert r.status_code == 200 and not User.objects.filter(username="mona").exists()  # weak password refused
    r = guest.post(path, {"username": "mona", "email": "", "password1": "Lang-og-sikker-42", "password2": "Lang-og-sikker-42"})
    assert r.status_code == 302
    assert guest.get(f"/org/c/{cons.slug}/moderate/").status_code == 200
    assert guest.get(f"/org/c/{cons.slug}/results/").status_code == 404
    assert guest.post(f"/org/c/{cons.slug}/analyse/").status_code == 404
    assert client_for().get(path).status_code == 404  # used once


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_brief_downloads_in_every_format(make_consultation, client_for, lang):
    from innspill.web.results.views import BRIEF_TYPES

    cons = make_consultation()
    c1, c2, _ = _three_answers(cons, client_for)
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [c1.pk, c2.pk], "action": "approve"})
    jobs.enqueue(cons)
    jobs.run_one()
    org.post(f"/org/c/{cons.slug}/review/{c1.pk}/correct/", {"kind": "stance", "question": "1", "stance": "for"})
    for fmt, ctype in BRIEF_TYPES.items():
        r = org.get(f"/org/c/{cons.slug}/brief.{fmt}?download=1&lang={lang}")
        assert r.status_code == 200 and r["Content-Type"] == ctype, fmt
        assert r["Content-Disposition"].endswith(f'.{fmt}"') and len(r.content) > 200, fmt
    brief = json.loads(org.get(f"/org/c/{cons.slug}/brief.json").content)
    q1 = next(q for q in brief["questions"] if q["number"] == 1)
    assert q1["counts"]["for"] == 1 and q1["counts"]["against"] == 0
    assert client_for().get(f"/org/c/{cons.slug}/brief.html").status_code == 302  # login required


def test_stance_corrections_export_as_training_rows_and_review_orders_by_confidence(make_consultation, client_for,
                                                                                   tmp_path):
    """A corrected stance becomes a training row (`innspill corrections export`), with the
    question, the answer's text and the corrected stance; the review page offers the least
    confident readings first."""
    from innspill import cli

    cons = make_consultation()
    c1, c2, c3 = _three_answers(cons, client_for)
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [c1.pk, c2.pk], "action": "approve"})
    org.post(f"/org/c/{cons.slug}/analyse/")
    job = jobs.run_one("test-worker")
    assert job.status == "done", job.message
    out = tmp_path / "corr.jsonl"
    assert cli.main(["corrections", "export", "-o", str(out)]) == 0
    assert out.read_text() == ""  # nothing corrected yet: nothing to learn
    org.post(f"/org/c/{cons.slug}/review/{c1.pk}/correct/", {"kind": "stance", "question": "1", "stance": "mixed"})
    assert cli.main(["corrections", "export", "--consultation", cons.slug, "-o", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    q1 = next(q for q in job.run.analysis["questions"] if q["number"] == 1)
    answer1 = next(a for a in job.run.analysis["answers"] if a["comment_id"] == "c1" and a["question_id"] == q1["id"])
    assert len(rows) == 1
    row = rows[0]
    assert (row["question"], row["kind"], row["text"], row["stance"], row["before"]) == \
        (q1["text"], q1["kind"], answer1["text"], "mixed", "against")
    assert cli.main(["corrections", "export", "--consultation", "no-such-slug", "-o", str(out)]) == 2
    # the training script reads the rows as it reads its corpus
    from scriptload import load_script
    train = load_script("training/train_stance.py")
    loaded = train.load_rows([out])
    assert loaded[0]["stance"] == "mixed" and loaded[0]["writer"] == "corrections"
    page = org.get(f"/org/c/{cons.slug}/review/?order=confidence").content.decode()
    assert "order=confidence" in page and 'aria-current="page">minst sikre først' in page
    # the corrected answer (confidence 1.0) comes after the other analysed comment
    assert page.index(f'id="c{c2.pk}"') < page.index(f'id="c{c1.pk}"')


def test_training_rows_only_for_stances_a_person_gave():
    """A moved span keeps the machine's stance: not a training row; nor is an answer whose question
    is gone, or a sensitive story."""
    from innspill.web.analysis.corrections import training_rows

    mark = {"by": "org", "at": "2026-12-06T10:00:00", "kind": "span", "before": None}
    data = {"language": "nb", "questions": [{"id": "q1", "number": 1, "text": "Bør vi?", "kind": "yesno"}],
            "comments": [{"id": "c1", "language": "nb", "flags": []}, {"id": "c2", "flags": ["sensitive-story"]},
                         {"id": "c3", "flags": []}],
            "answers": [
                {"comment_id": "c1", "question_id": "q1", "text": "Nei.", "stance": "against",
                 "provenance": {"corrected": mark}},
                {"comment_id": "c2", "question_id": "q1", "text": "Min historie.", "stance": "for",
                 "provenance": {"corrected": {**mark, "kind": "stance"}}},
                {"comment_id": "c3", "question_id": None, "text": "Ja.", "stance": "for",
                 "provenance": {"corrected": {**mark, "kind": "stance"}}}],
            "corrections": [{"kind": "span", "comment_id": "c1", "question": 1, "after": {"start": 0, "end": 4},
                             "applied": True},
                            {"kind": "stance", "comment_id": "c2", "question": 1, "after": {"stance": "for"},
                             "applied": True},
                            {"kind": "stance", "comment_id": "c3", "question": 7, "after": {"stance": "for"},
                             "applied": True}]}
    assert training_rows(data, "s") == []
    data["corrections"][0]["after"]["stance"] = "against"  # a span moved and given a stance by hand
    rows = training_rows(data, "s")
    assert [(r["text"], r["stance"]) for r in rows] == [("Nei.", "against")]

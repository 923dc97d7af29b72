"""Import through the web page: the inspect summary first, then the same analysis as the CLI."""

import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from innspill.web.analysis import jobs
from innspill.web.consultations.models import Comment, Consultation

from conftest import EXAMPLES

pytestmark = pytest.mark.django_db


def _blank(organiser, slug="importert"):
    from innspill.web.consultations.models import Membership

    c = Consultation.objects.create(slug=slug, title="Importert", created_by=organiser, state="open")
    Membership.objects.create(consultation=c, user=organiser, role="organiser")
    return c


def _upload(client, slug, path, **extra):
    f = SimpleUploadedFile(path.name, path.read_bytes())
    r = client.post(f"/org/c/{slug}/import/", {"file": f, "format": "auto", **extra})
    assert r.status_code == 302, r.content.decode()[:2000]
    return r["Location"]


def _same(web: dict, cli: dict):
    def answers(d):
        pos = {c["id"]: c["position"] for c in d["comments"]}
        return [(pos[a["comment_id"]], a["question_id"], a["start"], a["end"], a["how"], a["stance"], a["evidence"])
                for a in d["answers"]]

    def comments(d):
        return [(c["position"], c["text"], c["status"], c["duplicate_of"], c["author"]) for c in d["comments"]]

    assert web["questions"] == cli["questions"]
    assert comments(web) == comments(cli)
    assert answers(web) == answers(cli)
    for k in ("comments_read", "distinct", "duplicates", "by_status", "answers", "answered_by_question"):
        assert web["stats"][k] == cli["stats"][k], k
    assert web["language"] == cli["language"]


def test_seed_import_gives_the_same_analysis_as_the_cli(seed_path, seed_analysis, organiser, client_for, settings):
    settings.USE_EMBEDDINGS = True  # as the CLI's default
    _blank(organiser)
    org = client_for(organiser)
    confirm = _upload(org, "importert", seed_path)
    page = org.get(confirm).content.decode()
    assert "text" in page and "Er det greit at ansatte oppretter grupper" in page and "22" in page
    assert not Comment.objects.exists()  # nothing stored before confirming
    r = org.post(confirm)
    assert r.status_code == 302 and "/jobs/" in r["Location"]
    assert Comment.objects.count() == 22
    job = jobs.run_one("w")
    assert job.status == "done", job.message
    web = json.loads(org.get("/org/c/importert/export/analysis.json").content)
    _same(web, seed_analysis)


def test_csv_with_a_column_per_question_keeps_field_answers(organiser, client_for, tmp_path):
    from innspill.pipeline import analyze

    path = tmp_path / "svar.csv"
    path.write_text("navn;1. Bør kantina ha vegetardag?;2. Hva savner du?\n"
                    "Ola;Ja, gjerne.;Mer frukt.\nKari;Nei, det vil jeg ikke.;\n", encoding="utf-8")
    _blank(organiser, "csv")
    org = client_for(organiser)
    org.post(_upload(org, "csv", path))
    assert jobs.run_one("w").status == "done"
    web = json.loads(org.get("/org/c/csv/export/analysis.json").content)
    cli = analyze(str(path), use_embeddings=False).to_dict()
    _same(web, cli)
    assert {a["how"] for a in web["answers"]} == {"field"}


def test_wxr_keeps_statuses_and_threads(organiser, client_for):
    wxr = next((p for p in (EXAMPLES.parent / "tests" / "data" / "import").rglob("*.xml")
                if b"wordpress.org/export" in p.read_bytes()[:4000]), None)
    if wxr is None:
        pytest.skip("no WXR sample in tests/data/import")
    from innspill.ingest import ReadOptions, read_threads

    threads = read_threads(str(wxr), ReadOptions())
    _blank(organiser, "wxr")
    org = client_for(organiser)
    org.post(_upload(org, "wxr", wxr))
    stored = list(Comment.objects.order_by("id"))
    assert len(stored) == len(threads[0].comments)
    assert [c.source_status for c in stored] == [c.status for c in threads[0].comments]
    assert sum(1 for c in stored if c.parent_id) == sum(1 for c in threads[0].comments if c.parent_id)


def test_demo_consultation_loads_and_analyses(db, client_for):
    from django.contrib.auth.models import User

    from innspill.web.runtime import load_demo

    slug = load_demo(out=open(os.devnull, "w"))
    assert load_demo() == slug  # loading twice changes nothing
    assert User.objects.get().username == "demo"
    assert client_for().get(f"/c/{slug}/").status_code == 200
    job = jobs.run_one("w")
    assert job.status == "done" and job.run.analysis["stats"]["comments_read"] == 21
    org = client_for(User.objects.get())
    assert org.get(f"/org/c/{slug}/review/").status_code == 200


def test_a_post_without_numbered_questions_stays_its_own_question_in_the_web_app(organiser, client_for):
    """An ordinary post imported through the web page (W203) keeps its lead as the question's
    context, so the web analysis reads each comment for or against the post's claim, as the CLI does."""
    from innspill.pipeline import analyze
    from innspill.web.consultations.models import Question

    wxr = EXAMPLES.parent / "tests" / "data" / "import" / "wxr-ordinary.xml"
    cli = analyze(str(wxr), use_embeddings=False).to_dict()
    _blank(organiser, "vanlig")
    org = client_for(organiser)
    org.post(_upload(org, "vanlig", wxr))
    q = Question.objects.get(consultation__slug="vanlig")
    assert q.context is not None and q.kind == "open"
    org.post("/org/c/vanlig/moderate/", {"ids": list(Comment.objects.values_list("id", flat=True)), "action": "approve"})
    org.post("/org/c/vanlig/analyse/")
    job = jobs.run_one("test-worker")
    assert job.status == "done", job.message
    web = job.run.analysis
    assert {a["how"] for a in web["answers"]} == {"post"}
    # every answer the CLI reads is read the same way here (the web also analyses what the
    # organiser approved, the source's spam included)
    assert {(a["text"], a["stance"]) for a in cli["answers"]} <= {(a["text"], a["stance"]) for a in web["answers"]}
    assert ("Nei.", "against") in {(a["text"], a["stance"]) for a in web["answers"]}

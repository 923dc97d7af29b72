"""Issue 21 part 5: a withdrawn answer is erased everywhere it was stored. Before, its text and
author stayed in the stored analysis runs and were served by export/analysis.json,
analysis-raw.json and review/?show=all until the next analysis."""

import json

import pytest

from innspill.web.analysis import jobs, services
from innspill.web.analysis.models import AnalysisRun
from innspill.web.consultations.models import Comment
from innspill.web.live import services as live
from innspill.web.results.models import MisreadingFlag

from ..conftest import answer

pytestmark = pytest.mark.django_db

SECRET = "Naboen min Trygve Hemmelighetsen drikker på jobben, det vet alle."
NAME = "Trygve Vitnesen"


def _analysed_with_secret(cons, client_for):
    anon = client_for()
    r = answer(anon, cons.slug, name=NAME, q1="Nei. " + SECRET, q2="Ja, helt klart. Det er for galt.")
    link = anon.get(r["Location"]).context["link"].split("testserver", 1)[1]
    answer(client_for(), cons.slug, name="Per",
           comment="1. Det er greit hvis arbeidsgiver vet om det.\n\n2. Nei, det er å gå for langt.")
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": list(Comment.objects.values_list("id", flat=True)),
                                                "action": "approve"})
    for _ in range(2):  # two stored runs: every one is erased, not only the latest
        jobs.enqueue(cons)
        jobs.run_one()
    return anon, link, org


def _everything(org, cons) -> str:
    base = f"/org/c/{cons.slug}"
    pages = [f"{base}/export/analysis.json", f"{base}/export/analysis-raw.json", f"{base}/export/gold.json",
             f"{base}/export/answers.csv", f"{base}/export/comments.csv", f"{base}/export/data.json",
             f"{base}/review/?show=all", f"{base}/review/", f"{base}/results/", f"{base}/moderate/?show=all"]
    out = []
    for url in pages:
        r = org.get(url)
        assert r.status_code == 200, url
        out.append(r.content.decode("utf-8"))
    r = org.get(f"{base}/brief.md")
    if r.status_code == 200:
        out.append(r.content.decode("utf-8"))
    return "\n".join(out)


def test_a_deleted_answer_is_gone_from_every_run_and_export(make_consultation, client_for):
    cons = make_consultation()
    anon, link, org = _analysed_with_secret(cons, client_for)
    before = _everything(org, cons)  # read once, so that the caches hold the old analysis
    assert "Hemmelighetsen" in before and NAME in before
    anon.post(link + "misreading/", {"question": "1", "note": "Jeg mente " + SECRET[:30]})
    assert MisreadingFlag.objects.exists()
    assert anon.post(link, {"delete": "1"}).status_code == 200
    after = _everything(org, cons)
    assert "Hemmelighetsen" not in after and NAME not in after and "Trygve" not in after
    for run in AnalysisRun.objects.all():
        dump = json.dumps(run.analysis, ensure_ascii=False)
        assert "Hemmelighetsen" not in dump and NAME not in dump
        assert run.analysis["stats"]["reconciled"]
    data = json.loads(org.get(f"/org/c/{cons.slug}/export/analysis.json").content)
    gone = next(c for c in data["comments"] if c["status"] == "trash")
    assert gone["text"] == gone["original"] == "" and gone["author"] is None
    assert not [a for a in data["answers"] if a["comment_id"] == gone["id"]]
    assert [a for a in data["answers"]]  # the other participant's answers stay
    assert not MisreadingFlag.objects.exists()


def test_a_run_computed_while_the_answer_was_withdrawn_is_erased_too(make_consultation, client_for, monkeypatch):
    cons = make_consultation()
    anon, link, org = _analysed_with_secret(cons, client_for)
    real = services.build_thread

    def build_then_withdraw(c):  # the participant deletes between reading the comments and storing the run
        thread = real(c)
        anon.post(link, {"delete": "1"})
        return thread

    monkeypatch.setattr(services, "build_thread", build_then_withdraw)
    jobs.enqueue(cons)
    jobs.run_one()
    assert AnalysisRun.objects.count() == 3
    for run in AnalysisRun.objects.all():
        assert "Hemmelighetsen" not in json.dumps(run.analysis, ensure_ascii=False)


def test_live_statements_quoting_a_deleted_answer_are_withdrawn(make_consultation, client_for):
    from innspill.web.live.models import LiveStatement

    cons = make_consultation()
    anon, link, _org = _analysed_with_secret(cons, client_for)
    session = live.start_session(cons, cons.created_by)
    cid = next(k for k, v in services.latest_run(cons).comment_map.items()
               if Comment.objects.get(pk=int(v)).author == NAME)
    LiveStatement.objects.create(session=session, text=SECRET, source="brief", comment_id=cid, position=99)
    anon.post(link, {"delete": "1"})
    quoting = list(LiveStatement.objects.filter(comment_id=cid))
    assert len(quoting) >= 2  # the one added here and the brief's own statement quoting the answer
    assert all(st.hidden and "Hemmelighetsen" not in st.text for st in quoting)
    assert "Hemmelighetsen" not in json.dumps(live.export_data(session), ensure_ascii=False)

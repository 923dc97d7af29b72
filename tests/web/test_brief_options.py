"""The web app passes the brief's options through (issue 9): ?campaigns=once|all and ?min=N."""

import json

from innspill.web import jobs
from innspill.web.models import Comment

from .conftest import answer


def test_brief_options_from_the_query(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for()
    answer(anon, cons.slug, name="Per", q1="Nei. Det bør ikke enkeltpersoner gjøre.", q2="Ja, helt klart.")
    answer(anon, cons.slug, comment="1. Det er greit hvis arbeidsgiver vet om det.\n\n2. Nei, det er å gå for langt.")
    org = client_for(cons.created_by)
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": list(Comment.objects.values_list("id", flat=True)),
                                                "action": "approve"})
    jobs.enqueue(cons)
    jobs.run_one()
    base = f"/org/c/{cons.slug}/brief"
    brief = json.loads(org.get(f"{base}.json").content)
    assert brief["guide"]["min_answers"] == 5 and brief["guide"]["count_campaigns"] == "once"
    assert all(q["few"] for q in brief["questions"])  # two answers: every number rests on few
    brief = json.loads(org.get(f"{base}.json?campaigns=all&min=1").content)
    assert brief["guide"]["min_answers"] == 1 and brief["guide"]["count_campaigns"] == "all"
    assert not any(q["few"] for q in brief["questions"] if q["answered"])
    html = org.get(f"{base}.html?lang=en").content.decode("utf-8")
    assert "How to read this brief" in html and "the answer form in innspill" in html
    for bad in ("campaigns=some", "min=0", "min=x"):
        r = org.get(f"{base}.md?{bad}")
        assert r.status_code == 400 and ("--count-campaigns" in r.content.decode() or "--min-answers" in
                                         r.content.decode()), bad

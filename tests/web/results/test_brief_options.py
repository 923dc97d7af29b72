"""The web app passes the brief's options through (issue 9): ?campaigns=once|all and ?min=N."""

import json

from ..conftest import two_answers_analysed


def test_brief_options_from_the_query(make_consultation, client_for):
    cons = make_consultation()
    org = two_answers_analysed(cons, client_for)
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

"""Live debate with Django's test client: join codes, cookie identity, idempotent votes,
hide-until-reveal, ideas and upvotes, promotion, the results cache, exports (JSON, CSV, Pol.is)."""

import csv
import io
import json
import zipfile

import pytest

from innspill.web.analysis import jobs
from innspill.web.consultations.models import Comment
from innspill.web.live import services as live
from innspill.web.live.models import (
    CODE_ALPHABET,
    AudienceIdea,
    IdeaUpvote,
    LiveSession,
    LiveStatement,
    Participant,
    Vote,
    new_code,
    normalise_code,
)

from ..conftest import answer, two_answers_analysed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    live.forget()
    yield
    live.forget()


@pytest.fixture
def session(make_consultation):
    cons = make_consultation()
    s = live.start_session(cons, cons.created_by, language="nb")
    s.state = LiveSession.LIVE
    s.current = s.visible_statements().first()
    s.save()
    return s


def _join(client_for, session):
    c = client_for()
    r = c.get(f"/j/{session.code}/")
    assert r.status_code == 200
    return c


def _vote(client, session, statement, value):
    return client.post(f"/j/{session.code}/vote", json.dumps({"statement": statement, "vote": value}),
                       content_type="application/json")


def _state(client, session, view="participant"):
    live.forget(session.pk)  # read the database now, not the cached second
    return client.get(f"/j/{session.code}/state.json?view={view}").json()


def test_codes_are_short_unambiguous_and_unique(make_consultation, monkeypatch):
    codes = {new_code() for _ in range(500)}
    assert all(len(c) == 6 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01ILO") & set(CODE_ALPHABET)
    assert len(codes) > 490
    assert normalise_code(" k7m-4qx ") == "K7M4QX"
    cons = make_consultation()
    first = LiveSession.create_with_code(consultation=cons, title="a")
    seq = iter([first.code, first.code, "ABCDEF"])  # two collisions, then a free code
    monkeypatch.setattr("innspill.web.live.models.new_code", lambda: next(seq))
    second = LiveSession.create_with_code(consultation=cons, title="b")
    assert second.code == "ABCDEF"


def test_statements_from_questions_and_the_brief(make_consultation, client_for):
    from innspill.report.brief_data import build_brief
    from innspill.web.analysis import corrections, services

    cons = make_consultation()
    anon = client_for()
    texts = ["Nei. Det bør ikke enkeltpersoner gjøre på egen hånd uten at ledelsen vet om det.",
             "Ja. Det er greit at ansatte lager grupper så lenge de er tydelige på hvem som står bak.",
             "Nei. En gruppe i bedriftens navn må alltid godkjennes av kommunikasjonsavdelingen først.",
             "Ja. Engasjerte ansatte som lager grupper er den beste reklamen bedriften kan få."]
    for t in texts:
        answer(anon, cons.slug, q1=t)
    Comment.objects.update(state=Comment.APPROVED)
    jobs.enqueue(cons)
    assert jobs.run_one().status == "done"
    expected = build_brief(corrections.corrected(services.latest_run(cons)))["statements"]
    assert expected, "the brief should suggest at least one debate statement"
    org = client_for(cons.created_by)
    r = org.post(f"/org/c/{cons.slug}/live/new", {"language": "en"})
    s = LiveSession.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/org/c/{cons.slug}/live/{s.pk}/"
    assert s.language == "en" and s.state == LiveSession.DRAFT
    rows = list(s.statements.values("kind", "source", "text", "question_number", "position", "comment_id"))
    questions = [x for x in rows if x["source"] == "question"]
    assert [x["question_number"] for x in questions] == [1, 2, 4]  # the yes/no questions; q3 is open
    assert all(x["kind"] == "question" for x in questions)
    brief = [x for x in rows if x["source"] == "brief"]
    assert [x["text"] for x in brief] == [x["text"] for x in expected]
    assert all(x["kind"] == "statement" and x["comment_id"] for x in brief)
    assert [x["position"] for x in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["source"] == "question" and rows[1]["source"] == "brief"  # q1, then its statements
    page = org.get(f"/org/c/{cons.slug}/live/{s.pk}/").content.decode()
    assert s.code in page and brief[0]["text"][:30] in page


def test_cookie_identity_and_idempotent_votes(session, client_for):
    a = _join(client_for, session)
    assert a.get(f"/j/{session.code.lower()}/")["Location"] == f"/j/{session.code}/"  # any case works
    a.get(f"/j/{session.code}/")  # reload: same participant
    assert Participant.objects.filter(session=session).count() == 1
    st = session.current
    for value in (1, 1, -1, 0, -1):  # the last one counts, once
        r = _vote(a, session, st.pk, value)
        assert r.status_code == 200 and r.json()["vote"] == value
    assert Vote.objects.count() == 1
    v = Vote.objects.get()
    assert v.value == -1 and v.changes == 3
    me = _state(a, session)["me"]
    assert me == {"id": "p1", "votes": {str(st.pk): -1}, "upvoted": [], "ideas": []}
    b = _join(client_for, session)
    _vote(b, session, st.pk, 1)
    data = live.export_data(session)
    assert [(x["participant"], x["statement"], x["vote"]) for x in data["votes"]] == \
        [("p1", st.pk, -1), ("p2", st.pk, 1)]
    assert [p["id"] for p in data["participants"]] == ["p1", "p2"]


def test_votes_refused_clearly(session, client_for):
    a = _join(client_for, session)
    st = session.current
    assert _vote(a, session, st.pk, 2).status_code == 400
    assert _vote(a, session, "x", 1).json()["error"] == "påstanden må være et heltall"  # in the session's language
    assert _vote(a, session, 999999, 1).status_code == 404
    other = client_for()  # no cookie
    r = _vote(other, session, st.pk, 1)
    assert r.status_code == 403 and "bli med" in r.json()["error"]
    LiveSession.objects.filter(pk=session.pk).update(language="en")
    assert _vote(a, session, "x", 1).json()["error"] == "statement must be a whole number"
    LiveStatement.objects.filter(pk=st.pk).update(locked=True)
    assert _vote(a, session, st.pk, 1).status_code == 409
    hidden = session.statements.exclude(pk=st.pk).first()
    LiveStatement.objects.filter(pk=hidden.pk).update(hidden=True)
    assert _vote(a, session, hidden.pk, 1).status_code == 404
    LiveSession.objects.filter(pk=session.pk).update(state=LiveSession.ENDED)
    assert _vote(a, session, st.pk, 1).status_code == 409
    assert Vote.objects.count() == 0
    assert client_for().get("/j/ZZZZZZ/").status_code == 404


def test_results_hidden_until_revealed(session, client_for):
    a, b = _join(client_for, session), _join(client_for, session)
    st = session.current
    _vote(a, session, st.pk, 1)
    _vote(b, session, st.pk, -1)
    for view in ("participant", "projector"):
        s = _state(a, session, view)
        assert s["statement"]["id"] == st.pk and s["statement"]["counts"] is None
        assert s["participants"] == 2
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    assert org.get(base + "/state.json").json()["counts"][str(st.pk)]["total"] == 2  # the presenter sees them
    org.post(base + "/do", {"do": "reveal"})
    for view in ("participant", "projector"):
        counts = _state(a, session, view)["statement"]["counts"]
        assert (counts["agree"], counts["disagree"], counts["total"]) == (1, 1, 2)
    org.post(base + "/do", {"do": "next"})
    s = _state(a, session)
    assert s["statement"]["id"] != st.pk and s["statement"]["counts"] is None


def test_presenter_controls(session, client_for):
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    ids = list(session.statements.order_by("position").values_list("id", flat=True))
    org.post(base + "/do", {"do": "down", "statement": ids[0]})
    assert list(session.statements.order_by("position").values_list("id", flat=True))[:2] == [ids[1], ids[0]]
    org.post(base + "/statement", {"text": "  Kantina bør   ha vegetardag ", "kind": "statement"})
    new = session.statements.order_by("-position").first()
    assert (new.text, new.source, new.position) == ("Kantina bør ha vegetardag", "presenter", len(ids) + 1)
    org.post(base + "/statement", {"id": new.pk, "text": "Kantina bør ha to vegetardager", "kind": "question"})
    new.refresh_from_db()
    assert (new.text, new.kind) == ("Kantina bør ha to vegetardager", "question")
    org.post(base + "/do", {"do": "goto", "statement": new.pk})
    org.post(base + "/do", {"do": "hide"})
    session.refresh_from_db()
    new.refresh_from_db()
    assert new.hidden and session.current_id != new.pk
    org.post(base + "/do", {"do": "lock"})
    session.refresh_from_db()
    assert session.current.locked
    assert org.post(base + "/do", {"do": "explode"}).status_code == 400
    stranger = client_for(None)
    assert stranger.post(base + "/do", {"do": "end"}).status_code == 302  # to the login page
    session.refresh_from_db()
    assert session.state == LiveSession.LIVE


def test_ideas_upvotes_once_withdrawn_and_promotion(session, client_for):
    a, b = _join(client_for, session), _join(client_for, session)
    r = a.post(f"/j/{session.code}/idea", json.dumps({"text": "  Gratis kaffe   til alle "}),
               content_type="application/json")
    assert r.status_code == 200
    idea = AudienceIdea.objects.get()
    assert idea.text == "Gratis kaffe til alle" and idea.state == "pending"
    assert a.post(f"/j/{session.code}/idea", {"text": "x" * 201}).status_code == 400
    # not visible, not upvotable before moderation
    assert _state(b, session)["ideas"] == []
    assert b.post(f"/j/{session.code}/ideas/{idea.pk}/upvote").status_code == 404
    live.moderate_idea(idea, "approve", session.consultation.created_by)
    for _ in range(3):
        assert b.post(f"/j/{session.code}/ideas/{idea.pk}/upvote").status_code == 200
    a.post(f"/j/{session.code}/ideas/{idea.pk}/upvote")
    assert IdeaUpvote.objects.filter(idea=idea).count() == 2
    s = _state(b, session)
    assert s["ideas"] == [{"id": idea.pk, "text": "Gratis kaffe til alle", "upvotes": 2}]
    assert s["me"]["upvoted"] == [idea.pk]
    # an upvote can be withdrawn (once: withdrawing again changes nothing) and given again
    url = f"/j/{session.code}/ideas/{idea.pk}/upvote"
    for body, expected in (({"on": False}, {"upvoted": False, "changed": True}),
                           ({"on": False}, {"upvoted": False, "changed": False}),
                           ({}, {"upvoted": True, "changed": True})):
        r = b.post(url, json.dumps(body), content_type="application/json")
        assert {k: r.json()[k] for k in expected} == expected
        if not expected["upvoted"]:
            assert _state(b, session)["ideas"][0]["upvotes"] == 1 and _state(b, session)["me"]["upvoted"] == []
    assert _state(b, session)["ideas"][0]["upvotes"] == 2 and _state(b, session)["me"]["upvoted"] == [idea.pk]
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    org.post(f"{base}/ideas/{idea.pk}", {"do": "promote"})
    org.post(f"{base}/ideas/{idea.pk}", {"do": "promote"})  # twice: still one statement
    idea.refresh_from_db()
    st = idea.promoted_to
    assert st is not None and LiveStatement.objects.filter(source="audience").count() == 1
    assert (st.text, st.kind, st.revealed) == ("Gratis kaffe til alle", "statement", False)
    assert _vote(b, session, st.pk, 1).status_code == 409  # not on the screen yet (issue 21)
    org.post(f"{base}/do", {"do": "goto", "statement": st.pk})
    assert _vote(b, session, st.pk, 1).status_code == 200
    assert _state(b, session)["ideas"] == []  # promoted ideas leave the idea list
    rejected = live.submit_idea(session, Participant.objects.get(number=2), "Mer reklame")
    org.post(f"{base}/ideas/{rejected.pk}", {"do": "reject"})
    rejected.refresh_from_db()
    assert rejected.state == "rejected" and rejected.moderated_by == session.consultation.created_by


def test_results_recomputed_at_most_once_a_second(session, client_for, monkeypatch):
    calls = []
    real = live.results
    monkeypatch.setattr(live, "results", lambda s, d=None: calls.append(1) or real(s, d))
    a = _join(client_for, session)
    now = [1000.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: now[0])
    live.forget()
    for value in (1, -1, 0, 1):
        _vote(a, session, session.current_id, value)
        a.get(f"/j/{session.code}/state.json")
        now[0] += 0.2
    assert len(calls) == 1  # four changes and reads within a second: one computation
    now[0] += 1.0
    a.get(f"/j/{session.code}/state.json")
    assert len(calls) == 2
    a.get(f"/j/{session.code}/state.json")
    assert len(calls) == 2  # nothing changed since
    now[0] += live.MAX_AGE
    a.get(f"/j/{session.code}/state.json")
    assert len(calls) == 3  # but not older than MAX_AGE


def _shown(session):
    """Every statement has been on the screen (votes are taken only on those, issue 21)."""
    from django.utils import timezone

    session.statements.update(shown_at=timezone.now())
    return list(session.visible_statements())


def _votes_everywhere(session, client_for, n=8):
    statements = _shown(session)
    clients = [_join(client_for, session) for _ in range(n)]
    for i, c in enumerate(clients):
        for j, st in enumerate(statements):
            _vote(c, session, st.pk, 1 if (i < n // 2) == (j % 2 == 0) else -1 if i % 3 else 0)
    _vote(clients[0], session, statements[0].pk, -1)  # a change: counted once
    return clients, statements


def test_exports_json_csv_and_polis(session, client_for, tmp_path):
    _votes_everywhere(session, client_for)
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    data = json.loads(org.get(base + "/export.json").content)
    assert data["schema"] == "innspill.live/1" and data["session"]["code"] == session.code
    stored = {(f"p{v.participant.number}", v.statement_id, v.value) for v in Vote.objects.select_related("participant")}
    assert {(v["participant"], v["statement"], v["vote"]) for v in data["votes"]} == stored
    assert len(data["votes"]) == Vote.objects.count()
    first = session.visible_statements().first()
    assert data["counts"][str(first.pk)]["total"] == 8
    rows = list(csv.DictReader(io.StringIO(org.get(base + "/export.csv").content.decode("utf-8-sig"))))
    row = next(r for r in rows if r["id"] == str(first.pk))
    assert int(row["agree"]) + int(row["disagree"]) + int(row["pass"]) == int(row["total"]) == 8
    assert int(row["agree"]) == data["counts"][str(first.pk)]["agree"]
    r = org.get(base + "/export.zip")
    assert r["Content-Type"] == "application/zip"
    from innspill.votes.polis import read_polis

    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        names = {n.rsplit("/", 1)[-1] for n in z.namelist()}
        assert {"comments.csv", "participants-votes.csv", "votes.csv"} <= names
        z.extractall(tmp_path)
    folder = next(p.parent for p in tmp_path.rglob("votes.csv"))
    back = read_polis(folder)
    assert {(v["participant"], v["statement"], v["vote"]) for v in back["votes"]} == stored
    assert client_for().get(base + "/export.json").status_code == 302  # login first


def test_qr_codes_and_projector(session, client_for):
    anon = client_for()
    svg = anon.get(f"/j/{session.code}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = anon.get(f"/j/{session.code}/qr.png?download=1")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and "attachment" in png["Content-Disposition"]
    import segno  # noqa: F401  (made locally: no request leaves the machine)

    org = client_for(session.consultation.created_by)
    page = org.get(f"/org/c/{session.consultation.slug}/live/{session.pk}/projector/?lang=en").content.decode()
    assert session.code in page and "qr.svg" in page and f"/j/{session.code}/" in page and 'lang="en"' in page
    nb = org.get(f"/org/c/{session.consultation.slug}/live/{session.pk}/projector/").content.decode()
    assert 'lang="nb"' in nb and "deltakere" in nb


def test_straight_liners_listed_and_the_presenters_choice(session, client_for):
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    for i in range(3):
        org.post(base + "/statement", {"text": f"Påstand nummer {i}", "kind": "statement"})
    statements = _shown(session)
    assert len(statements) >= 3
    yes_man, mixed = _join(client_for, session), _join(client_for, session)
    for j, st in enumerate(statements):
        _vote(yes_man, session, st.pk, 1)
        _vote(mixed, session, st.pk, 1 if j % 2 else -1)
    live.forget()
    state = org.get(base + "/state.json").json()
    assert state["straight_liners"] == ["p1"] and state["straight_liners_included"] is True
    assert "p1" in org.get(base + "/").content.decode()
    org.post(base + "/do", {"do": "straight_liners", "include": "0"})
    session.refresh_from_db()
    assert session.include_straight_liners is False
    live.forget()
    state = org.get(base + "/state.json").json()
    assert state["straight_liners"] == ["p1"] and state["straight_liners_included"] is False
    # why there are no groups yet, in the presenter's language (Bokmål by default, English asked for)
    assert state["notes"] == ["Meningsgrupper krever minst 6 deltakere med 5 stemmer hver; så langt 1. "
                              "Deltakere som stemte likt på alt, telles ikke med."]
    english = org.get(base + "/state.json", HTTP_ACCEPT_LANGUAGE="en").json()["notes"]
    assert english == ["Opinion groups need at least 6 participants with 5 votes each; 1 so far. "
                       "Participants who voted the same way on everything are not counted."]
    data = json.loads(org.get(base + "/export.json").content)
    assert data["straight_liners_included"] is False
    assert data["notes"] and data["notes"][0].startswith("groups need at least")  # the export's notes stay English


def test_the_web_brief_sets_the_rooms_vote_beside_the_comments(session, client_for):
    """After the session the votes go into the brief (issue 7): the newest session with votes by
    default, ?live=ID for another, ?live=0 for none."""
    cons = session.consultation
    org = two_answers_analysed(cons, client_for)
    base = f"/org/c/{cons.slug}/brief"
    assert "Live vote" not in org.get(f"{base}.md?lang=en").content.decode()  # no votes yet: no section
    _votes_everywhere(session, client_for)
    md = org.get(f"{base}.md?lang=en").content.decode()
    assert "## Live vote" in md and session.code in md
    first = session.visible_statements().first()
    counts = live.results(session)["counts"][str(first.pk)]
    assert counts["total"] == 8
    brief = json.loads(org.get(f"{base}.json").content)
    assert brief["live"]["session"]["code"] == session.code
    assert "Live vote" not in org.get(f"{base}.md?lang=en&live=0").content.decode()
    assert session.code in org.get(f"{base}.md?lang=en&live={session.pk}").content.decode()
    assert org.get(f"{base}.md?live=999999").status_code == 404

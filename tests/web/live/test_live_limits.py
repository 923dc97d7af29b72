"""Issue 21 part 3: ballot stuffing in a live vote. Before, each GET /j/CODE/ without cookies made a
new participant (300 join-and-vote pairs from one address in 9.6 s were all counted), the 5-ideas
cap reset with a new cookie, and a vote on a statement not yet shown was accepted."""

import json

import pytest
from django.test import override_settings
from django.utils import translation

from innspill.web.live import services as live
from innspill.web.live import state as live_state
from innspill.web.live.models import AudienceIdea, LiveSession, Participant, Vote

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


def _vote(client, session, statement, value=1):
    return client.post(f"/j/{session.code}/vote", json.dumps({"statement": statement, "vote": value}),
                       content_type="application/json")


def _presenter(session, client_for):
    org = client_for(session.consultation.created_by)
    live.forget(session.pk)
    return org.get(f"/org/c/{session.consultation.slug}/live/{session.pk}/state.json").json()


@override_settings(LIVE_JOINS_PER_ADDRESS=20, LIVE_VOTES_PER_ADDRESS=0)
def test_join_and_vote_pairs_from_one_address_are_capped(session, client_for):
    """The attack of the issue, scaled down: 30 cookieless join-and-vote pairs from one address."""
    counted = 0
    for _ in range(30):
        c = client_for(REMOTE_ADDR="203.0.113.5")
        if c.get(f"/j/{session.code}/").status_code == 200:
            counted += _vote(c, session, session.current_id).status_code == 200
        else:
            assert _vote(c, session, session.current_id).status_code == 403  # no participant, no vote
    assert counted == 20 and Participant.objects.count() == 20 and Vote.objects.count() == 20
    refused = client_for(REMOTE_ADDR="203.0.113.5").get(f"/j/{session.code}/")
    assert refused.status_code == 429 and "nettverket" in refused.content.decode()
    assert client_for(REMOTE_ADDR="198.51.100.7").get(f"/j/{session.code}/").status_code == 200
    state = _presenter(session, client_for)
    assert state["refused"]["joins"] == 11 and "11 nye deltakere avvist" in state["refused_text"]
    org = client_for(session.consultation.created_by)
    assert "11 nye deltakere avvist" in org.get(f"/org/c/{session.consultation.slug}/live/{session.pk}/").content.decode()


@override_settings(LIVE_JOINS_PER_ADDRESS=0, LIVE_VOTES_PER_ADDRESS=3)
def test_votes_per_address_and_statement(session, client_for):
    people = [client_for(REMOTE_ADDR="203.0.113.9") for _ in range(5)]
    for p in people:
        assert p.get(f"/j/{session.code}/").status_code == 200
    codes = [_vote(p, session, session.current_id).status_code for p in people]
    assert codes == [200, 200, 200, 429, 429]
    assert _vote(people[0], session, session.current_id, -1).status_code == 200  # a change is not a new vote
    assert "for mange stemmer" in _vote(people[4], session, session.current_id).json()["error"]
    other = client_for(REMOTE_ADDR="198.51.100.8")
    other.get(f"/j/{session.code}/")
    assert _vote(other, session, session.current_id).status_code == 200
    assert Vote.objects.count() == 4
    state = _presenter(session, client_for)
    assert state["refused"]["votes"] == 3
    with translation.override("en"):
        assert live_state.refused_text(state["refused"]) == "3 votes refused"


def test_votes_only_on_statements_that_were_shown(session, client_for):
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    first, second = list(session.visible_statements())[:2]
    p = client_for()
    p.get(f"/j/{session.code}/")
    r = _vote(p, session, second.pk)
    assert r.status_code == 409 and "ikke vist" in r.json()["error"]
    assert _vote(p, session, first.pk).status_code == 200  # the current one
    org.post(base + "/do", {"do": "next"})
    assert _vote(p, session, second.pk).status_code == 200
    assert _vote(p, session, first.pk, -1).status_code == 200  # shown before: a vote sent late still counts
    assert Vote.objects.count() == 2


@override_settings(LIVE_IDEAS_PER_ADDRESS=3)
def test_ideas_are_capped_per_address_as_well_as_per_cookie(session, client_for):
    sent = []
    for _ in range(2):  # a new cookie does not start the count again
        p = client_for(REMOTE_ADDR="203.0.113.20")
        p.get(f"/j/{session.code}/")
        for i in range(2):
            r = p.post(f"/j/{session.code}/idea", json.dumps({"text": f"Idé {len(sent)} {i}"}),
                       content_type="application/json")
            sent.append(r.status_code)
    assert sent == [200, 200, 200, 429] and AudienceIdea.objects.count() == 3
    assert _presenter(session, client_for)["refused"]["ideas"] == 1
    p = client_for(REMOTE_ADDR="198.51.100.9")
    p.get(f"/j/{session.code}/")
    assert p.post(f"/j/{session.code}/idea", json.dumps({"text": "Fra et annet sted"}),
                  content_type="application/json").status_code == 200

"""Issue 20 with Django's test client: the projector's consensus with its direction and only
beside opinion groups, the wait for groups, the groups in words, ending a session only with a
confirmation, participants counted while connected, the front page's code box and closed
consultations, long answers collapsed."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from innspill.web.live import services as live
from innspill.web.live import state as live_state
from innspill.web.live.models import LiveSession, LiveStatement, Participant, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    live.forget()
    yield
    live.forget()


@pytest.fixture
def session(make_consultation):
    cons = make_consultation()
    s = LiveSession.create_with_code(consultation=cons, title="Kantina", language="nb", created_by=cons.created_by,
                                     state=LiveSession.LIVE)
    sts = [LiveStatement.objects.create(session=s, text=f"Påstand {i}", kind="statement", position=i,
                                        revealed=True, shown_at=timezone.now()) for i in range(1, 6)]
    s.current = sts[0]
    s.save()
    return s


def _vote_all(session, people: int, how):
    """``people`` participants voting on every statement: ``how(person, index)`` gives the vote."""
    sts = list(session.statements.order_by("position"))
    for p in range(people):
        person = Participant.objects.create(session=session, number=p + 1, token_sha256=f"{p:064d}")
        for j, st in enumerate(sts):
            Vote.objects.create(participant=person, statement=st, value=how(p, j))
    return sts


def _projector(client, session):
    live.forget(session.pk)
    return client.get(f"/j/{session.code}/state.json?view=projector").json()


def _two_camps(p, j):
    if j == 2:
        return 1 if p % 6 else -1  # 10 of 12 agree, in both camps at least 60 %
    return (1 if j % 2 else -1) if p < 6 else (-1 if j % 2 else 1)


def test_no_consensus_before_groups_but_what_is_missing(session, client_for):
    _vote_all(session, 3, lambda p, j: 1)  # three people agreeing with everything: no groups
    s = _projector(client_for(), session)
    assert s["groups"] is None and s["consensus"] == [] and s["divisive"] == []
    assert s["groups_wait"] == {"code": "too_few_participants", "need": 6, "have": 3, "min_votes": 5}
    nb = client_for(session.consultation.created_by).get(
        f"/org/c/{session.consultation.slug}/live/{session.pk}/projector/").content.decode()
    assert "Ikke nok stemmer til meningsgrupper ennå" in nb
    config = json.loads(nb.split('id="live-config" type="application/json">')[1].split("</script>")[0])
    assert config["labels"]["wait"]["too_few_participants"].startswith("Meningsgruppene vises når %(need)s deltakere")


def test_consensus_with_its_direction_and_divisive_by_group(session, client_for):
    sts = _vote_all(session, 12, _two_camps)
    s = _projector(client_for(), session)
    assert s["groups"]["k"] == 2 and sorted(s["groups"]["sizes"]) == [6, 6]
    assert s["threshold"] == 60 and s["groups_wait"] is None
    (c,) = s["consensus"]
    assert (c["statement"], c["direction"], c["n"], c["total"], c["kind"]) == (sts[2].pk, "agree", 10, 12, "statement")
    assert c["text"] == "Påstand 3" and c["min_share"] >= 0.6
    assert {d["statement"] for d in s["divisive"]} == {sts[0].pk, sts[1].pk, sts[3].pk, sts[4].pk}
    assert sorted(s["divisive"][0]["agree_shares"]) == [0.0, 1.0]
    # a statement whose results are not shown stays off the projector's lists
    LiveStatement.objects.filter(pk=sts[2].pk).update(revealed=False)
    assert _projector(client_for(), session)["consensus"] == []
    # the labels the projector words them with, nb and en
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}/projector/"
    for lang, agree, rule in (("nb", "%(n)s av %(total)s enige", "minst %(p)s prosent"),
                              ("en", "%(n)s of %(total)s agree", "at least %(p)s percent")):
        page = org.get(base + f"?lang={lang}").content.decode()
        labels = json.loads(page.split('id="live-config" type="application/json">')[1].split("</script>")[0])["labels"]
        assert labels["count"]["statement"]["agree"] == agree and rule in labels["consensus_rule"]


def test_groups_in_words():
    with translation.override("nb"):
        assert live_state.groups_text([3, 2, 2, 1]) == "4 grupper: 3, 2, 2 og 1 deltakere"
        assert live_state.groups_text([4, 3]) == "2 grupper: 4 og 3 deltakere"
    with translation.override("en"):
        assert live_state.groups_text([3, 2, 2, 1]) == "4 groups: 3, 2, 2 and 1 participants"


def test_presenter_groups_line_and_participants_now(session, client_for):
    """"Deltakere nå" counts open connections: a participant's event stream open, or a page seen
    (loaded, or polling state.json) in the last few seconds; a closed tab stops counting."""
    _vote_all(session, 12, _two_camps)
    people = list(Participant.objects.filter(session=session).order_by("number"))
    for p in people[:3]:
        live.stream_opened(session.pk, p.pk)
    live.stream_opened(session.pk, people[0].pk)  # a second tab of the same phone counts once
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    live.forget(session.pk)
    state = org.get(base + "/state.json").json()
    assert state["groups"]["text"] == "2 grupper: 6 og 6 deltakere"
    assert state["active"] == 3 and state["session"]["participants"] == 12
    assert state["active_text"] == "3 deltakere nå (12 har blitt med)"
    page = org.get(base + "/").content.decode()
    assert "2 grupper: 6 og 6 deltakere" in page and "×" not in page
    assert "3 deltakere nå (12 har blitt med)" in page
    assert _projector(client_for(), session)["active"] == 3
    # a tab closed: counted for a few seconds (the stream's own reconnect), then not
    live.stream_closed(session.pk, people[2].pk)
    live.stream_closed(session.pk, people[0].pk)  # one of two tabs: still here
    assert live.connected(session.pk) == 3
    live._SEEN[session.pk][people[2].pk] -= live.GONE_SECONDS + 1
    assert live.connected(session.pk) == 2
    assert _projector(client_for(), session)["active"] == 2
    # a phone without EventSource polls state.json: here while it polls; a voter who left is not
    phone = client_for()
    phone.get(f"/j/{session.code}/")  # joins (a new participant, here now)
    assert _projector(client_for(), session)["active"] == 3
    live._SEEN[session.pk] = {k: v - live.GONE_SECONDS - 1 for k, v in live._SEEN[session.pk].items()}
    assert live.connected(session.pk) == 2
    phone.get(f"/j/{session.code}/state.json")
    assert live.connected(session.pk) == 3
    with translation.override("en"):
        assert live_state.active_text(1, 1) == "1 participant now"
        assert live_state.active_text(2, 5) == "2 participants now (5 have joined)"


def test_one_clear_action_each_and_ending_needs_a_confirmation(session, client_for):
    org = client_for(session.consultation.created_by)
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    page = org.get(base + "/").content.decode()
    assert "Stopp stemmegivningen på denne påstanden" in page and "Avslutt hele direkteavstemningen" in page
    assert "Steng avstemningen" not in page and "Ja, avslutt for alle" in page
    r = org.post(base + "/do", {"do": "end"}, follow=True)  # no confirmation: nothing ends
    session.refresh_from_db()
    assert session.state == LiveSession.LIVE
    assert "bekreft at du vil avslutte" in r.content.decode()
    org.post(base + "/do", {"do": "end", "confirm": "1"})
    session.refresh_from_db()
    assert session.state == LiveSession.ENDED and session.ended_at is not None
    en = org.get(base + "/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Finish the whole live session" not in en  # only while it is live


def test_join_with_a_code(session, client_for, organiser):
    anon = client_for()
    home = anon.get("/").content.decode()
    assert 'id="home-code"' in home and "Har du en kode?" in home
    r = anon.get("/j/", {"code": session.code.lower()})
    assert r.status_code == 302 and r["Location"] == f"/j/{session.code}/"
    r = anon.get("/j/", {"code": "zz-zzzz"})
    assert r.status_code == 404
    assert "Det finnes ingen avstemning med koden ZZ-ZZZZ." in r.content.decode()
    assert "Sjekk koden på skjermen og prøv igjen." in r.content.decode()
    en = anon.get("/j/", {"code": "zz-zzzz"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "There is no live session with the code ZZ-ZZZZ." in en and "Check the code on the screen" in en
    r = anon.get("/j/", {"code": " - "})
    assert r.status_code == 400 and "Skriv koden som står på skjermen" in r.content.decode()
    assert anon.get("/j/").status_code == 200
    assert Participant.objects.filter(session=session).count() == 0  # nothing joined by a wrong code


def test_closed_consultations_stay_on_the_front_page(make_consultation, client_for, organiser):
    from innspill.web.results.models import ResultsPage

    open_one = make_consultation(slug="apen")
    closed = make_consultation(slug="stengt", state="closed")
    ran_out = make_consultation(slug="utlopt", closes_at=timezone.now() - timedelta(days=2))
    make_consultation(slug="utkast", state="draft")
    ResultsPage.objects.create(consultation=closed, published=True)
    page = client_for().get("/").content.decode()
    assert f"/c/{open_one.slug}/" in page and "utkast" not in page
    closed_part = page.split('id="closed-h"')[1]
    assert "Avsluttede høringer" in page and "Stengt" in closed_part
    assert f'/c/{closed.slug}/results/' in closed_part and "Dette hørte vi" in closed_part
    assert f'href="/c/{ran_out.slug}/"' in closed_part and "Les de publiserte svarene" in closed_part
    assert f"/c/{open_one.slug}/" not in closed_part
    en = client_for().get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Closed consultations" in en and "Have a code?" in en and "What we heard" in en


def test_long_answers_are_collapsed():
    from innspill.web.templatetags.innspill_long import long_text

    short = long_text("Kort svar.\n\nAndre avsnitt <b>")
    assert "<details" not in short and "&lt;b&gt;" in short
    text = "<script>x</script> " + "Et langt svar om trafikken. " * 430
    with translation.override("nb"):
        html = long_text(text)
    assert html.startswith('<details class="long-answer"><summary>') and "Vis hele (12\u00a0059 tegn)" in html
    assert "<script>" not in html and html.count("&lt;script&gt;") == 2  # in the preview and in the whole
    assert html.count("Et langt svar om trafikken.") > 420


LIVE_ENGLISH = ["participants", "groups", "active", "agree", "disagree", "consensus", "divisive", "votes",
                "closed", "join", "code", "statement", "finish", "lock", "percent", "show all", "yes", "said"]


def _labels_text(page: str) -> str:
    labels = json.loads(page.split('id="live-config" type="application/json">')[1].split("</script>")[0])["labels"]
    out = []

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            out.append(x)
    walk(labels)
    return " ".join(out)


def test_live_pages_and_the_front_page_in_norwegian(session, client_for, make_consultation):
    import re

    from ..test_nb_words import ENGLISH, visible

    make_consultation(slug="stengt", state="closed")
    _vote_all(session, 12, _two_camps)
    org = client_for(session.consultation.created_by, HTTP_ACCEPT_LANGUAGE="nb")
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    base = f"/org/c/{session.consultation.slug}/live/{session.pk}"
    pages = {"front page": anon.get("/"), "wrong code": anon.get("/j/", {"code": "QQQQQQ"}),
             "empty code": anon.get("/j/", {"code": "-"}), "presenter": org.get(base + "/"),
             "projector": org.get(base + "/projector/"), "participant": anon.get(f"/j/{session.code}/")}
    found = {}
    for name, r in pages.items():
        html = r.content.decode()
        text = visible(html).lower()
        if 'id="live-config"' in html and name != "presenter":
            text += " " + _labels_text(html).lower()
        bad = [w for w in ENGLISH + LIVE_ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
        if bad:
            found[name] = bad
    assert not found, found
    # the same search finds the English of the same pages
    en = client_for(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert {"closed", "join", "code"} <= {w for w in LIVE_ENGLISH
                                          if re.search(rf"(?<![\w-]){w}(?![\w-])", visible(en).lower())}

"""Issue 9, moderation one tired person can cope with: the queue's order and why (badges),
search, filters and bulk decisions, the rules for comments, the moderation log as CSV, and
several moderators with their own logins who cannot reach another consultation."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from innspill.web.consultations.models import Comment, Invitation, new_token, token_hash
from innspill.web.moderation import services as moderation
from innspill.web.moderation.models import CommentSignals, ModerationEvent, ModerationRule

from ..conftest import PASSWORD, answer

pytestmark = pytest.mark.django_db

LETTER = ("Vi krever at bedriften lager tydelige retningslinjer for sosiale medier, at ansatte får opplæring, "
          "og at alle vet hvem de kan spørre før de deler bilder fra arbeidsplassen på nettet først.")
ORDINARY_1 = "Det er greit med grupper på facebook hvis arbeidsgiver vet om det og har regler."
ORDINARY_2 = "Nei, bilder fra jobben er greit, men vi trenger en samtale om hva som er lurt å dele."
DOUBLE = "Jeg mener at retningslinjene bør være korte og lette å forstå for alle som jobber her i huset."
SPAM = "Billige klokker! http://klokker.example/tilbud og www.rabatt.example"
SENSITIVE = ("Jeg ble sykmeldt med depresjon etter at sjefen min trakasserte meg på jobben. "
             "Det bør ikke skje andre.")
NAMED = "Snakk med Kari Nordmann i HR, hun vet hva som gjelder."


def _add(c, text, author="", email="", minutes=0, **kw):
    base = timezone.make_aware(datetime(2026, 5, 1, 9, 0))
    return Comment.objects.create(consultation=c, text=text, author=author, email=email, consent=True,
                                  created_at=base + timedelta(minutes=minutes), **kw)


@pytest.fixture
def queue_consultation(make_consultation):
    c = make_consultation()
    ids = {
        "ordinary1": _add(c, ORDINARY_1, "Per", minutes=1),
        "letter1": _add(c, LETTER, "Anne", minutes=2),
        "sensitive": _add(c, SENSITIVE, "", minutes=3),
        "double1": _add(c, DOUBLE, "Lise", minutes=4),
        "double2": _add(c, DOUBLE, "Lise", minutes=5),
        "letter2": _add(c, LETTER.replace("først.", "først!"), "Bjørn", minutes=6),
        "ordinary2": _add(c, ORDINARY_2, "Nils", minutes=7),
        "letter3": _add(c, "Hei. " + LETTER, "Cecilie", minutes=8),
        "named": _add(c, NAMED, "Tor", minutes=9),
        "spam": _add(c, SPAM, "Klokker", minutes=10),
    }
    return c, {k: v.pk for k, v in ids.items()}


def test_queue_order_spam_then_copies_then_sensitive_then_oldest(queue_consultation, client_for):
    c, ids = queue_consultation
    page = client_for(c.created_by, HTTP_ACCEPT_LANGUAGE="en").get(f"/org/c/{c.slug}/moderate/")
    assert page.status_code == 200
    order = [x.pk for x in page.context["comments"]]
    assert order == [ids["spam"],
                     ids["letter1"], ids["letter2"], ids["letter3"],  # one form letter, three senders
                     ids["double1"], ids["double2"],  # a double post
                     ids["sensitive"], ids["named"],
                     ids["ordinary1"], ids["ordinary2"]]
    body = page.content.decode()
    badges = {x.pk: [code for _k, code in x.badges] for x in page.context["comments"]}
    assert badges[ids["spam"]] == ["links"]
    assert badges[ids["letter2"]] == ["form-letter"] and badges[ids["double2"]] == ["copy"]
    assert badges[ids["double1"]] == ["original"]
    assert "health" in badges[ids["sensitive"]] and "sensitive-story" in badges[ids["sensitive"]]
    assert badges[ids["named"]] == ["name"] and badges[ids["ordinary1"]] == []
    assert "form letter: 3 copies from 3 senders" in body and f"copy of #{ids['double1']} (exact)" in body
    nb = client_for(c.created_by, HTTP_ACCEPT_LANGUAGE="nb").get(f"/org/c/{c.slug}/moderate/").content.decode()
    assert "standardbrev: 3 kopier fra 3 avsendere" in nb and "sensitiv personlig historie" in nb
    # the signals are stored: a second view computes nothing
    assert moderation.refresh_signals(c) == 0
    assert CommentSignals.objects.filter(comment__consultation=c).count() == 10


def test_signals_follow_new_and_changed_comments(queue_consultation):
    c, ids = queue_consultation
    moderation.refresh_signals(c)
    late = _add(c, LETTER, "Dag", minutes=20)  # a fourth copy arrives
    assert moderation.stale(c).count() == 1
    assert moderation.refresh_signals(c) == 1  # only the new one is assessed for privacy
    s = CommentSignals.objects.get(comment=late)
    assert s.form_letter and s.group_size == 4 and s.copy_of == ids["letter1"]
    assert CommentSignals.objects.get(comment_id=ids["letter1"]).group_size == 4
    # a participant withdraws a copy: the group shrinks at the next batch
    Comment.objects.filter(pk=ids["letter3"]).update(state="withdrawn", text="")
    assert moderation.stale(c).count() == 1
    moderation.refresh_signals(c)
    assert CommentSignals.objects.get(comment_id=ids["letter1"]).group_size == 3
    assert not CommentSignals.objects.filter(comment_id=ids["letter3"]).exists()
    # a participant edits the spam into an ordinary answer: stale, then recomputed
    spam = Comment.objects.get(pk=ids["spam"])
    spam.text = "Jeg synes grupper på facebook er greit så lenge de er åpne."
    spam.save()
    moderation.refresh_signals(c)
    assert CommentSignals.objects.get(comment=spam).bucket == CommentSignals.REST


def test_honeypot_and_copies_of_spam_are_likely_spam(make_consultation, client_for):
    c = make_consultation()
    anon = client_for()
    answer(anon, c.slug, comment="Kjøp nå", website="http://spam.example")  # the honeypot
    first = _add(c, "Se våre tilbud på sko, vesker og klokker i nettbutikken vår i dag og i morgen.", "X", minutes=1)
    copy = _add(c, "Se våre tilbud på sko, vesker og klokker i nettbutikken vår i dag og i morgen!", "Y", minutes=2)
    org = client_for(c.created_by)
    r = org.post(f"/org/c/{c.slug}/moderate/", {"ids": [first.pk], "action": "spam", "note": "reklame"})
    assert r.status_code == 302
    bot = Comment.objects.get(state="spam", reason="honeypot field filled in")
    page = org.get(f"/org/c/{c.slug}/moderate/?show=spam")
    assert dict((x.pk, [b for _k, b in x.badges]) for x in page.context["comments"])[bot.pk] == ["honeypot"]
    pending = org.get(f"/org/c/{c.slug}/moderate/").context["comments"]
    assert [(x.pk, x.badges[0]) for x in pending] == [(copy.pk, ("spam", "spam-copy"))]


def test_search_filter_and_bulk_reject_with_a_rule(queue_consultation, client_for):
    c, ids = queue_consultation
    rule = ModerationRule.objects.create(consultation=c, code="R2", text="Ingen reklame eller lenkespam.")
    org = client_for(c.created_by)
    url = f"/org/c/{c.slug}/moderate/"
    assert [x.pk for x in org.get(url + "?q=kari").context["comments"]] == [ids["named"]]
    assert [x.pk for x in org.get(url + "?q=Nils").context["comments"]] == [ids["ordinary2"]]  # author
    assert {x.pk for x in org.get(url + "?flag=form-letter").context["comments"]} == {
        ids["letter1"], ids["letter2"], ids["letter3"]}
    assert {x.pk for x in org.get(url + "?flag=sensitive").context["comments"]} == {ids["sensitive"], ids["named"]}
    # question filter: per-question fields, or what the analysis found
    Comment.objects.filter(pk=ids["ordinary1"]).update(fields={"q1": [0, len(ORDINARY_1)]})
    assert [x.pk for x in org.get(url + "?question=1").context["comments"]] == [ids["ordinary1"]]
    # a reject without a rule is refused, with a rule it is applied to every copy of the form letter
    r = org.post(url, {"flag": "form-letter", "all_matching": "1", "action": "reject", "note": "kampanje"})
    assert r.status_code == 302 and Comment.objects.filter(state="rejected").count() == 0
    r = org.post(url, {"flag": "form-letter", "all_matching": "1", "action": "reject", "rule": rule.pk,
                       "note": "samme tekst tre ganger"})
    assert "flag=form-letter" in r["Location"]
    rejected = Comment.objects.filter(state="rejected")
    assert {x.pk for x in rejected} == {ids["letter1"], ids["letter2"], ids["letter3"]}
    assert {x.reason for x in rejected} == {"R2: Ingen reklame eller lenkespam."}
    ev = ModerationEvent.objects.filter(after="rejected")
    assert ev.count() == 3 and {(e.rule_code, e.note, e.user_id) for e in ev} == {
        ("R2", "samme tekst tre ganger", c.created_by.pk)}
    # bulk approve of chosen ones; status filter shows them
    org.post(url, {"ids": [ids["ordinary1"], ids["ordinary2"]], "action": "approve"})
    assert {x.pk for x in org.get(url + "?show=approved").context["comments"]} == {ids["ordinary1"], ids["ordinary2"]}
    assert ids["ordinary1"] not in {x.pk for x in org.get(url).context["comments"]}


def test_reject_needs_rules_and_rules_are_public(make_consultation, client_for):
    c = make_consultation()
    x = _add(c, ORDINARY_1, "Per")
    org = client_for(c.created_by, HTTP_ACCEPT_LANGUAGE="en")
    r = org.post(f"/org/c/{c.slug}/moderate/", {"ids": [x.pk], "action": "reject", "note": "off topic"}, follow=True)
    assert "Write the rules for comments first" in r.content.decode()
    x.refresh_from_db()
    assert x.state == "pending"
    data = {"r-TOTAL_FORMS": "3", "r-INITIAL_FORMS": "0", "r-MIN_NUM_FORMS": "0", "r-MAX_NUM_FORMS": "1000",
            "r-0-code": "R1", "r-0-text": "Hold deg til saken.", "r-1-code": "R1", "r-1-text": "Dobbel kode.",
            "r-2-code": "", "r-2-text": ""}
    r = org.post(f"/org/c/{c.slug}/policy/", data)
    assert r.status_code == 200 and "Each rule needs its own code" in r.content.decode()
    data.update({"r-1-code": "R2", "r-1-text": "Ingen personangrep."})
    assert org.post(f"/org/c/{c.slug}/policy/", data).status_code == 302
    assert list(c.rules.values_list("code", "text")) == [("R1", "Hold deg til saken."), ("R2", "Ingen personangrep.")]
    public = client_for(HTTP_ACCEPT_LANGUAGE="nb").get(f"/c/{c.slug}/").content.decode()
    assert "Regler for kommentarer" in public and "Hold deg til saken." in public and "Ingen personangrep." in public
    assert "Rules for comments" in client_for(HTTP_ACCEPT_LANGUAGE="en").get(f"/c/{c.slug}/").content.decode()
    # a moderator cannot change the rules
    from django.contrib.auth.models import User

    from innspill.web.consultations.models import Membership

    mod = User.objects.create_user("mod", "", PASSWORD)
    Membership.objects.create(consultation=c, user=mod, role=Membership.MODERATOR)
    assert client_for(mod).post(f"/org/c/{c.slug}/policy/", data).status_code == 404


def _login(client_for, username):
    client = client_for()
    r = client.post("/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()[:300]
    return client


def _invite(c, role="moderator"):
    token = new_token()
    Invitation.objects.create(consultation=c, token_sha256=token_hash(token), role=role, created_by=c.created_by)
    return token


def test_two_moderators_own_logins_in_the_log_and_no_cross_access(make_consultation, client_for):
    a, b = make_consultation("a"), make_consultation("b")
    rule = ModerationRule.objects.create(consultation=a, code="OT", text="Svaret handler ikke om spørsmålene.")
    a1, a2, a3 = (_add(a, t, "Per", minutes=i) for i, t in enumerate([ORDINARY_1, ORDINARY_2, SPAM]))
    b1 = _add(b, ORDINARY_1, "Kari")
    # two moderators accept their invitations to A with their own accounts, one to B
    for name, cons in (("mona", a), ("mads", a), ("berit", b)):
        r = client_for().post(f"/invite/{_invite(cons)}/", {"username": name, "email": f"{name}@example.org",
                                                            "password1": PASSWORD, "password2": PASSWORD})
        assert r.status_code == 302
    mona, mads, berit = (_login(client_for, n) for n in ("mona", "mads", "berit"))
    assert mona.post("/org/c/a/moderate/", {"ids": [a1.pk], "action": "approve"}).status_code == 302
    assert mads.post("/org/c/a/moderate/", {"ids": [a2.pk], "action": "reject", "rule": rule.pk,
                                               "note": "handler om kantina"}).status_code == 302
    assert mads.post("/org/c/a/moderate/", {"ids": [a3.pk], "action": "spam", "note": "lenker"}).status_code == 302
    # no cross-consultation access: B's pages are 404 for A's moderators, and B's ids are ignored in A
    assert mona.get("/org/c/b/moderate/").status_code == 404
    assert mona.post("/org/c/b/moderate/", {"ids": [b1.pk], "action": "approve"}).status_code == 404
    assert mona.get("/org/c/b/moderate/log/").status_code == 404
    mona.post("/org/c/a/moderate/", {"ids": [b1.pk], "action": "approve"})
    b1.refresh_from_db()
    assert b1.state == "pending" and not ModerationEvent.objects.filter(comment=b1).exists()
    assert berit.get("/org/c/a/moderate/").status_code == 404
    # a moderator cannot publish results or change rules (organiser only)
    assert mona.post("/org/c/a/results/publish/", {"publish": "1"}).status_code == 404
    # the log, read back as CSV: who, when, before/after, rule and its text, note; no e-mail
    r = mona.get("/org/c/a/moderate/log/?format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(x["moderator"], x["comment"], x["before"], x["after"], x["rule"], x["rule_text"], x["note"])
            for x in rows] == [
        ("mona", str(a1.pk), "pending", "approved", "", "", ""),
        ("mads", str(a2.pk), "pending", "rejected", "OT", "Svaret handler ikke om spørsmålene.", "handler om kantina"),
        ("mads", str(a3.pk), "pending", "spam", "", "", "lenker")]
    for x in rows:
        at = datetime.fromisoformat(x["at"])
        assert abs((timezone.now() - at).total_seconds()) < 120
    assert "@" not in text and "mona@example.org" not in text
    page = mads.get("/org/c/a/moderate/log/?who=mona")
    assert [who for _e, who in page.context["rows"]] == ["mona"]


def test_participant_sees_the_rule_not_the_note(make_consultation, client_for):
    c = make_consultation()
    rule = ModerationRule.objects.create(consultation=c, code="R3", text="Ingen personangrep.")
    anon = client_for(HTTP_ACCEPT_LANGUAGE="en")
    r = answer(anon, c.slug, comment="Sjefen er en idiot og burde sparkes, det er greit med facebook.")
    link = anon.get(r["Location"]).context["link"].split("testserver", 1)[1]
    x = Comment.objects.get()
    org = client_for(c.created_by)
    org.post(f"/org/c/{c.slug}/moderate/", {"ids": [x.pk], "action": "reject", "rule": rule.pk,
                                            "note": "intern: ring ham"})
    page = anon.get(link).content.decode()
    assert "rejected" in page and "R3: Ingen personangrep." in page and "intern: ring ham" not in page
    # approving later names no rule, and the log keeps both decisions
    org.post(f"/org/c/{c.slug}/moderate/", {"show": "rejected", "ids": [x.pk], "action": "approve",
                                            "rule": rule.pk})
    x.refresh_from_db()
    assert x.state == "approved" and x.reason == ""
    assert list(ModerationEvent.objects.order_by("id").values_list("after", "rule_code")) == [
        ("rejected", "R3"), ("approved", "")]

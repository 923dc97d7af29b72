"""Issue 20: answers under their question (public page, moderation queue) and one-click
moderation (per-comment buttons answered as JSON to the queue's script, a redirect without it;
the log links to the comment; ngettext for "1 kommentar endret")."""

import re

import pytest

from innspill.web.consultations.models import Comment
from innspill.web.moderation.models import ModerationEvent, ModerationRule

from .conftest import QUESTIONS, answer

pytestmark = pytest.mark.django_db


def _qa(html: str) -> list[tuple[str, str]]:
    return [(re.sub(r"\s+", " ", dt).strip(), re.sub(r"<[^>]+>|\s+", " ", dd).strip())
            for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.S)]


def test_answers_are_shown_under_their_question(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    answer(anon, cons.slug, q1="Nei, 40 km/t holder.", q3="Klare regler.")
    answer(anon, cons.slug, comment="Et fritt innspill uten spørsmål.")
    org = client_for(cons.created_by, HTTP_ACCEPT_LANGUAGE="nb")
    queue = org.get(f"/org/c/{cons.slug}/moderate/").content.decode()
    assert ("1. " + QUESTIONS[0][0], "Nei, 40 km/t holder.") in _qa(queue)
    assert ("3. " + QUESTIONS[2][0], "Klare regler.") in _qa(queue)
    assert "Et fritt innspill uten spørsmål." in queue
    org.post(f"/org/c/{cons.slug}/moderate/", {"ids": list(Comment.objects.values_list("id", flat=True)),
                                                "action": "approve"})
    public = anon.get(f"/c/{cons.slug}/").content.decode()
    comments = public[public.index('id="comments-h"'):]
    assert ("1. " + QUESTIONS[0][0], "Nei, 40 km/t holder.") in _qa(comments)
    assert ("3. " + QUESTIONS[2][0], "Klare regler.") in _qa(comments)


def test_one_click_moderation_by_fetch_and_without_script(make_consultation, client_for):
    cons = make_consultation()
    rule = ModerationRule.objects.create(consultation=cons, code="R1", text="Ingen personangrep.", position=0)
    anon = client_for()
    for text in ("Ja.", "Nei.", "Kjøp billige klokker her", "Du er en idiot."):
        answer(anon, cons.slug, q1=text)
    a, b, spam, rude = Comment.objects.order_by("id")
    org = client_for(cons.created_by, HTTP_ACCEPT_LANGUAGE="nb")
    url = f"/org/c/{cons.slug}/moderate/"
    page = org.get(url).content.decode()
    assert f'value="{a.pk}:approve"' in page and f'name="rule-{a.pk}"' in page and 'aria-keyshortcuts="a"' in page
    fetch = {"HTTP_X_REQUESTED_WITH": "fetch"}
    r = org.post(url, {"one": f"{a.pk}:approve", "show": "pending"}, **fetch)
    assert r.status_code == 200 and r.json() == {"ok": True, "id": a.pk, "state": "approved", "label": "godkjent",
                                                 "message": "1 kommentar endret."}
    r = org.post(url, {"one": f"{rude.pk}:reject"}, **fetch)
    assert r.status_code == 400 and not r.json()["ok"] and "regl" in r.json()["error"]
    r = org.post(url, {"one": f"{rude.pk}:reject", f"rule-{rude.pk}": str(rule.pk)}, **fetch)
    assert r.json()["state"] == "rejected"
    r = org.post(url, {"one": f"{spam.pk}:spam"}, **fetch)
    assert r.json()["state"] == "spam"
    r = org.post(url, {"one": f"{b.pk}:approve", "show": "pending"})  # no script: the form posts
    assert r.status_code == 302 and r["Location"].endswith(f"#m{b.pk}")
    assert [c.state for c in Comment.objects.order_by("id")] == ["approved", "approved", "spam", "rejected"]
    assert ModerationEvent.objects.get(comment=rude).rule_code == "R1"
    assert org.post(url, {"one": "99999:approve"}, **fetch).status_code == 400
    other = make_consultation(slug="annen")
    assert org.post(f"/org/c/{other.slug}/moderate/", {"one": f"{a.pk}:approve"}).status_code in (302, 403, 404)
    log = org.get(f"/org/c/{cons.slug}/moderate/log/").content.decode()
    assert f'?show=all&amp;comment={rude.pk}#m{rude.pk}"' in log
    one = org.get(f"/org/c/{cons.slug}/moderate/?show=all&comment={rude.pk}").content.decode()
    assert f'id="m{rude.pk}"' in one and f'id="m{a.pk}"' not in one
    assert "spam (ett klikk)" in log


def test_bulk_message_counts_in_nb(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for()
    answer(anon, cons.slug, q1="Ja.")
    org = client_for(cons.created_by, HTTP_ACCEPT_LANGUAGE="nb")
    r = org.post(f"/org/c/{cons.slug}/moderate/", {"ids": [Comment.objects.get().pk], "action": "approve"},
                 follow=True)
    assert "1 kommentar endret." in r.content.decode()

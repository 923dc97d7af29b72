"""Issue 20 in chromium against ``innspill serve``: the projector fits 1920x1080 and 1280x720
without scrolling, with the opinion groups, "Enighet" (with its direction in numbers) and
"Splittende" in view; no page is wider than a 390 px phone (the participant's private page with
its reading table and misreading form, moderation, the presenter, the public page); a 12,000
character answer is collapsed behind "Vis hele" on the public page; the front page's code box
takes a participant to the live vote, and a wrong code says so."""

import subprocess
import sys

import pytest

from .conftest import PASSWORD
from .liveserver import LiveServer

LONG_QUESTION = ("Er det riktig at kommunen senker fartsgrensen i Storgata til 30 km/t på hele strekningen mellom "
                 "Torget og jernbanestasjonen, også om natta, når det er lite trafikk og nesten ingen går der?")
PREPARE = """
import json, sys
from innspill.web.runtime import setup
setup(sys.argv[1])
from django.contrib.auth import get_user_model
from django.utils import timezone
from innspill.web.analysis import jobs
from innspill.web.consultations.models import Comment, Consultation, Membership, Question, new_token, token_hash
from innspill.web.live.models import LiveSession, LiveStatement, Participant, Vote
u = get_user_model().objects.get(username="ola")
c = Consultation.objects.create(slug="storgata", title="Fartsgrense i Storgata", state="open", created_by=u,
                                intro="Kommunen vil høre hva du mener.")
Membership.objects.create(consultation=c, user=u, role="organiser")
questions = [(sys.argv[2], "yesno"), ("Bør det bli flere sykkelstativer ved torget og ved skolen?", "yesno"),
             ("Hva bør gjøres med parkeringen langs Storgata?", "open")]
for i, (t, k) in enumerate(questions, 1):
    Question.objects.create(consultation=c, number=i, text=t, kind=k)
answers = [("Nei, 40 km/t holder. " * 3, "Ja, gjerne flere stativer."),
           ("Ja, 30 km/t er tryggere for barna som går til skolen.", "Nei, det er nok stativer."),
           ("Nei. " + "Dette er et veldig langt svar om fartsgrensen og trafikken i sentrum. " * 170, "Ja."),
           ("Ja, helt enig i forslaget.", "Ja, og gjerne med tak over."),
           ("Nei, det blir kø.", "Nei.")]
token = new_token()
for n, (a1, a2) in enumerate(answers):
    text = a1 + "\\n\\n" + a2
    Comment.objects.create(consultation=c, author=f"Person {n}", text=text, consent=True, state="approved",
                           fields={"q1": [0, len(a1)], "q2": [len(a1) + 2, len(text)]},
                           edit_token_sha256=token_hash(token) if n == 0 else "")
spam = ("Kjøp billige klokker her https://spam.example/" + "klokker-" * 20 + " ring 99887766 eller skriv til "
        "ola.nordmann@example.org " + "https://spam.example/a " * 6)
for n in range(2):  # flagged cards in the queue: links, an e-mail address, a phone number, a long address
    Comment.objects.create(consultation=c, author="Selger", email="selger@example.org", text=spam, consent=True)
jobs.enqueue(c)
job = jobs.run_one()
assert job.status == "done", job.message
s = LiveSession.create_with_code(consultation=c, title=c.title, language="nb", created_by=u, state="live")
texts = [sys.argv[2], "Bilene må ut av Storgata helt, også varelevering bør skje før klokka sju om morgenen.",
         "Kommunen bør bruke pengene på bedre busstilbud i stedet for nye fartshumper i sentrum.",
         "Sykkelstativene ved torget er for få.", "Parkering bør koste mer i sentrum.",
         "Storgata bør bli gågate om sommeren."]
sts = [LiveStatement.objects.create(session=s, text=t, kind="question" if i == 0 else "statement", position=i + 1,
                                    revealed=True, shown_at=timezone.now()) for i, t in enumerate(texts)]
s.current = sts[1]
s.started_at = timezone.now()
s.save()
for p in range(12):  # two camps and a few in between: opinion groups, consensus and divisive statements
    person = Participant.objects.create(session=s, number=p + 1, token_sha256=f"{p:064d}")
    for j, st in enumerate(sts):
        if j == 3:
            v = 1 if p % 6 else -1   # nearly everyone agrees: consensus
        elif p < 6:
            v = 1 if j % 2 else -1
        else:
            v = -1 if j % 2 else 1
        Vote.objects.create(participant=person, statement=st, value=v)
print(json.dumps({"token": token, "live": s.pk, "code": s.code}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("layout") / "data", stream_seconds=5)
    r = subprocess.run([sys.executable, "-c", PREPARE, s.data, LONG_QUESTION], env=s.env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    import json

    s.made = json.loads(r.stdout.strip().splitlines()[-1])
    s.start()
    yield s
    s.stop()


def _login(browser, base, **kw):
    ctx = browser.new_context(locale="nb-NO", **kw)
    page = ctx.new_page()
    page.goto(base + "/login/")
    page.fill("[name=username]", "ola")
    page.fill("[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(base + "/org/")
    return ctx, page


def _size(page) -> dict:
    return page.evaluate("({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight,"
                         " vw: window.innerWidth, vh: window.innerHeight})")


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_projector_fits_the_screen_with_groups_and_directions(server, browser, width, height):
    ctx, page = _login(browser, server.base, viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.base}/org/c/storgata/live/{server.made['live']}/projector/")
    page.wait_for_selector("#groups-box:not([hidden]) #scatter circle", timeout=8000)
    page.wait_for_selector("#bars:not([hidden])")
    size = _size(page)
    assert size["h"] <= size["vh"] and size["w"] <= size["vw"], size
    for sel in ("#statement-text", "#bars", "#scatter", "#group-sizes", "#consensus li", "#divisive li",
                "#join-code"):
        box = page.locator(sel).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, (sel, box)
    lists = page.locator("#groups-box .lists").bounding_box()
    for li in page.locator("#consensus li, #divisive li").all():  # items that do not fit are left out, not cut
        box = li.bounding_box()
        assert box["y"] + box["height"] <= min(height, lists["y"] + lists["height"]) + 1, (li.inner_text(), box)
    assert page.locator("#groups-wait").is_hidden()
    # the group line in words, consensus with its direction and numbers, the threshold stated
    sizes = page.inner_text("#group-sizes")
    assert "grupper:" in sizes and " og " in sizes and "deltakere" in sizes and "×" not in sizes
    consensus = page.inner_text("#consensus")
    assert "Sykkelstativene ved torget er for få." in consensus and "10 av 12 enige" in consensus
    assert "60 prosent" in page.inner_text("#consensus-rule")
    assert "per gruppe: A" in page.inner_text("#divisive")
    page.screenshot(path=str(_shots() / f"projector-{width}x{height}.png"))
    # the presenter puts the long question on the screen: it still fits, groups included
    presenter = ctx.new_page()
    presenter.goto(f"{server.base}/org/c/storgata/live/{server.made['live']}/")
    presenter.locator("table.live-statements tbody tr").first.locator("button[value=goto]").click()
    page.wait_for_selector("#statement-text:has-text('jernbanestasjonen')", timeout=8000)
    page.wait_for_selector("#bars:not([hidden])")
    size = _size(page)
    assert size["h"] <= size["vh"] and size["w"] <= size["vw"], size
    for sel in ("#statement-text", "#bars", "#scatter", "#consensus li", "#divisive li"):
        box = page.locator(sel).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, (sel, box)
    assert page.locator("#scatter").bounding_box()["height"] > height / 8
    assert "Ja, per gruppe: A" in page.inner_text("#divisive")  # the yes/no question in its own words
    page.screenshot(path=str(_shots() / f"projector-{width}x{height}-long.png"))
    presenter.locator("table.live-statements tbody tr").nth(1).locator("button[value=goto]").click()
    page.wait_for_selector("#statement-text:has-text('Bilene')", timeout=8000)  # back for the next test
    assert errors == []
    ctx.close()


def _shots():
    from conftest import ROOT

    d = ROOT / "out" / "screenshots"
    d.mkdir(parents=True, exist_ok=True)
    return d


def test_no_page_wider_than_a_phone(server, browser):
    base = server.base
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    ctx, page = _login(browser, base, **phone)
    pages = {"private page": f"/c/storgata/mine/{server.made['token']}/", "moderation": "/org/c/storgata/moderate/?show=all",
             "presenter": f"/org/c/storgata/live/{server.made['live']}/", "public page": "/c/storgata/",
             "front page": "/", "overview": "/org/c/storgata/", "live vote": f"/j/{server.made['code']}/",
             "wrong code": "/j/?code=QQQQQQ"}
    widths = {}
    for name, path in pages.items():
        page.goto(base + path)
        widths[name] = _size(page)["w"]
        if name == "private page":
            assert page.locator("table.reading tbody tr").count() >= 1  # the reading table is there
            assert page.locator("form.misreading").count() == 1
            page.screenshot(path=str(_shots() / "phone-private-page.png"), full_page=True)
        if name in ("presenter", "moderation", "front page"):
            page.screenshot(path=str(_shots() / f"phone-{name.replace(' ', '-')}.png"), full_page=True)
    assert all(w <= 390 for w in widths.values()), widths
    ctx.close()


def test_a_long_answer_is_collapsed_on_the_public_page(server, browser):
    ctx = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(server.base + "/c/storgata/")
    long = page.locator("details.long-answer")
    assert long.count() == 1
    assert "Vis hele" in long.locator("summary").inner_text()
    closed = _size(page)
    assert closed["h"] < 6000, closed  # 12,000 characters would be far taller on a phone
    long.locator("summary").click()
    assert _size(page)["h"] > closed["h"] + 3000  # all of it, once asked for
    assert _size(page)["w"] <= 390
    ctx.close()


def test_join_with_a_code_from_the_front_page(server, browser):
    ctx = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(server.base + "/")
    page.fill("#home-code", "zz-zzzz")
    page.click(".join-home button")
    page.wait_for_selector("#join-error")
    assert "Det finnes ingen avstemning med koden ZZ-ZZZZ" in page.inner_text("#join-error")
    page.goto(server.base + "/")
    page.fill("#home-code", server.made["code"].lower())
    page.click(".join-home button")
    page.wait_for_selector("#vote-buttons button")
    assert page.url.endswith(f"/j/{server.made['code']}/")
    ctx.close()

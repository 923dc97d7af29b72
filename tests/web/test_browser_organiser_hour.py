"""Issue 20's "done when", in Debian's chromium against ``innspill serve`` (with its worker): one
organiser's first hour, each step asserted as a new organiser would meet it.

1. Create a consultation with every "Nr." left blank (numbered 1-5 on save), an intro line,
   two yes/no questions, an open one, a scale (1-5) and a multiple-choice one; publish it.
2. Three people answer on phones (390 px, no page wider): the yes/no questions with the Ja / Nei /
   Vet ikke buttons and an optional "Hvorfor?", the scale and the options with theirs; one sends
   spam.
3. Moderate with one click per comment (no reload), the answers under their question.
4. Run the analysis; the review reads the buttons as the answers' stances, and a correction is
   saved and shown.
5. Export every format (the brief as HTML, Markdown, PDF, PPTX, CSV and JSON in nb and en, the
   analysis, hand labels, answers, comments, all data): each names the consultation (title,
   intro, period), file names carry slug, language and date, the nb brief has none of the
   English words of test_nb_words, and the correction is in the exports.
6. A live debate with three phones and the projector at 1920x1080: the projector fits without
   scrolling, shows "3 deltakere nå", and 2 once a phone is closed; the votes reach the bars.
No page the organiser or a participant sees in nb shows the list's English words, and no script
error is raised anywhere."""

import csv
import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD
from .liveserver import LiveServer
from .test_nb_words import ENGLISH, visible

TITLE = "Sykkelveg langs Storgata"
INTRO = "Kommunen vil høre hva du mener om sykkelvegen før bystyret bestemmer seg."
QUESTIONS = [("Bør Storgata få egen sykkelveg?", "yesno"),
             ("Bør parkeringsplassene langs Storgata fjernes?", "yesno"),
             ("Hva bør kommunen gjøre for dem som sykler til skolen?", "open")]
SCALE = ("Hvor trygt er det å sykle i Storgata i dag?", ["Svært utrygt", "Svært trygt"])
CHOICE = ("Hvordan kommer du deg oftest til sentrum?", ["Sykkel", "Buss", "Bil", "Til fots"])
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("first-hour") / "data", stream_seconds=5, worker=True).start()
    yield s
    s.stop()


def _english(page) -> list[str]:
    text = visible(page.content()).lower()
    return [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


class Walk:
    """The pages visited, with the English words found on each (nb) and the widths of phone pages."""

    def __init__(self):
        self.english, self.wide, self.errors = {}, {}, []

    def look(self, page, name: str, phone: bool = False):
        if bad := _english(page):
            self.english[name] = bad
        if phone and _width(page) > 390:
            self.wide[name] = _width(page)

    def watch(self, page):
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        return page


def _answer(browser, walk, base, slug, n, choices, texts):
    ctx = browser.new_context(locale="nb-NO", **PHONE)
    page = walk.watch(ctx.new_page())
    page.goto(f"{base}/c/{slug}/")
    walk.look(page, f"public page (phone {n})", phone=True)
    labels = page.locator("fieldset.choice").first.locator("label").all_inner_texts()
    assert labels == ["Ja", "Nei", "Vet ikke"], labels
    for q, choice in choices.items():  # the buttons: a click on the label, as a finger would
        page.locator(f"fieldset.choice:has(#id_{q}_choice-legend) label").get_by_text(choice, exact=True).click()
        assert page.locator(f"input[name={q}_choice]:checked").count() == 1
    for q, text in texts.items():
        page.fill(f"[name={q}]", text)
    if n == 3:  # forgot the consent: the message is at the top of the screen, focused, the answer kept
        page.click("button.primary")
        page.wait_for_selector("#error-summary")
        assert page.evaluate("document.activeElement.id") == "error-summary"
        box = page.locator("#error-summary").bounding_box()
        assert -5 < box["y"] < 844, box
        assert all(page.input_value(f"[name={q}]") == text for q, text in texts.items())
        walk.look(page, "public page with an error (phone 3)", phone=True)
    page.check("[name=consent]")
    page.click("button.primary")
    page.wait_for_selector("a.private-link")
    walk.look(page, f"thanks (phone {n})", phone=True)
    link = page.locator("a.private-link").get_attribute("href")
    page.goto(link)
    walk.look(page, f"private page (phone {n})", phone=True)
    ctx.close()
    return link


def test_the_organisers_first_hour(server, browser):
    base, walk = server.base, Walk()
    ctx = browser.new_context(locale="nb-NO", accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = walk.watch(ctx.new_page())
    page.goto(base + "/login/")
    page.fill("[name=username]", "ola")
    page.fill("[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(base + "/org/")

    # 1. create with every "Nr." blank, then publish
    page.goto(base + "/org/new/")
    walk.look(page, "new consultation")
    page.fill("[name=q-0-text]", QUESTIONS[0][0])
    page.click("button.primary")  # no title: the error is named at the top, which takes focus, and at the field
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_attribute("#id_title", "aria-describedby") == "id_title-error"
    walk.look(page, "new consultation with an error")
    page.fill("[name=title]", TITLE)
    page.fill("[name=intro]", INTRO)
    page.select_option("[name=language]", "nb")
    for i, (text, kind) in enumerate(QUESTIONS):
        page.fill(f"[name=q-{i}-number]", "")  # every "Nr." blank
        page.fill(f"[name=q-{i}-text]", text)
        page.select_option(f"[name=q-{i}-kind]", kind)
    # a scale and a multiple-choice question: their options box appears once the kind asks for it
    assert page.locator("[data-row]").nth(3).locator("[data-options]").is_hidden()
    page.fill("[name=q-3-text]", SCALE[0])
    page.select_option("[name=q-3-kind]", "scale")
    page.fill("[name=q-3-options]", "\n".join(SCALE[1]))
    page.click("[data-add-row=q]")
    page.fill("[name=q-4-text]", CHOICE[0])
    assert page.locator("[data-row]").nth(4).locator("[data-options]").is_hidden()
    page.select_option("[name=q-4-kind]", "choice")
    page.fill("[name=q-4-options]", "\n".join(CHOICE[1]))
    page.click("button.primary")
    page.wait_for_selector("button[name=state][value=open]")
    assert page.locator("#error-summary").count() == 0
    items = page.locator("main ol li")
    assert [items.nth(i).get_attribute("value") for i in range(5)] == ["1", "2", "3", "4", "5"]
    assert [items.nth(i).inner_text().split(" (")[0] for i in range(5)] == [q for q, _ in QUESTIONS] + [SCALE[0],
                                                                                                       CHOICE[0]]
    assert "(skala 1–5)" in items.nth(3).inner_text() and "(flervalg)" in items.nth(4).inner_text()
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.click("button[name=state][value=open]")
    page.wait_for_selector("button[name=state][value=closed]")
    walk.look(page, "overview")

    # 2. three people answer on phones, with the buttons
    _answer(browser, walk, base, slug, 1, {"q1": "Ja", "q2": "Nei", "q4": "2", "q5": "Sykkel"},
            {"q1": "Det blir tryggere for barna.", "q3": "Bygg sykkelvegen på østsiden og lag sykkelparkering ved skolen."})
    _answer(browser, walk, base, slug, 2, {"q1": "Nei", "q2": "Vet ikke", "q4": "4", "q5": "Buss"},
            {"q1": "Bussen blir forsinket."})
    _answer(browser, walk, base, slug, 3, {}, {"q3": "Kjøp billige klokker her https://spam.example/klokker"})

    # 3. moderate with one click per comment, without a reload
    page.goto(f"{base}/org/c/{slug}/moderate/")
    cards = page.locator("article.mod")
    assert cards.count() == 3
    walk.look(page, "moderation")
    one = cards.filter(has_text="tryggere for barna")
    text = one.inner_text()
    assert "1. " + QUESTIONS[0][0] in text and "Ja. Det blir tryggere for barna." in text  # under its question
    assert "· skjema ·" in text and "· form ·" not in text  # where it came from, in Norwegian
    page.evaluate("window.__noReload = 1")
    for has_text, decide, state in (("tryggere for barna", "approve", "approved"),
                                    ("Bussen blir forsinket", "approve", "approved"),
                                    ("billige klokker", "spam", "spam")):
        card = cards.filter(has_text=has_text)
        card.locator(f"button[data-decide={decide}]").click()
        expect(card.locator(".state")).to_have_attribute("data-state", state, timeout=5000)
    assert page.evaluate("window.__noReload") == 1
    assert "godkjent" in one.inner_text()
    walk.look(page, "moderation after one-click decisions")
    number = one.get_attribute("id").lstrip("m")  # the comment's number in moderation (#N)
    public = walk.watch(browser.new_context(locale="nb-NO", **PHONE).new_page())
    public.goto(f"{base}/c/{slug}/")
    shown = public.locator("#comments-h ~ *").all_inner_texts()
    assert any(QUESTIONS[0][0] in t and "Ja. Det blir tryggere for barna." in t for t in shown)
    assert not any("billige klokker" in t for t in shown)
    walk.look(public, "public page with published answers", phone=True)
    public.context.close()
    page.goto(f"{base}/org/c/{slug}/moderate/log/")
    assert page.locator("table.log a[href*='comment=']").count() == 3
    walk.look(page, "moderation log")

    # 4. analyse, review, correct
    page.goto(f"{base}/org/c/{slug}/")
    page.click("#run-analysis")
    page.wait_for_selector("#job-status[data-status=done]", timeout=180_000)
    walk.look(page, "analysis job")
    page.goto(f"{base}/org/c/{slug}/review/")
    walk.look(page, "review")
    one = page.locator("article.review", has_text="tryggere for barna")
    two = page.locator("article.review", has_text="Bussen blir forsinket")
    assert f"#{number}" in one.inner_text()  # the same number as in moderation
    assert one.locator(".answer[data-q='1'] .chip").get_attribute("data-stance") == "for"  # the Ja button
    assert one.locator(".answer[data-q='2'] .chip").get_attribute("data-stance") == "against"  # Nei
    assert two.locator(".answer[data-q='1'] .chip").get_attribute("data-stance") == "against"
    assert two.locator(".answer[data-q='2'] .chip").get_attribute("data-stance") == "none"  # Vet ikke
    assert one.locator(".answer[data-q='1'] .chip").inner_text().strip() == "for"
    assert two.locator(".answer[data-q='1'] .chip").inner_text().strip() == "mot"
    # the organiser disagrees with how "Vet ikke" + nothing was counted: corrected to against
    form = two.locator("form.stance-form").nth(1)
    form.locator("select").select_option("against")
    form.locator("button").click()
    page.wait_for_selector("text=Rettelsen er lagret.")
    two = page.locator("article.review", has_text="Bussen blir forsinket")
    assert two.locator(".answer[data-q='2'] .chip").get_attribute("data-stance") == "against"
    assert "rettet av ola" in two.inner_text()
    walk.look(page, "review after a correction")

    # 5. every export
    page.goto(f"{base}/org/c/{slug}/results/")
    walk.look(page, "results")
    from django.utils import timezone

    today = timezone.localdate().isoformat()  # the site's date (Europe/Oslo), as the file names carry
    downloads = {}
    links = page.locator("ul.downloads a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == 6 * 2 + 6, hrefs  # six brief formats in nb and en, six exports
    for href in hrefs:
        with page.expect_download() as dl:
            page.click(f"ul.downloads a[href='{href}']")
        downloads[href] = (dl.value.suggested_filename, open(dl.value.path(), "rb").read())
    names = {name for name, _ in downloads.values()}
    for fmt in ("html", "md", "pdf", "pptx", "csv", "json"):
        assert f"brief-{slug}-nb-{today}.{fmt}" in names and f"brief-{slug}-en-{today}.{fmt}" in names, names
    assert all(slug in name for name in names), names
    brief = {name.rsplit("-", 4)[-4] + "." + name.rsplit(".", 1)[1]: body for name, body in downloads.values()
             if name.startswith("brief-")}
    html_nb = brief["nb.html"].decode()
    md_nb = brief["nb.md"].decode()
    for text in (html_nb, md_nb):
        assert TITLE in text and INTRO in text and "Kilde: consultation:" not in text
        assert "Kilden oppgir ingen datoer" not in text and "Svar gitt" in text
    found = [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", visible(html_nb).lower())]
    assert not found, found
    assert TITLE in brief["en.html"].decode() and "Answers given" in brief["en.html"].decode()
    assert brief["nb.pdf"].startswith(b"%PDF") and brief["nb.html"] != brief["en.html"]
    with zipfile.ZipFile(io.BytesIO(brief["nb.pptx"])) as z:
        assert TITLE in z.read("docProps/core.xml").decode()
        assert any(TITLE in z.read(n).decode() for n in z.namelist() if n.startswith("ppt/slides/slide"))
    rows = list(csv.DictReader(io.StringIO(brief["nb.csv"].decode())))
    assert rows and all(r.get("consultation") == TITLE for r in rows), rows[:1]
    assert 'id="q4-tally"' in html_nb and 'id="q5-tally"' in html_nb  # the buttons counted per option
    data_nb = json.loads(brief["nb.json"])
    tally = {q["number"]: q.get("tally") for q in data_nb["questions"]}
    assert tally[4]["counts"] == [0, 1, 0, 1, 0] and tally[4]["mean"] == 3.0
    assert tally[5]["counts"] == [1, 1, 0, 0] and tally[5]["options"] == CHOICE[1]
    q3 = next(q for q in data_nb["questions"] if q["number"] == 3)  # open: what people proposed, no yes or no
    assert q3["verdict"] in ("open", "few") and "de fleste sier ja" not in html_nb.lower()  # one answer: few
    q2 = next(q for q in data_nb["questions"] if q["number"] == 2)
    assert q2["counts"]["against"] == 2  # a Nei button and the corrected Vet ikke
    by_name = {name.replace(f"-{slug}-{today}", ""): body for name, body in downloads.values()
               if not name.startswith("brief-")}
    assert set(by_name) == {"analysis.json", "analysis-raw.json", "gold.json", "answers.csv", "comments.csv",
                            "data.json"}, names
    analysis = json.loads(by_name["analysis.json"])
    corrected = [a for a in analysis["answers"] if a.get("provenance", {}).get("corrected")]
    assert len(corrected) == 1 and corrected[0]["stance"] == "against"
    assert analysis["source"].get("title") == TITLE
    assert json.loads(by_name["gold.json"])["schema"].startswith("innspill.gold/")
    answers = list(csv.DictReader(io.StringIO(by_name["answers.csv"].decode())))
    assert {r["stance"] for r in answers if r["question"] == "1"} == {"for", "against"}
    comments = list(csv.DictReader(io.StringIO(by_name["comments.csv"].decode())))
    assert sorted(r["state"] for r in comments) == ["approved", "approved", "spam"]
    everything = json.loads(by_name["data.json"])
    assert everything["consultation"]["title"] == TITLE and everything["consultation"]["intro"] == INTRO
    assert everything["consultation"]["period"] == {"first": today, "last": today}
    assert [c["choices"] for c in everything["comments"]][:2] == [
        {"q1": "yes", "q2": "no", "q4": "2", "q5": "Sykkel"}, {"q1": "no", "q2": "unsure", "q4": "4", "q5": "Buss"}]
    page.goto(f"{base}/org/c/{slug}/brief.html")
    walk.look(page, "brief (HTML)")

    # 6. live: three phones and the projector at 1920x1080
    page.goto(f"{base}/org/c/{slug}/")
    page.click("#start-live")
    page.wait_for_selector("#live-code")
    code = page.inner_text("#live-code").strip()
    statements = page.locator("table.live-statements tbody tr").all_inner_texts()
    assert any(SCALE[0] in t for t in statements)  # the scale, and each option, as statements
    assert sum(CHOICE[0] in t for t in statements) == len(CHOICE[1])
    page.click("#start")
    page.wait_for_selector("#end")
    walk.look(page, "presenter")
    presenter_url = page.url
    projector = walk.watch(ctx.new_page())  # the organiser's own browser, on the projector's screen
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(presenter_url + "projector/")
    projector.wait_for_selector("#statement-text:has-text('sykkelveg')")
    assert projector.inner_text("#join-code") == code
    phones = []
    for n in range(3):
        pctx = browser.new_context(locale="nb-NO", **PHONE)
        phone = walk.watch(pctx.new_page())
        if n < 2:
            phone.goto(f"{base}/j/{code}/")  # the QR code's link
        else:  # "Har du en kode?" on the front page
            phone.goto(base + "/")
            walk.look(phone, "front page (phone)", phone=True)
            phone.fill("#home-code", code.lower())
            phone.click(".join-home button")
        phone.wait_for_selector("#vote-buttons button")
        assert phone.locator("#vote-buttons button").all_inner_texts() == ["Ja", "Nei", "Vet ikke"]
        walk.look(phone, f"live vote (phone {n + 1})", phone=True)
        phones.append((pctx, phone))
    expect(projector.locator("#participants")).to_have_text("3", timeout=5000)
    assert "deltakere nå" in projector.inner_text(".count")
    expect(page.locator("#p-count")).to_contain_text("3 deltakere nå", timeout=5000)
    for (_c, phone), vote in zip(phones, ("1", "1", "-1")):
        phone.click(f"button[data-vote='{vote}']")
        expect(phone.locator("#my-vote")).to_have_attribute("data-vote", vote, timeout=3000)
    page.click("#reveal")
    expect(projector.locator(".bar-agree .bar-count")).to_contain_text("2", timeout=4000)
    expect(projector.locator(".bar-disagree .bar-count")).to_contain_text("1", timeout=4000)
    size = projector.evaluate("({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight})")
    assert size["w"] <= 1920 and size["h"] <= 1080, size
    for sel in ("#statement-text", "#bars", "#join-code", "#participants"):
        box = projector.locator(sel).first.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= 1081, (sel, box)
    # three people are no opinion groups: no consensus headline, but what is missing
    assert projector.locator("#groups-wait").is_visible() and projector.locator("#consensus li").count() == 0
    walk.look(projector, "projector")
    phones[2][0].close()  # one phone leaves the room: "deltakere nå" follows within seconds
    expect(projector.locator("#participants")).to_have_text("2", timeout=10_000)
    # ending the session asks first
    page.click("#end")
    page.click("#end-confirm")
    expect(phones[0][1].locator("#statement-text")).to_contain_text("Takk", timeout=6000)
    for pctx, _phone in phones[:2]:
        pctx.close()

    # closing the consultation and publishing what was heard: listed on the front page with its results
    page.goto(f"{base}/org/c/{slug}/")
    page.click("button[name=state][value=closed]")
    page.wait_for_selector("button[name=state][value=open]")
    page.goto(f"{base}/org/c/{slug}/results/")
    page.click("button[name=publish][value='1'], form:has(input[name=publish][value='1']) button")
    page.wait_for_selector(f"a[href='/c/{slug}/results/']")
    visitor = walk.watch(browser.new_context(locale="nb-NO", **PHONE).new_page())
    visitor.goto(base + "/")
    closed = visitor.locator("li.closed-consultation", has_text=TITLE)
    closed.locator(f"a[href='/c/{slug}/results/']").first.click()
    visitor.wait_for_selector("h1")
    assert TITLE in visitor.content()
    walk.look(visitor, "public results (phone)", phone=True)
    visitor.context.close()

    assert not walk.english, walk.english
    assert not walk.wide, walk.wide
    assert not walk.errors, walk.errors
    ctx.close()

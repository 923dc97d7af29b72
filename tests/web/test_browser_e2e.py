"""End to end in Debian's chromium (Playwright) against ``innspill serve`` on loopback: an
organiser creates a consultation with the seed's four questions, three participants answer in
different ways, the organiser moderates, runs the analysis, corrects one stance and downloads
a brief that reflects the correction. Screenshots go to out/screenshots/."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import PASSWORD, QUESTIONS
from conftest import ROOT

SHOTS = ROOT / "out" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("web-e2e")
    env = {**os.environ, "INNSPILL_DATA": str(data), "INNSPILL_NO_EMBEDDINGS": "1", "INNSPILL_JOB_TIMEOUT": "60"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # the server gets its own SQLite file, not the test database
    cli = [sys.executable, "-m", "innspill.cli"]
    r = subprocess.run(cli + ["createadmin", "--username", "ola", "--password-stdin"], input=PASSWORD + "\n",
                       text=True, capture_output=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    port = _free_port()
    proc = subprocess.Popen(cli + ["serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("innspill serve stopped: " + proc.stdout.read())
            time.sleep(0.5)
    yield base
    proc.terminate()
    proc.wait(timeout=20)



def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _participant(browser, base, slug, fill, name, mobile=False):
    ctx = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844} if mobile else None)
    page = ctx.new_page()
    page.goto(f"{base}/c/{slug}/")
    for field, value in fill.items():
        page.fill(f"[name={field}]", value)
    page.check("[name=consent]")
    if name:
        _shot(page, name)
    page.click("button.primary")
    page.wait_for_selector("a.private-link")
    link = page.locator("a.private-link").get_attribute("href")
    ctx.close()
    return link


def test_consultation_end_to_end(server, browser):
    base = server
    ctx = browser.new_context(locale="en-GB", accept_downloads=True)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/login/")
    page.fill("[name=username]", "ola")
    page.fill("[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(base + "/org/")
    page.click("text=New consultation")
    page.fill("[name=title]", "Hvor går grensen i sosiale medier")
    page.fill("[name=intro]", "Jeg skal holde et foredrag og vil gjerne ha innspill fra dere.")
    page.select_option("[name=language]", "nb")
    for i, (text, kind) in enumerate(QUESTIONS):
        page.fill(f"[name=q-{i}-number]", str(i + 1))
        page.fill(f"[name=q-{i}-text]", text)
        page.select_option(f"[name=q-{i}-kind]", kind)
    _shot(page, "01-new-consultation")
    page.click("button.primary")
    page.wait_for_selector("text=Edit title, intro and questions")
    page.click("button[name=state][value=open]")
    page.wait_for_selector("button[name=state][value=closed]")
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    _shot(page, "02-overview")

    # three participants: per-question fields, one free comment, fields plus name and e-mail on a phone
    _participant(browser, base, slug, {"q1": "Nei. Det bør ikke enkeltpersoner gjøre på egen hånd.",
                                       "q2": "Ja, helt klart. Lojalitet kan forventes.", "name": "Per"},
                 "03-public-form")
    _participant(browser, base, slug, {"comment": "1. Det er greit hvis arbeidsgiveren vet om det.\n\n"
                                                  "2. Nei, det er å gå for langt.\n\n"
                                                  "3. Hold private profiler private."}, None)
    _participant(browser, base, slug, {"q3": "Bedriften må lage klare retningslinjer.",
                                       "q4": "Ja og nei. Det kommer an på rollen.", "name": "Kari",
                                       "email": "kari@example.org"}, "04-public-form-phone", mobile=True)

    page.goto(f"{base}/org/c/{slug}/moderate/")
    assert page.locator("article.mod").count() == 3
    _shot(page, "05-moderation")
    page.click("text=Choose all")
    page.select_option("[name=action]", "approve")
    page.click("fieldset.bulk button.primary")
    page.wait_for_selector("text=3 comments changed")

    public = ctx.new_page()
    public.goto(f"{base}/c/{slug}/")
    assert "kari@example.org" not in public.content() and "Lojalitet kan forventes" in public.content()
    public.close()

    page.goto(f"{base}/org/c/{slug}/")
    page.click("#run-analysis")
    page.wait_for_selector("#job-status[data-status=done]", timeout=120_000)
    page.click("text=Review the analysis")
    per = page.locator("article.review", has_text="enkeltpersoner")
    chip = per.locator(".answer").first.locator(".chip")
    assert chip.get_attribute("data-stance") == "against"
    _shot(page, "06-review")
    form = per.locator("form.stance-form").first
    form.locator("select").select_option("for")
    form.locator("button").click()
    page.wait_for_selector("text=Correction saved")
    per = page.locator("article.review", has_text="enkeltpersoner")
    assert per.locator(".answer").first.locator(".chip").get_attribute("data-stance") == "for"
    assert "corrected by ola" in per.inner_text()

    page.goto(f"{base}/org/c/{slug}/results/")
    _shot(page, "07-results")
    assert page.locator("#brief-html").count() == 1
    with page.expect_download() as dl:
        page.click("a[href$='brief.json?download=1']")
    brief = json.loads(open(dl.value.path(), encoding="utf-8").read())
    q1 = next(q for q in brief["questions"] if q["number"] == 1)
    assert q1["counts"]["for"] == 1 and q1["counts"]["against"] == 0  # Per's "Nei." corrected to for
    with page.expect_download() as dl:
        page.click("a[href$='brief.md?download=1']")
    assert dl.value.suggested_filename.endswith(".md")
    page.goto(f"{base}/org/c/{slug}/brief.html")
    assert page.locator("h1").count() == 1
    _shot(page, "08-brief")
    with page.expect_download() as dl:
        page.goto(f"{base}/org/c/{slug}/results/")
        page.click("a[href$='export/analysis.json']")
    data = json.loads(open(dl.value.path(), encoding="utf-8").read())
    a = next(x for x in data["answers"] if x["comment_id"] == "c1" and x["question_id"] == "q1")
    assert a["stance"] == "for" and a["provenance"]["corrected"]["by"] == "ola"
    assert errors == []
    ctx.close()

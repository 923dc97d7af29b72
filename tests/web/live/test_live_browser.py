"""Live debate in Debian's chromium (Playwright) against ``innspill serve``: a presenter starts a
session from a consultation, three participants on phones join by code and vote, the projector
shows the counts within 2 s without a reload, but only once the presenter shows the results; a
reload keeps a participant's vote, a changed vote is counted once, a phone that loses its
connection (offline, and the server closing the event stream every 5 s) reconnects and keeps its
identity and votes, and a server restart loses nothing. Screenshots go to out/screenshots/.
Waits use Playwright's locator assertions, not wait_for_function: the pages' Content-Security-Policy
forbids the eval that a predicate string needs."""

import time

import pytest
from playwright.sync_api import expect  # the test extra installs playwright; chromium is checked by the fixture

from ..conftest import PASSWORD
from ..liveserver import LiveServer
from conftest import ROOT

SHOTS = ROOT / "out" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = LiveServer(tmp_path_factory.mktemp("live-e2e") / "data", stream_seconds=5).start()
    yield s
    s.stop()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _bars(page) -> dict | None:
    """The counts a page shows as bars: {"agree": n, "disagree": n, "pass": n}, None when hidden."""
    if page.locator("#bars").is_hidden():
        return None
    out = {}
    for key in ("agree", "disagree", "pass"):
        out[key] = int(page.locator(f".bar-{key} .bar-count").inner_text().split()[0])
    return out


def _wait_bars(page, expected, timeout=2.0) -> float:
    """Seconds until ``page`` shows ``expected``; fails after ``timeout``."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if _bars(page) == expected:
            return time.monotonic() - t0
        page.wait_for_timeout(50)
    pytest.fail(f"after {timeout} s the page shows {_bars(page)}, not {expected}")


def _my_vote(page) -> str:
    return page.locator("#my-vote").get_attribute("data-vote")


def test_live_session_in_the_browser(server, browser):
    base = server.base
    errors = []
    org = browser.new_context(locale="nb-NO", viewport={"width": 1400, "height": 900})
    page = org.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/login/")
    page.fill("[name=username]", "ola")
    page.fill("[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(base + "/org/")
    page.goto(base + "/org/c/kantina/")
    page.click("#start-live")
    page.wait_for_selector("#live-code")
    code = page.inner_text("#live-code").strip()
    assert len(code) == 6
    texts = page.locator("table.live-statements tbody tr").all_inner_texts()
    assert len(texts) == 2 and "vegetardag" in texts[0] and "kaffen" in texts[1]  # the yes/no questions
    page.click("#start")
    page.wait_for_selector("#end")
    presenter_url = page.url
    _shot(page, "live-01-presenter")

    projector = org.new_page()
    projector.on("pageerror", lambda e: errors.append(str(e)))
    projector.goto(presenter_url + "projector/")
    projector.wait_for_selector("#statement-text:has-text('vegetardag')")
    assert projector.inner_text("#join-code") == code
    assert projector.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")

    people, phones = [], []
    for i in range(3):
        ctx = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
        p = ctx.new_page()
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(f"{base}/j/{code.lower()}")  # any case, no slash: the code still works
        p.wait_for_selector("#vote-buttons button")
        assert p.inner_text("#me-id") == f"p{i + 1}"
        people.append(ctx)
        phones.append(p)
    # a fourth phone whose browser has no EventSource: it polls state.json instead
    old = browser.new_context(locale="nb-NO", viewport={"width": 360, "height": 640})
    old.add_init_script("delete window.EventSource")
    polling = old.new_page()
    polling.on("pageerror", lambda e: errors.append(str(e)))
    polling.goto(f"{base}/j/{code}/")
    polling.wait_for_selector("#vote-buttons button")
    expect(projector.locator("#participants")).to_have_text("4", timeout=3000)
    assert phones[0].locator("#vote-buttons button").all_inner_texts() == ["Ja", "Nei", "Vet ikke"]
    phones[0].click("button[data-vote='1']")
    phones[1].click("button[data-vote='1']")
    phones[2].click("button[data-vote='-1']")
    for p, v in zip(phones, ("1", "1", "-1")):
        expect(p.locator('#my-vote')).to_have_attribute('data-vote', v, timeout=3000)
    _shot(phones[0], "live-02-phone-voted")

    # hidden until the presenter shows the results: the presenter sees the counts, nobody else
    polling.click("button[data-vote='0']")
    expect(polling.locator('#my-vote')).to_have_attribute('data-vote', '0', timeout=3000)
    expect(page.locator("[data-counts]").first).to_have_text("2 / 1 / 1 = 4", timeout=3000)
    projector.wait_for_timeout(1500)  # more than a recomputation interval
    assert _bars(projector) is None and _bars(phones[0]) is None
    assert "3 stemmer" not in projector.content() and "vises når innlederen" in projector.inner_text("#note")
    _shot(projector, "live-03-projector-hidden")
    page.click("#reveal")
    _wait_bars(projector, {"agree": 2, "disagree": 1, "pass": 1})
    _wait_bars(phones[2], {"agree": 2, "disagree": 1, "pass": 1})
    _wait_bars(polling, {"agree": 2, "disagree": 1, "pass": 1}, timeout=4.0)  # polled every 2 s

    # a changed vote is counted once, on the projector within 2 s without a reload
    t0 = time.monotonic()
    phones[2].click("button[data-vote='1']")
    _wait_bars(projector, {"agree": 3, "disagree": 0, "pass": 1})
    assert time.monotonic() - t0 < 2.0
    assert projector.inner_text("#total-votes") == "4 stemmer"
    _shot(projector, "live-04-projector-revealed")

    # a reload keeps the identity and the vote
    phones[0].reload()
    expect(phones[0].locator('#my-vote')).to_have_attribute('data-vote', '1', timeout=3000)
    assert phones[0].inner_text("#me-id") == "p1"
    assert phones[0].locator("button[data-vote='1']").get_attribute("aria-pressed") == "true"

    # a phone loses its connection, votes while offline, comes back: the vote is sent, nothing doubled
    people[1].set_offline(True)
    phones[1].wait_for_timeout(300)
    phones[1].click("button[data-vote='0']")
    phones[1].wait_for_selector("#conn:not([hidden])", timeout=3000)
    phones[1].wait_for_timeout(6000)  # longer than the server keeps a stream open
    people[1].set_offline(False)
    phones[1].evaluate("window.dispatchEvent(new Event('online'))")
    _wait_bars(projector, {"agree": 2, "disagree": 0, "pass": 2}, timeout=6.0)
    expect(phones[1].locator('#my-vote')).to_have_attribute('data-vote', '0', timeout=3000)
    assert phones[1].inner_text("#me-id") == "p2"

    # the next statement reaches every phone, also the one that was offline (its stream reconnected)
    page.click("#next")
    for p in phones + [polling]:
        p.wait_for_selector("#statement-text:has-text('kaffen')", timeout=4000)
        assert _bars(p) is None  # not revealed yet
    assert phones[1].wait_for_selector("#conn", state="hidden", timeout=3000) is None
    phones[1].click("button[data-vote='-1']")
    expect(phones[1].locator('#my-vote')).to_have_attribute('data-vote', '-1', timeout=3000)

    # an idea from the floor, approved and upvoted once per participant, promoted to a statement
    phones[0].fill("#idea-text", "Kantina bør ha frukt gratis")
    phones[0].click("#idea-form button")
    phones[0].wait_for_selector("#idea-status:has-text('etter moderering')")
    page.goto(presenter_url)
    page.click("#ideas + ul button[value=approve]")
    page.wait_for_selector("#ideas + ul li:has-text('godkjent')")
    up = phones[2].locator("#idea-list button.upvote")
    up.wait_for(timeout=3000)
    up.click()
    phones[2].wait_for_selector("#idea-list button.upvote[aria-pressed=true]:has-text('Støttet (1)')", timeout=3000)
    up.click()  # a second click withdraws the upvote, a third gives it again
    phones[2].wait_for_selector("#idea-list button.upvote[aria-pressed=false]:has-text('Støtt (0)')", timeout=3000)
    up.click()
    phones[2].wait_for_selector("#idea-list button.upvote[aria-pressed=true]:has-text('Støttet (1)')", timeout=3000)
    page.click("#ideas + ul button[value=promote]")
    page.wait_for_selector("table.live-statements tr:has-text('Kantina bør ha frukt gratis')")
    _shot(page, "live-05-presenter-idea")

    # the server restarts mid-session: nothing recorded is lost, the pages reconnect by themselves
    server.restart()
    phones[0].reload()
    phones[0].wait_for_selector("#statement-text:has-text('kaffen')", timeout=5000)
    assert phones[0].inner_text("#me-id") == "p1"
    page.goto(presenter_url)
    assert page.locator("[data-counts]").first.inner_text().strip() == "2 / 0 / 2 = 4"
    assert page.locator("[data-counts]").nth(1).inner_text().strip() == "0 / 1 / 0 = 1"
    page.click("#previous")
    _wait_bars(projector, {"agree": 2, "disagree": 0, "pass": 2}, timeout=6.0)  # reconnected without a reload
    expect(projector.locator("#participants")).to_have_text("4", timeout=6000)  # every phone connected again
    _shot(phones[1], "live-06-phone-after-restart")
    assert errors == []
    for ctx in people + [old]:
        ctx.close()
    org.close()

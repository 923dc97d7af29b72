"""Issue 20 in chromium against ``innspill serve``: the error summary takes focus (new
consultation and a failed public submit), "No." is filled in and question rows are added and
removed by app.js, and one-click and keyboard moderation change a comment without a reload."""

from .conftest import PASSWORD
from .test_browser_e2e import server  # noqa: F401  (the module's server fixture)


def _login(browser, base):
    ctx = browser.new_context(locale="nb-NO")
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/login/")
    page.fill("[name=username]", "ola")
    page.fill("[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(base + "/org/")
    return ctx, page, errors


def _focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_forms_and_one_click_moderation(server, browser):  # noqa: F811
    base = server
    ctx, page, errors = _login(browser, base)
    page.goto(base + "/org/new/")
    page.click("button.primary")  # nothing filled in: the summary at the top takes focus
    page.wait_for_selector("#error-summary")
    assert _focused(page) == "error-summary"
    assert page.get_attribute("#id_title", "aria-describedby") == "id_title-error"
    page.fill("[name=title]", "Fartsgrense i Storgata")
    page.fill("[name=q-0-text]", "Er 30 km/t riktig?")
    page.fill("[name=q-1-text]", "Denne raden fjernes.")
    page.locator("[data-row]").nth(1).locator("[data-remove-row]").click()
    page.click("[data-add-row=q]")
    page.fill("[name=q-4-text]", "Hva bør gjøres med parkeringen?")
    page.select_option("[name=q-4-kind]", "open")
    page.click("button.primary")
    page.wait_for_selector("button[name=state][value=open]")
    text = page.content()
    assert "Er 30 km/t riktig?" in text and "Hva bør gjøres med parkeringen?" in text
    assert "Denne raden fjernes." not in text
    page.click("button[name=state][value=open]")
    page.wait_for_selector("button[name=state][value=closed]")
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]

    anon = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844}).new_page()
    anon.goto(f"{base}/c/{slug}/")
    anon.fill("[name=q1]", "Nei, 40 km/t holder.")
    anon.click("button.primary")  # no consent: refused, the summary is focused and in view
    anon.wait_for_selector("#error-summary")
    assert _focused(anon) == "error-summary"
    box = anon.locator("#error-summary").bounding_box()
    assert -5 < box["y"] < 844 and box["height"] > 0
    for q1 in ("Nei, 40 km/t holder.", "Ja, 30 km/t er tryggere.", "Kjøp billige klokker her"):
        anon.goto(f"{base}/c/{slug}/")
        anon.fill("[name=q1]", q1)
        anon.check("[name=consent]")
        anon.click("button.primary")
        anon.wait_for_selector("a.private-link")

    page.goto(f"{base}/org/c/{slug}/moderate/")
    cards = page.locator("article.mod")
    assert cards.count() == 3
    assert "Er 30 km/t riktig?" in cards.first.inner_text()  # the answer under its question
    page.evaluate("window.__noReload = 1")
    cards.nth(0).locator("button[data-decide=approve]").click()
    page.wait_for_selector("article.mod >> nth=0 >> .state[data-state=approved]")
    assert _focused(page) == cards.nth(1).get_attribute("id")  # on to the next comment
    page.keyboard.press("a")
    page.wait_for_selector("article.mod >> nth=1 >> .state[data-state=approved]")
    page.keyboard.press("s")
    page.wait_for_selector("article.mod >> nth=2 >> .state[data-state=spam]")
    page.keyboard.press("k")
    assert _focused(page) == cards.nth(1).get_attribute("id")
    assert page.evaluate("window.__noReload") == 1
    page.goto(f"{base}/org/c/{slug}/moderate/log/")
    assert page.locator("table.log a[href*='comment=']").count() == 3
    assert not errors
    ctx.close()

"""Open the HTML brief in Debian's chromium (Playwright): no console errors, no network, charts visible."""


import pytest

from conftest import ROOT


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_brief_opens_offline_without_errors(browser, seed_brief_html, lang):
    path = seed_brief_html(lang)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 50
        assert chart.get_attribute("role") == "img"
        assert chart.locator("title").first.text_content().strip()
    assert page.locator("h1").count() == 1 and page.locator("h2").count() >= 6
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / f"brief-seed-{lang}.png"), full_page=True)
    page.close()

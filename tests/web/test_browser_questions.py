"""Issue 20 in chromium against ``innspill serve``: questions reordered with ↑ (app.js, numbers
follow), a yes/no question answered with the keyboard on its Ja / Nei / Vet ikke buttons, and in the
review a passage selected in a comment moved to another question ("Flytt til spørsmål 3")."""

from .test_browser_e2e import server  # noqa: F401  (the module's server fixture)
from .test_browser_first_hour import _login

SELECT = """([article, passage]) => {
  const root = article.querySelector('[data-text]');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node, at = 0, start = null, end = null;
  const full = [];
  while ((node = walker.nextNode())) {
    if (node.parentNode.closest('sup')) continue;
    full.push([node, at]);
    at += node.nodeValue.length;
  }
  const text = full.map(([n]) => n.nodeValue).join('');
  const s = text.indexOf(passage), e = s + passage.length;
  for (const [n, off] of full) {
    if (start === null && s < off + n.nodeValue.length) start = [n, s - off];
    if (end === null && e <= off + n.nodeValue.length) end = [n, e - off];
  }
  const range = document.createRange();
  range.setStart(start[0], start[1]);
  range.setEnd(end[0], end[1]);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  document.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
  return s;
}"""


def test_reorder_buttons_and_select_to_move(server, browser):  # noqa: F811
    base = server
    ctx, page, errors = _login(browser, base)
    page.goto(base + "/org/new/")
    page.fill("[name=title]", "Storgata")
    page.fill("[name=q-0-text]", "Er 30 km/t riktig fartsgrense?")
    page.fill("[name=q-1-text]", "Hva bør gjøres med parkeringen?")
    page.select_option("[name=q-1-kind]", "open")
    page.fill("[name=q-2-text]", "Bør Storgata stenges for biler?")
    # ↑ on the third row: it moves above the second, the numbers follow (blank ones filled in first)
    up = page.locator("[data-row]").nth(2).locator("[data-move-row=up]")
    up.click()
    rows = page.locator("[data-row]")
    assert rows.nth(1).locator("textarea[name$=-text]").input_value() == "Bør Storgata stenges for biler?"
    assert [rows.nth(i).locator("[name$=-number]").input_value() for i in range(3)] == ["1", "2", "3"]
    assert page.input_value("[name=q-2-number]") == "2" and page.input_value("[name=q-1-number]") == "3"
    assert page.evaluate("document.activeElement.getAttribute('data-move-row')") == "up"
    page.click("button.primary")
    page.wait_for_selector("button[name=state][value=open]")
    page.click("button[name=state][value=open]")
    page.wait_for_selector("button[name=state][value=closed]")
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]

    anon = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844}).new_page()
    anon.goto(f"{base}/c/{slug}/")
    assert anon.locator("fieldset.choice").count() == 2  # the two yes/no questions
    assert anon.locator("label[for=id_q1_choice_2]").inner_text() == "Vet ikke"
    anon.focus("#id_q1_choice_0")
    anon.keyboard.press("ArrowRight")  # the radio group: the arrow key chooses "Nei"
    assert anon.is_checked("#id_q1_choice_1")
    checked = anon.evaluate("getComputedStyle(document.querySelector('label[for=id_q1_choice_1]')).color")
    plain = anon.evaluate("getComputedStyle(document.querySelector('label[for=id_q1_choice_0]')).color")
    assert checked != plain  # the chosen button looks chosen
    anon.fill("[name=q1]", "40 km/t holder.")
    anon.click("label[for=id_q2_choice_0]")
    assert anon.is_checked("#id_q2_choice_0")
    anon.check("[name=consent]")
    anon.click("button.primary")
    anon.wait_for_selector("a.private-link")
    anon.goto(f"{base}/c/{slug}/")
    anon.fill("[name=comment]", "1. Nei, 40 km/t holder. Parkeringen bør flyttes til sidegatene.")
    anon.check("[name=consent]")
    anon.click("button.primary")
    anon.wait_for_selector("a.private-link")

    page.goto(f"{base}/org/c/{slug}/moderate/")
    page.click("[data-check-all=ids]")
    page.select_option("[name=action]", "approve")
    page.click("fieldset.bulk button.primary")
    page.wait_for_selector(".messages")
    page.goto(f"{base}/org/c/{slug}/")
    page.click("#run-analysis")
    page.wait_for_selector("#job-status[data-status=done]", timeout=120_000)
    page.goto(f"{base}/org/c/{slug}/review/")
    first = page.locator("article.review", has_text="40 km/t holder.", has_not_text="sidegatene")
    assert first.locator(".answer[data-q='1'] .chip").get_attribute("data-stance") == "against"
    assert first.locator(".answer[data-q='2'] .chip").get_attribute("data-stance") == "for"
    other = page.locator("article.review", has_text="sidegatene")
    tools = other.locator("[data-select-tools]")
    assert tools.is_visible()
    passage = "Parkeringen bør flyttes til sidegatene."
    start = page.evaluate(SELECT, [other.element_handle(), passage])
    assert start > 0
    other.locator("[data-move-to='3']").click()
    page.wait_for_selector("text=Rettelsen er lagret.")
    other = page.locator("article.review", has_text="sidegatene")
    moved = other.locator(".answer[data-q='3']")
    assert moved.count() == 1
    assert int(moved.get_attribute("data-start")) == start
    assert int(moved.get_attribute("data-end")) == start + len(passage)
    assert other.locator("mark.q3").inner_text().startswith(passage)
    q1 = other.locator(".answer[data-q='1']")
    assert int(q1.get_attribute("data-end")) <= start
    assert not errors, errors
    ctx.close()

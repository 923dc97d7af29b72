"""Issue 20: forms say what is wrong — each error next to its field (aria-describedby) and in a
summary at the top that takes focus; a blank "No." is numbered; question rows can be added."""

import re

import pytest

from innspill.web.consultations.models import Consultation

pytestmark = pytest.mark.django_db


def _new_data(rows):
    data = {"title": "Sykkelveg", "intro": "Hva mener du?", "language": "nb", "closes_at": "",
            "q-TOTAL_FORMS": str(len(rows)), "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0",
            "q-MAX_NUM_FORMS": "1000"}
    for i, (number, text, kind) in enumerate(rows):
        data.update({f"q-{i}-number": number, f"q-{i}-text": text, f"q-{i}-kind": kind})
    return data


def test_blank_number_is_filled_in(organiser, client_for):
    c = client_for(organiser)
    rows = [("", "Er fartsgrensen riktig?", "yesno"), ("", "Hva bør gjøres?", "open"), ("", "", "yesno"),
            ("5", "Skal parkering fjernes?", "yesno"), ("", "Noe mer?", "open")]
    r = c.post("/org/new/", _new_data(rows))
    assert r.status_code == 302, r.content.decode()[:2000]
    cons = Consultation.objects.get()
    assert [(q.number, q.text) for q in cons.questions.all()] == [
        (1, "Er fartsgrensen riktig?"), (2, "Hva bør gjøres?"), (5, "Skal parkering fjernes?"), (6, "Noe mer?")]


def test_more_rows_than_the_page_showed_are_saved(organiser, client_for):
    """The "add a question" button raises TOTAL_FORMS; the server takes every row it is sent."""
    c = client_for(organiser)
    rows = [("", f"Spørsmål {i}?", "open") for i in range(1, 8)]
    assert c.post("/org/new/", _new_data(rows)).status_code == 302
    assert Consultation.objects.get().questions.count() == 7


def test_new_form_has_add_button_template_and_no_inline_script(organiser, client_for):
    page = client_for(organiser).get("/org/new/").content.decode()
    assert 'data-add-row="q"' in page and '<template id="q-empty-row">' in page and "q-__prefix__-text" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and " onclick=" not in page


def test_errors_are_next_to_their_field_and_in_a_focused_summary(organiser, client_for):
    c = client_for(organiser, HTTP_ACCEPT_LANGUAGE="nb")
    rows = [("0", "Er fartsgrensen riktig?", "yesno"), ("3", "", "yesno")]
    data = _new_data(rows)
    data["title"] = ""
    r = c.post("/org/new/", data)
    page = r.content.decode()
    assert r.status_code == 200 and Consultation.objects.count() == 0
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary and 'role="alert"' in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    assert 'href="#id_title"' in summary.group(1) and 'href="#id_q-0-number"' in summary.group(1)
    assert 'href="#id_q-1-text"' in summary.group(1)
    assert page.index('<main') < page.index("error-summary") < page.index('<form method="post" novalidate')
    title = re.search(r"<input[^>]*id=\"id_title\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in title and 'aria-describedby="id_title-error"' in title
    assert 'id="id_title-error"' in page
    number = re.search(r"<input[^>]*id=\"id_q-0-number\"[^>]*>", page).group(0)
    assert 'aria-describedby="id_q-0-number-error"' in number and 'id="id_q-0-number-error"' in page


def test_failed_public_submit_shows_the_summary_at_the_top(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    r = anon.post(f"/c/{cons.slug}/", {"q1": "Nei."})
    page = r.content.decode()
    assert r.status_code == 400
    main = page.index('<main id="main">')
    summary = page.index('class="error-summary"')
    assert main < summary < page.index('<article class="post">')
    assert 'href="#id_consent"' in page and "data-error-summary" in page
    consent = re.search(r"<input[^>]*id=\"id_consent\"[^>]*>", page).group(0)
    assert 'aria-describedby="id_consent-error"' in consent
    empty = anon.post(f"/c/{cons.slug}/", {"consent": "on"}).content.decode()
    assert 'class="error-summary"' in empty and "Svar på minst ett spørsmål" in empty

"""Issue 20, questions and answering: yes/no questions answered with buttons (Ja / Nei / Vet ikke)
and an optional "why" box, the button read by the analysis as the participant's explicit answer;
questions reordered on the consultation form; the participant's page and the brief's CSV show no
for/against column for open questions."""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from innspill.web.analysis import jobs
from innspill.web.analysis.models import Correction
from innspill.web.consultations.models import Comment

from ..conftest import answer

pytestmark = pytest.mark.django_db


def _approve_and_analyse(cons):
    Comment.objects.filter(consultation=cons).update(state=Comment.APPROVED)
    jobs.enqueue(cons)
    jobs.run_one()
    return cons.runs.order_by("-id").first()


def test_yes_no_question_shows_buttons_and_why_box(make_consultation, client_for):
    cons = make_consultation()
    html = client_for(HTTP_ACCEPT_LANGUAGE="nb").get(f"/c/{cons.slug}/").content.decode()
    # question 1 (yes/no): three radio inputs in a fieldset whose legend is the question, each with a label
    block = html[html.index('id="id_q1_choice-legend"') - 200:html.index('id="id_q1"')]
    assert '<fieldset class="field choice' in block and "1. Er det greit" in block
    radios = re.findall(r'<input type="radio" name="q1_choice" value="(\w+)"[^>]*id="(id_q1_choice_\d)"', block)
    assert [v for v, _ in radios] == ["yes", "no", "unsure"]
    labels = [re.search(rf'<label for="{i}">([^<]+)</label>', block).group(1) for _, i in radios]
    assert labels == ["Ja", "Nei", "Vet ikke"]
    assert '<label for="id_q1">Hvorfor? (valgfritt)</label>' in html
    assert re.search(r'<textarea name="q1"[^>]*aria-describedby="id_q1_choice-legend"', html)  # which question
    # question 3 (open): a text box only, labelled with the question
    assert 'name="q3_choice"' not in html and '<label for="id_q3">3. Hvilke retningslinjer' in html
    en = client_for(HTTP_ACCEPT_LANGUAGE="en").get(f"/c/{cons.slug}/").content.decode()
    assert ">Yes</label>" in en and ">No</label>" in en and ">Don&#x27;t know</label>" in en and "Why? (optional)" in en


def test_button_answer_is_stored_and_read_as_the_explicit_answer(make_consultation, client_for):
    cons = make_consultation(language="nb")
    anon = client_for()
    # "Ja" with a why that the words alone would read otherwise; "Nei" alone; "Vet ikke" with a reason
    r = answer(anon, cons.slug, q1_choice="yes", q1="Men bare hvis ledelsen vet om det, ellers nei.",
               q2_choice="no", q4_choice="unsure", q4="Vanskelig å si.")
    assert r.status_code == 302
    c = Comment.objects.get()
    assert c.choices == {"q1": "yes", "q2": "no", "q4": "unsure"}
    assert c.text == "Ja. Men bare hvis ledelsen vet om det, ellers nei.\n\nNei.\n\nVet ikke. Vanskelig å si."
    s, e = c.fields["q2"]
    assert c.text[s:e] == "Nei."
    # a button alone is an answer (no text needed)
    r = answer(anon, cons.slug, q1_choice="no")
    assert r.status_code == 302
    assert Comment.objects.order_by("-id").first().text == "Nei."
    # an open question has no buttons: a posted choice for it is ignored
    answer(anon, cons.slug, q3_choice="yes", q3="Klare regler for bruk av logo.")
    last = Comment.objects.order_by("-id").first()
    assert last.choices is None and last.text == "Klare regler for bruk av logo."
    run = _approve_and_analyse(cons)
    cmap = {v: k for k, v in run.comment_map.items()}
    first = [a for a in run.analysis["answers"] if a["comment_id"] == cmap[c.pk]]
    by_q = {a["question_id"]: a for a in first}
    assert by_q["q1"]["stance"] == "for" and by_q["q1"]["confidence"] == 1.0
    assert by_q["q1"]["provenance"]["stance_rule"] == "button" and by_q["q1"]["evidence"] == "Ja."
    assert by_q["q2"]["stance"] == "against" and by_q["q4"]["stance"] == "none"
    assert by_q["q4"]["evidence"] == "Vet ikke."
    text = next(x["text"] for x in run.analysis["comments"] if x["id"] == cmap[c.pk])
    a = by_q["q1"]
    assert text[a["provenance"]["evidence_start"]:a["provenance"]["evidence_start"] + 3] == "Ja."
    # the brief counts the buttons: question 2 has one "against" from the button
    q2 = next(q for q in run.analysis["questions"] if q["id"] == "q2")
    assert q2["kind"] == "yesno"


def test_english_consultation_stores_english_words(make_consultation, client_for):
    cons = make_consultation(language="en")
    answer(client_for(), cons.slug, q1_choice="unsure", q1="Depends.")
    assert Comment.objects.get().text == "Don't know. Depends."


def test_private_page_keeps_the_button_and_the_why(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    answer(anon, cons.slug, q1_choice="no", q1="For mye arbeid.")
    link = anon.session["innspill_last_link"].split("testserver", 1)[-1]
    c = Comment.objects.get()
    html = anon.get(link).content.decode()
    assert re.search(r'<input type="radio" name="q1_choice" value="no"[^>]*checked', html)
    assert re.search(r'id="id_q1">\s*For mye arbeid\.</textarea>', html)
    # changing to "Ja" without a why
    r = anon.post(link, {"consent": "on", "q1_choice": "yes", "q1": ""})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.text == "Ja." and c.choices == {"q1": "yes"} and c.state == Comment.PENDING


def _open_question_analysed(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    answer(anon, cons.slug, q1_choice="yes", q3="Ansatte bør ikke bruke bedriftens logo på private profiler.")
    link = anon.session["innspill_last_link"].split("testserver", 1)[-1]
    answer(client_for(), cons.slug, q3="Tydelige regler for hva som kan deles, og opplæring for alle ansatte.")
    answer(client_for(), cons.slug, q3="Vi trenger ingen egne retningslinjer for dette.")
    _approve_and_analyse(cons)
    return cons, anon, link


def test_private_page_shows_no_stance_for_an_open_question(make_consultation, client_for):
    cons, anon, link = _open_question_analysed(make_consultation, client_for)
    html = anon.get(link).content.decode()
    table = html[html.index('<table class="reading">'):html.index("</table>")]
    assert "Slik leste vi det" in table and "Standpunkt" not in table
    rows = re.findall(r"<tr><td>(\d)\. .*?</td><td>(.*?)</td>", table, re.S)
    cells = dict(rows)
    assert cells["1"].startswith("for")  # the yes/no question: its stance
    open_cell = cells["3"]  # the open question: what the answer did, never for / mot
    assert open_cell.split("<")[0].strip() in ("foreslo noe", "foreslo noe, med vilkår", "avviste premisset",
                                                "uten forslag"), open_cell
    assert not re.match(r"\s*(for|mot|blandet)\b", open_cell)
    en = client_for(HTTP_ACCEPT_LANGUAGE="en")
    en.cookies.load({"django_language": "en"})
    html = en.get(link).content.decode()
    assert "How we read it" in html and re.search(r"<td>(proposed|rejected the premise|no proposal)", html)


def test_brief_csv_has_no_stance_for_an_open_question(make_consultation, client_for):
    cons, _anon, _link = _open_question_analysed(make_consultation, client_for)
    org = client_for(cons.created_by)
    text = org.get(f"/org/c/{cons.slug}/brief.csv?lang=nb").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "proposal" in rows[0]
    q3 = [r for r in rows if r["question"] == "3"]
    q1 = [r for r in rows if r["question"] == "1"]
    assert len(q3) == 3 and all(r["stance"] == "" for r in q3)
    assert {r["proposal"] for r in q3} <= {"proposed", "proposed-with-conditions", "rejects-premise", "no-proposal"}
    assert all(r["proposal"] for r in q3)
    assert q1 and all(r["stance"] == "for" and r["proposal"] == "" for r in q1)


def _review_fixture(make_consultation, client_for):
    cons = make_consultation()
    # comments the review must number by their database id, as moderation does: make the ids differ
    # from their positions by storing (and deleting) a few first
    for _ in range(3):
        Comment.objects.create(consultation=cons, text="x").delete()
    anon = client_for()
    answer(anon, cons.slug, comment="1. Ja, det er greit når ledelsen vet om det. Retningslinjer trengs også.")
    answer(anon, cons.slug, q1="Nei. Det bør ikke enkeltpersoner gjøre.")
    _approve_and_analyse(cons)
    return cons, client_for(cons.created_by)


def test_review_numbers_comments_as_moderation_does(make_consultation, client_for):
    cons, org = _review_fixture(make_consultation, client_for)
    pks = list(Comment.objects.filter(consultation=cons).order_by("id").values_list("pk", flat=True))
    assert pks[0] > 1
    review = org.get(f"/org/c/{cons.slug}/review/?show=all").content.decode()
    moderation = org.get(f"/org/c/{cons.slug}/moderate/?show=all").content.decode()
    for pk in pks:
        assert f"<strong>#{pk}</strong>" in review and f'id="c{pk}"' in review
        assert f"#{pk} " in moderation
    assert "<strong>#1</strong>" not in review
    # "duplicate of" takes the number the review shows
    first, second = Comment.objects.filter(consultation=cons).order_by("id")
    org.post(f"/org/c/{cons.slug}/review/{second.pk}/correct/", {"kind": "flags", "duplicate_of": str(first.pk)})
    review = org.get(f"/org/c/{cons.slug}/review/?show=all").content.decode()
    assert f'av <a href="#c{first.pk}">#{first.pk}</a>' in review or f'of <a href="#c{first.pk}">#{first.pk}</a>' in review


def _answers_of(org, cons, pk):
    data = json.loads(org.get(f"/org/c/{cons.slug}/export/analysis.json").content)
    run = cons.runs.order_by("-id").first()
    cid = next(k for k, v in run.comment_map.items() if int(v) == pk)
    text = next(x["text"] for x in data["comments"] if x["id"] == cid)
    return text, {a["question_id"]: a for a in data["answers"] if a["comment_id"] == cid}


def test_move_a_selected_passage_and_split_at_a_place(make_consultation, client_for):
    cons, org = _review_fixture(make_consultation, client_for)
    first = Comment.objects.filter(consultation=cons).order_by("id").first()
    text, answers = _answers_of(org, cons, first.pk)
    a1 = answers["q1"]
    passage = "Retningslinjer trengs også."
    s = text.index(passage)
    html = org.get(f"/org/c/{cons.slug}/review/").content.decode()
    assert "data-select-tools" in html and "Flytt til spørsmål 3" in html and "Del her" in html
    assert f'data-start="{a1["start"]}"' in html
    # the selection moved: question 3 gets the passage, question 1 keeps the rest
    r = org.post(f"/org/c/{cons.slug}/review/{first.pk}/correct/",
                 {"kind": "move", "target": "3", "start": s - 1, "end": s + len(passage)})
    assert r.status_code == 302 and r["Location"].endswith(f"#c{first.pk}")
    text, answers = _answers_of(org, cons, first.pk)
    assert answers["q3"]["text"] == passage
    assert answers["q1"]["text"] == text[a1["start"]:s].strip() and passage not in answers["q1"]["text"]
    assert answers["q1"]["stance"] == a1["stance"]
    # split question 1's answer at "når": the rest goes to question 2
    at = text.index("når ledelsen")
    r = org.post(f"/org/c/{cons.slug}/review/{first.pk}/correct/", {"kind": "split", "target": "2", "start": at})
    text, answers = _answers_of(org, cons, first.pk)
    assert answers["q1"]["text"].endswith("greit") and answers["q2"]["text"].startswith("når ledelsen")
    # refused: an empty selection, a place outside any answer, an unknown question
    before = Correction.objects.count()
    org.post(f"/org/c/{cons.slug}/review/{first.pk}/correct/", {"kind": "move", "target": "3", "start": 5, "end": 5})
    org.post(f"/org/c/{cons.slug}/review/{first.pk}/correct/", {"kind": "split", "target": "3", "start": 0})
    org.post(f"/org/c/{cons.slug}/review/{first.pk}/correct/", {"kind": "move", "target": "9", "start": 0, "end": 4})
    assert Correction.objects.count() == before


class _FormValues(HTMLParser):
    """The values a browser would post from the page's first form with a csrf token (no JS)."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "radio"):
            self.values[name] = a.get("value") or ""
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.values[name] = a.get("value") or "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.values):
            self.values[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.lstrip("\n") if not self.values[self._textarea] else data


def form_values(html: str) -> dict:
    p = _FormValues()
    p.feed(html[:html.index("<template")] if "<template" in html else html)
    return p.values


def _texts_in_order(html: str) -> list[str]:
    html = html[:html.index("<template")]
    return [t.strip() for t in re.findall(r'name="q-\d+-text"[^>]*>(.*?)</textarea>', html, re.S) if t.strip()]


def test_reorder_questions_without_javascript(make_consultation, client_for):
    cons = make_consultation()
    anon = client_for()
    answer(anon, cons.slug, q1_choice="yes", q2="Nei, det går for langt.", q3="Klare regler.")
    org = client_for(cons.created_by, HTTP_ACCEPT_LANGUAGE="nb")
    url = f"/org/c/{cons.slug}/edit/"
    html = org.get(url).content.decode()
    assert 'name="move" value="q-1:up"' in html and 'aria-label="Flytt opp"' in html
    # the first submit button of the form saves (Enter in a field), not ↑
    form_html = html[html.index("<form method=\"post\" novalidate>"):]
    assert re.search(r"<button[^>]*>", form_html).group(0).startswith('<button type="submit" class="sr"')
    data = form_values(html)
    before = [q.text for q in cons.questions.order_by("number")]
    # ↓ on question 1, then ↑ on (what is now) question 4's row: the page comes back reordered, unsaved
    r = org.post(url, {**data, "move": "q-0:down"})
    assert r.status_code == 200 and "Rekkefølgen er endret" in r.content.decode()
    assert _texts_in_order(r.content.decode()) == [before[1], before[0], before[2], before[3]]
    data = form_values(r.content.decode())
    assert (data["q-0-number"], data["q-1-number"]) == ("2", "1")
    assert [q.text for q in cons.questions.order_by("number")] == before  # nothing saved yet
    r = org.post(url, {**data, "move": "q-3:up"})
    assert _texts_in_order(r.content.decode()) == [before[1], before[0], before[3], before[2]]
    data = form_values(r.content.decode())
    # saved: the numbers swap without breaking the unique No., and the answers follow their question
    r = org.post(url, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert [q.text for q in cons.questions.order_by("number")] == [before[1], before[0], before[3], before[2]]
    c = Comment.objects.get()
    q = {x.number: x for x in cons.questions.all()}
    fields = {int(k[1:]): c.text[s:e] for k, (s, e) in c.fields.items()}
    assert q[2].text == before[0] and fields[2] == "Ja." and c.choices == {"q2": "yes"}
    assert q[1].text == before[1] and fields[1] == "Nei, det går for langt."
    assert q[4].text == before[2] and fields[4] == "Klare regler."


def test_blank_numbers_are_filled_in_when_moving(make_consultation, client_for):
    from django.contrib.auth.models import User

    User.objects.create_superuser("boss", "", "x")
    org = client_for(User.objects.get(username="boss"), HTTP_ACCEPT_LANGUAGE="nb")
    data = {"title": "Ny", "intro": "", "language": "nb", "closes_at": "",
            "q-TOTAL_FORMS": "3", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "1000",
            "q-0-number": "", "q-0-text": "Første?", "q-0-kind": "yesno",
            "q-1-number": "", "q-1-text": "Andre?", "q-1-kind": "open",
            "q-2-number": "", "q-2-text": "", "q-2-kind": "yesno"}
    r = org.post("/org/new/", {**data, "move": "q-1:up"})
    html = r.content.decode()
    assert _texts_in_order(html) == ["Andre?", "Første?"]
    values = form_values(html)
    assert (values["q-0-number"], values["q-1-number"], values["q-2-number"]) == ("2", "1", "")
    r = org.post("/org/new/", values)
    assert r.status_code == 302
    from innspill.web.consultations.models import Consultation

    qs = Consultation.objects.get(title="Ny").questions.order_by("number")
    assert [(q.number, q.text, q.kind) for q in qs] == [(1, "Andre?", "open"), (2, "Første?", "yesno")]


def test_people_who_press_the_same_button_are_each_counted(make_consultation, client_for):
    cons = make_consultation()
    for _ in range(3):  # three people in a row, unsigned, each only pressing "Ja"
        answer(client_for(), cons.slug, q1_choice="yes")
    long = "Det er greit så lenge ledelsen vet om gruppene og noen har ansvar for det som legges ut der."
    for _ in range(2):  # a long text sent twice is still a copy
        answer(client_for(), cons.slug, q2=long)
    run = _approve_and_analyse(cons)
    status = [(c["status"], c.get("duplicate_of")) for c in run.analysis["comments"]]
    assert status[:3] == [("kept", None)] * 3
    assert status[3] == ("kept", None) and status[4] == ("duplicate", run.analysis["comments"][3]["id"])
    assert [a["stance"] for a in run.analysis["answers"] if a["question_id"] == "q1"] == ["for"] * 3
    assert all(c["author"] is None for c in run.analysis["comments"])


def test_review_names_an_open_questions_answers_by_what_they_did(make_consultation, client_for):
    cons, _anon, _link = _open_question_analysed(make_consultation, client_for)
    org = client_for(cons.created_by, HTTP_ACCEPT_LANGUAGE="nb")
    html = org.get(f"/org/c/{cons.slug}/review/").content.decode()
    chips = re.findall(r'<span class="qmark q(\d)">\d</span>\s*<span class="chip[^>]*>([^<]+)</span>', html)
    assert {n for n, _ in chips} == {"1", "3"}
    assert all(label in ("foreslo noe", "foreslo noe, med vilkår", "avviste premisset", "uten forslag")
               for n, label in chips if n == "3")
    assert all(label == "for" for n, label in chips if n == "1")


def test_answers_csv_numbers_comments_as_moderation_and_data_json_keeps_the_buttons(make_consultation, client_for):
    cons, org = _review_fixture(make_consultation, client_for)
    answer(client_for(), cons.slug, q1_choice="no")
    pks = set(Comment.objects.filter(consultation=cons, state=Comment.APPROVED).values_list("pk", flat=True))
    rows = list(csv.DictReader(io.StringIO(org.get(f"/org/c/{cons.slug}/export/answers.csv")
                                           .content.decode("utf-8-sig"))))
    assert rows and {int(r["comment"]) for r in rows} <= pks and min(pks) > 1
    data = json.loads(org.get(f"/org/c/{cons.slug}/export/data.json").content)
    assert [x["choices"] for x in data["comments"]][-1] == {"q1": "no"}


def test_a_deleted_questions_answer_never_becomes_a_new_questions(make_consultation, client_for):
    cons = make_consultation()
    answer(client_for(), cons.slug, q2="Nei, det går for langt.", q3="Klare regler.")
    org = client_for(cons.created_by, HTTP_ACCEPT_LANGUAGE="nb")
    url = f"/org/c/{cons.slug}/edit/"
    data = form_values(org.get(url).content.decode())
    data["q-1-DELETE"] = "on"  # question 2 goes, and a new question takes its number
    data["q-4-number"], data["q-4-text"], data["q-4-kind"] = "2", "Et nytt spørsmål?", "yesno"
    r = org.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    c = Comment.objects.get()
    assert set(c.fields) == {"deleted-q2", "q3"}
    html = org.get(f"/org/c/{cons.slug}/moderate/").content.decode()
    assert "Et nytt spørsmål?" not in html.split('class="comment mod"', 1)[1]  # not shown as its answer
    run = _approve_and_analyse(cons)
    assert [a["question_id"] for a in run.analysis["answers"]] == ["q3"]


def test_the_third_button_says_vet_ikke_and_older_answers_still_read(make_consultation, client_for):
    """The third button reads "Vet ikke" (issue 20's wording; "Don't know" in English), on the
    public form and the live vote; an answer stored before, starting "Usikker.", still shows its
    own "why" on the private page's form and reads as the button's stance."""
    from innspill.web.analysis.services import apply_choices
    from innspill.web.consultations.forms import split_choice

    cons = make_consultation(language="nb")
    html = client_for(HTTP_ACCEPT_LANGUAGE="nb").get(f"/c/{cons.slug}/").content.decode()
    assert '<label for="id_q1_choice_2">Vet ikke</label>' in html and "Usikker" not in html
    assert split_choice("Usikker. Vanskelig å si.", "unsure") == "Vanskelig å si."
    assert split_choice("Vet ikke. Vanskelig å si.", "unsure") == "Vanskelig å si."

    class A:
        comment_id, question_id, text, stance, confidence, evidence, start = "c1", "q1", "Usikker. Tja.", "for", .6, "", 0
        provenance: dict = {}
    a = A()
    assert apply_choices([a], {"c1": {"q1": "unsure"}}) == 1
    assert a.stance == "none" and a.evidence == "Usikker." and a.provenance["text_stance"] == "for"

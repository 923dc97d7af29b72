"""Issue 20: scale (1–5) and multiple-choice questions on the public form. The organiser gives a
multiple-choice question its options (a scale, optionally its words for 1 and 5); participants
press a button and may say why; the analysis counts the buttons per option (``questions[].form``,
``answers[].provenance.button``; a scale's upper half reads as for), the brief shows the counts
(HTML, Markdown, PPTX notes, JSON ``tally``), and the live debate offers them as statements."""

import io
import json
import re
import zipfile

import pytest

from innspill.report import render
from innspill.web.analysis import jobs
from innspill.web.consultations.models import Comment, Consultation, Question
from innspill.web.live import services as live

from ..conftest import answer
from ..test_nb_words import ENGLISH, visible

pytestmark = pytest.mark.django_db

KINDS = [("Bør Storgata få sykkelveg?", "yesno"), ("Hvor trygt er det å sykle i Storgata i dag?", "scale"),
         ("Hvordan kommer du deg til sentrum?", "choice"), ("Hva mer bør kommunen gjøre?", "open")]
OPTIONS = {1: ["Svært utrygt", "Svært trygt"], 2: ["Sykkel", "Buss", "Bil"]}


def _new_data(rows, options):
    data = {"title": "Sykkelveg", "intro": "Hva mener du?", "language": "nb", "closes_at": "",
            "q-TOTAL_FORMS": str(len(rows)), "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "1000"}
    for i, (text, kind) in enumerate(rows):
        data.update({f"q-{i}-number": "", f"q-{i}-text": text, f"q-{i}-kind": kind,
                     f"q-{i}-options": "\n".join(options.get(i, []))})
    return data


@pytest.fixture
def cons(organiser, client_for):
    r = client_for(organiser).post("/org/new/", _new_data(KINDS, OPTIONS))
    assert r.status_code == 302, r.content.decode()[:3000]
    c = Consultation.objects.get()
    Consultation.objects.filter(pk=c.pk).update(state="open")
    return c


def test_options_are_saved_and_checked(organiser, client_for, cons):
    qs = {q.number: q for q in cons.questions.all()}
    assert [(qs[n].kind, qs[n].options) for n in (1, 2, 3, 4)] == [
        ("yesno", None), ("scale", ["Svært utrygt", "Svært trygt"]), ("choice", ["Sykkel", "Buss", "Bil"]),
        ("open", None)]
    c = client_for(organiser, HTTP_ACCEPT_LANGUAGE="nb")
    edit = c.get(f"/org/c/{cons.slug}/edit/").content.decode()
    assert "Sykkel\nBuss\nBil</textarea>" in edit and "flervalg" in edit and "skala 1–5" in edit
    bad = [("Velg én?", "choice"), ("Hvor fornøyd?", "scale"), ("Velg to ganger?", "choice")]
    r = c.post("/org/new/", _new_data(bad, {0: ["Bare ett"], 1: ["lav", "middels", "høy"], 2: ["Buss", "buss"]}))
    page = r.content.decode()
    assert r.status_code == 200 and 'id="error-summary"' in page
    for message in ("Skriv minst to alternativer, ett per linje.", "En skala tar to ord (for 1 og for 5), eller ingen.",
                    "Hvert alternativ bare én gang."):
        assert message in page
    assert re.search(r'<textarea name="q-0-options"[^>]*aria-invalid="true"', page)
    assert Consultation.objects.count() == 1


def test_buttons_on_the_public_form_and_the_stored_answer(cons, client_for):
    anon = client_for(HTTP_ACCEPT_LANGUAGE="nb")
    html = anon.get(f"/c/{cons.slug}/").content.decode()
    assert re.findall(r'name="q2_choice" value="(\w+)"', html) == ["1", "2", "3", "4", "5"]
    assert "2. Hvor trygt er det å sykle i Storgata i dag? (1 = Svært utrygt, 5 = Svært trygt)" in html
    assert re.findall(r'name="q3_choice" value="([^"]+)"', html) == ["Sykkel", "Buss", "Bil"]
    assert 'class="field choice kind-scale' in html and 'class="field choice kind-choice' in html
    assert answer(anon, cons.slug, q2_choice="4", q2="Bedre enn før.", q3_choice="Buss").status_code == 302
    c = Comment.objects.get()
    assert c.choices == {"q2": "4", "q3": "Buss"}
    assert c.text == "4 av 5. Bedre enn før.\n\nBuss."
    # a value the buttons do not give is refused, next to the question
    r = answer(anon, cons.slug, q3_choice="Fly")
    assert r.status_code == 400 and Comment.objects.count() == 1
    assert 'id="error-summary"' in r.content.decode() and 'id="id_q3_choice-error"' in r.content.decode()
    # the private page shows the pressed buttons and the why without the button's words
    link = anon.session["innspill_last_link"].split("testserver", 1)[-1]
    mine = anon.get(link).content.decode()
    assert re.search(r'<input type="radio" name="q2_choice" value="4"[^>]*checked', mine)
    assert re.search(r'<input type="radio" name="q3_choice" value="Buss"[^>]*checked', mine)
    assert re.search(r'<textarea name="q2"[^>]*>\s*Bedre enn før.</textarea>', mine)


def _analysed(cons, client_for, answers):
    anon = client_for()
    for fields in answers:
        assert answer(anon, cons.slug, **fields).status_code == 302
    Comment.objects.filter(consultation=cons).update(state=Comment.APPROVED)
    jobs.enqueue(cons)
    job = jobs.run_one()
    assert job.status == "done", job.message
    return cons.runs.order_by("-id").first()


def test_buttons_analysed_as_cells_and_counted_in_the_brief(cons, client_for):
    run = _analysed(cons, client_for, [
        {"q1_choice": "yes", "q2_choice": "5", "q3_choice": "Sykkel", "q3": "Det går raskest."},
        {"q1_choice": "no", "q2_choice": "2", "q2": "Bilene kjører for fort.", "q3_choice": "Bil"},
        {"q2_choice": "4", "q3_choice": "Sykkel"},
        {"q4": "Flere sykkelstativer ved torget."}])
    data = run.analysis
    forms = {q["id"]: q.get("form") for q in data["questions"]}
    assert forms["q1"] is None and forms["q4"] is None
    assert forms["q2"] == {"kind": "scale", "options": ["1", "2", "3", "4", "5"], "ends": ["Svært utrygt", "Svært trygt"]}
    assert forms["q3"] == {"kind": "choice", "options": ["Sykkel", "Buss", "Bil"]}
    kinds = {q["id"]: q["kind"] for q in data["questions"]}
    assert kinds == {"q1": "yesno", "q2": "yesno", "q3": "open", "q4": "open"}  # the contract's kinds
    q2 = sorted((a["provenance"]["button"], a["stance"], a["how"], a["evidence"]) for a in data["answers"]
                if a["question_id"] == "q2")
    assert q2 == [("2", "against", "field", "2 av 5."), ("4", "for", "field", "4 av 5."), ("5", "for", "field", "5 av 5.")]
    q3 = sorted(a["provenance"]["button"] for a in data["answers"] if a["question_id"] == "q3")
    assert q3 == ["Bil", "Sykkel", "Sykkel"]
    assert all(a["provenance"].get("stance_rule") != "button" for a in data["answers"] if a["question_id"] == "q3")

    brief = json.loads(render(data, "json", "nb"))
    tally = {q["id"]: q.get("tally") for q in brief["questions"]}
    assert tally["q1"] is None and tally["q4"] is None
    assert tally["q2"]["counts"] == [0, 1, 0, 1, 1] and tally["q2"]["answered"] == 3 and tally["q2"]["mean"] == 3.67
    assert tally["q3"]["counts"] == [2, 0, 1] and tally["q3"]["options"] == ["Sykkel", "Buss", "Bil"]
    html = render(data, "html", "nb").decode()
    block = html[html.index('id="q3-tally"'):]
    block = block[:block.index("</table>")]
    assert "Hva folk valgte" in block and "<th scope=\"col\">Sykkel</th>" in block and "2 (67" in block
    assert "Hva folk valgte på skalaen fra 1 til 5 (1 = Svært utrygt, 5 = Svært trygt)" in html
    assert "Gjennomsnitt 3,67." in html and "3 valgte et svar." in html
    bad = [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", visible(html).lower())]
    assert not bad, bad
    md = render(data, "md", "nb").decode()
    assert "| Sykkel | Buss | Bil |" in md and "Gjennomsnitt 3,67." in md
    assert "What people chose on the scale from 1 to 5 (1 = Svært utrygt, 5 = Svært trygt)" in render(
        data, "html", "en").decode()
    with zipfile.ZipFile(io.BytesIO(render(data, "pptx", "nb"))) as z:
        slides = " ".join(z.read(n).decode() for n in z.namelist() if n.startswith("ppt/slides/slide"))
    assert "Hva folk valgte: Sykkel: 2 (67" in slides
    # a withdrawn answer leaves the counts: the tally is counted from the answers that remain
    from innspill.web.analysis.services import erase_from_runs

    first = Comment.objects.order_by("id").first()
    Comment.objects.filter(pk=first.pk).update(state=Comment.WITHDRAWN)
    first.refresh_from_db()
    erase_from_runs(first)
    run.refresh_from_db()
    brief = json.loads(render(run.analysis, "json", "nb"))
    assert next(q for q in brief["questions"] if q["id"] == "q3")["tally"]["counts"] == [1, 0, 1]


def test_live_statements_from_a_scale_and_the_options(cons):
    items = live.suggested_statements(cons)
    texts = [(s["kind"], s["text"]) for s in items if s["source"] == "question"]
    assert texts == [("question", "Bør Storgata få sykkelveg?"),
                     ("statement", "Hvor trygt er det å sykle i Storgata i dag?"),
                     ("statement", "Hvordan kommer du deg til sentrum? – Sykkel"),
                     ("statement", "Hvordan kommer du deg til sentrum? – Buss"),
                     ("statement", "Hvordan kommer du deg til sentrum? – Bil")]
    assert {s["question_number"] for s in items if "sentrum" in s["text"]} == {3}


def test_a_renamed_option_is_no_longer_counted(cons, client_for):
    """An answer whose option the organiser has since removed keeps its text but is no button."""
    run = _analysed(cons, client_for, [{"q3_choice": "Buss"}])
    assert [a["provenance"]["button"] for a in run.analysis["answers"] if a["question_id"] == "q3"] == ["Buss"]
    Question.objects.filter(consultation=cons, number=3).update(options=["Sykkel", "Trikk"])
    jobs.enqueue(cons)
    jobs.run_one()
    run = cons.runs.order_by("-id").first()
    assert all("button" not in a["provenance"] for a in run.analysis["answers"] if a["question_id"] == "q3")
    tally = next(q for q in json.loads(render(run.analysis, "json", "nb"))["questions"] if q["id"] == "q3")["tally"]
    assert tally["counts"] == [0, 0] and tally["answered"] == 0

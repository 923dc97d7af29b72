"""Explicit references (issue 18): the issue's examples, each a named test, and the generated battery."""

import pytest

from explicit_battery import QUESTIONS, battery, run_battery, threads
from innspill.contract import Comment
from innspill.explicit import ExplicitGrammar
from innspill.ingest.questions import make_questions
from innspill.segment import Segmenter
from innspill.stance import StanceFinder, assign_stances

NB = make_questions(list(enumerate(QUESTIONS["nb"], start=1)))
NN = make_questions(list(enumerate(QUESTIONS["nn"], start=1)))
EN = make_questions(list(enumerate(QUESTIONS["en"], start=1)))


def read(text, questions=NB, lang="nb"):
    """{question number: stance} for one comment, words only."""
    c = Comment(id="c1", position=1, original=text)
    answers = Segmenter(questions, lang, None).segment([c])
    assign_stances(answers, [c], questions, lang)
    number = {q.id: q.number for q in questions}
    return {number[a.question_id]: a.stance for a in answers}


def test_three_numbered_answers_inline():
    assert read("1: Ja takk. 2: Ja takk. 4: Ja takk.") == {1: "for", 2: "for", 4: "for"}


def test_number_dash_answer():
    assert read("4 - Ja.") == {4: "for"}


def test_number_then_answer_without_punctuation():
    assert read("2 Ja.") == {2: "for"}


def test_to_the_first():
    assert read("Til det første: Nei.") == {1: "against"}


def test_to_question_one_clearly_no():
    assert read("Til spørsmål 1: Klart nei.") == {1: "against"}


def test_paren_clearly_no():
    assert read("2) Klart nei.") == {2: "against"}


def test_hash_labels():
    assert read("#1 Nei. #2 Nei. #3 Klart nei. #4 Ja.") == {1: "against", 2: "against", 3: "against", 4: "for"}


def test_spm_labels_inline():
    assert read("Spm. 2: Klart nei. Spm. 3: Ja. Spm. 4: Klart nei.") == {2: "against", 3: "for", 4: "against"}


def test_dotted_numbers_inline_with_intensifiers():
    assert read("1. Helt klart ja. 2. Ja takk. 3. Ja. 4. Ja, absolutt.") == {1: "for", 2: "for", 3: "for", 4: "for"}


def test_out_of_order_two_answers():
    c = Comment(id="c1", position=1, original="5: Ja, dessverre. 1: Nei.")
    answers = {a.question_id: a.text for a in Segmenter(NB, "nb", None).segment([c])}
    assert answers == {"q5": "Ja, dessverre.", "q1": "Nei."}
    assert read("5: Ja, dessverre. 1: Nei.") == {5: "for", 1: "against"}


def test_yes_then_no_with_reason_nn():
    assert read("1: Ja. 2: Nei, klokkene har ikkje vore noko problem.", NN, "nn") == {1: "for", 2: "against"}


@pytest.mark.parametrize("text,lang,stance", [
    ("Klart nei.", "nb", "against"), ("Nei takk.", "nb", "against"), ("Ja takk.", "nb", "for"),
    ("Absolutt ikke.", "nb", "against"), ("Definitely not.", "en", "against"), ("No thanks.", "en", "against"),
    ("Helt klart ja.", "nb", "for"), ("Heilt klart nei.", "nn", "against"), ("Sjølvsagt ikkje.", "nn", "against"),
    ("Takk, men nei.", "nb", "against"), ("Sure, no problem.", "en", "for"), ("Clearly no.", "en", "against"),
])
def test_a_yes_or_no_word_wins_over_intensifier_and_courtesy(text, lang, stance):
    q = (EN if lang == "en" else NB)[0]
    assert StanceFinder(lang).judge(text, 0, len(text), q).stance == stance


@pytest.mark.parametrize("text,expected", [
    ("1–3: ja. 4 og 5: nei", {1: "for", 2: "for", 3: "for", 4: "against", 5: "against"}),
    ("Alle: ja", {n: "for" for n in range(1, 6)}),
    ("2: nei. Resten: ja", {1: "for", 2: "against", 3: "for", 4: "for", 5: "for"}),
    ("De to første: nei. Det siste: ja.", {1: "against", 2: "against", 5: "for"}),
    ("«Bør kantina servere fisk …» Nei. «Skal skolen innføre mobilforbud i friminuttene?» Ja.",
     {1: "against", 2: "for"}),
    ("Svar på 2: nei. Til 3: ja", {2: "against", 3: "for"}),
    ("1 ja 2 nei 3 ja 4 nei. 5 vet ikke", {1: "for", 2: "against", 3: "for", 4: "against", 5: "none"}),
    ("Hei! Her er svarene mine:\n1: Ja\n3: Nei\n\nHilsen Kari", {1: "for", 3: "against"}),
])
def test_group_and_quoted_labels(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text", [
    "7. mai 2026 kl. 11:01 var jeg der.",  # a date, not answer 7 (nor 5)
    "Til alle: husk møtet i kveld.",  # a greeting, not "all questions"
    "Vi har 2 barn på skolen og 3 i barnehagen.",
    "Det første spørsmålet er vanskelig å svare på.",  # a reference without an answer: left to the other rules
])
def test_not_labels(text):
    assert ExplicitGrammar(NB, "nb").find(text) == []


def test_battery_is_large_and_mixed():
    cases = battery()
    assert len(cases) >= 3000
    assert len({c.text for c in cases}) == len(cases)
    assert {c.lang for c in cases} == {"nb", "nn", "en"}
    assert {c.layout for c in cases} == {"inline", "lines"}
    assert len({c.style for c in cases}) >= 13
    for group in threads(cases):
        assert len({c.lang for c in group}) == 1


def test_battery_reads_every_comment_right(tmp_path):
    cases, failures = run_battery(str(tmp_path))
    shown = "\n".join(failures[:30])
    assert not failures, f"{len(failures)} of {len(cases)} comments read wrong:\n{shown}"

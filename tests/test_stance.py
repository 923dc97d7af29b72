import pytest

from innspill.ingest.questions import make_questions
from innspill.stance import StanceFinder

Q_NB = make_questions([(1, "Er det greit at ansatte oppretter grupper på facebook i bedriftens navn?")])[0]
Q_EN = make_questions([(1, "Should the library open on Sundays?")])[0]


@pytest.mark.parametrize("text,stance,rule", [
    ("Nei.", "against", "opener-no"),
    ("Nei. Det bør være klare skiller.", "against", "opener-no"),
    ("Helt klart. Lojalitet er viktig.", "for", "opener-yes"),
    ("Ja og nei. Det kommer helt an på.", "mixed", "opener-mixed"),
    ("Det er greit hvis det skjer i samråd med arbeidsgiver.", "mixed", "opener-conditional"),
    ("Så lenge ledelsen er med på det, så synes jeg det er helt greit.", "mixed", "conditional"),
    ("Jeg mener det. Så lenge dette er på et profesjonelt nivå, bør ikke dette være noe problem.", "mixed", "opener-conditional"),
    ("Forfølgelse av ansatte er neppe veien å gå.", "against", "polarity"),
    ("Det er i utgangspunktet veldig lite greit.", "against", "polarity"),
    ("Det siste spørsmålet ditt har jeg dessverre ingen kommentar til.", "none", "decline"),
    ("Her har jeg ikke så mye å komme med.", "none", "decline"),
    ("Eg meiner det er heilt greitt.", "for", "opener-yes"),
    ("Jeg mener at ansatte ikke skal opprette Facebook-grupper.", "against", "polarity"),
])
def test_stance_nb(text, stance, rule):
    v = StanceFinder("nb").judge(text, 0, len(text), Q_NB)
    assert (v.stance, v.rule) == (stance, rule)
    assert text[v.span[0]:v.span[1]]
    assert 0 < v.confidence <= 1


@pytest.mark.parametrize("text,stance", [
    ("Absolutely.", "for"),
    ("No. Staff need a day off.", "against"),
    ("It depends on the cost.", "mixed"),
    ("Fine as long as it does not cost more.", "mixed"),
    ("No opinion on this one.", "none"),
    ("Opening on Sundays is not a good idea.", "against"),
    ("That would be a great idea for families.", "for"),
])
def test_stance_en(text, stance):
    assert StanceFinder("en").judge(text, 0, len(text), Q_EN).stance == stance


def test_negated_question_flips():
    q = make_questions([(1, "Er det ikke greit at ansatte lager grupper?")])[0]
    assert StanceFinder("nb").judge("Nei.", 0, 3, q).stance == "for"

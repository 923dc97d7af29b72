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
    # removed with its cue, fitted to one development text (docs/cues.md): ("Her har jeg ikke så mye å komme med.", "none", "decline"),
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


Q_KEEP = make_questions([(1, "Bør kommunen fortsette å subsidiere kantina?")])[0]
Q_SELL = make_questions([(1, "Bør overskuddsmat selges billig i stedet for å kastes?")])[0]
Q_CLOSE = make_questions([(1, "Should Main Street be closed to cars on Saturdays?")])[0]


@pytest.mark.parametrize("question,text,stance", [
    # direction: a judgement about the opposite of the proposal counts the other way
    (Q_KEEP, "Jeg mener subsidien bør fjernes.", "against"),
    (Q_KEEP, "Å kutte tilskuddet for å spare noen kroner er kortsiktig.", "for"),
    (Q_KEEP, "Subsidien bør ikke fjernes.", "for"),
    # words after "i stedet for" in the question are the opposite side
    (Q_SELL, "Bare ikke kast maten.", "for"),
    # an alternative proposal speaks against
    (Q_KEEP, "Bruk heller pengene på noe alle kan få glede av.", "against"),
    # a condition that restricts the proposal is the answer
    (Q_KEEP, "Subsidien bør bare videreføres hvis prisene ikke øker.", "mixed"),
    # a sentence opened by a negator turns the proposal around
    (Q_CLOSE, "No one should close the street in summer.", "against"),
    # a yes/no cue opening a later sentence, or after a colon
    (Q_CLOSE, "We did the math on our Saturday customers. So no, not in the summer.", "against"),
    (Q_CLOSE, "Closing it on Saturdays: yes, please.", "for"),
    # irony turns praise around
    (Q_CLOSE, "Oh great, another car-free street. Brilliant planning, as always.", "against"),
    # "No one …" opening a sentence is not the answer "No."
    (Q_CLOSE, "No one I know drives there on Saturdays anyway, it is fine.", "for"),
])
def test_stance_relative_to_the_proposal(question, text, stance):
    lang = "en" if question is Q_CLOSE else "nb"
    v = StanceFinder(lang).judge(text, 0, len(text), question)
    assert v.stance == stance, v
    assert text[v.span[0]:v.span[1]]


def test_comparison_is_not_an_alternative():
    q = make_questions([(1, "Kan vi ytre oss fritt i sosiale medier?")])[0]
    text = "Jeg tror det er viktig å våge å være personlig heller enn privat."
    assert StanceFinder("nb").judge(text, 0, len(text), q).stance != "against"


Q_OPEN = make_questions([(4, "Hvilke regler bør gjelde for å spise ved pulten?")])[0]
Q_OPEN_EN = make_questions([(4, "How should the town support the shops that lose business?")])[0]


@pytest.mark.parametrize("question,text,stance,rule", [
    (Q_OPEN, "Ingen lukt, og rydd etter deg. Det er dårlig gjort å la andre vaske.", "for", "open-proposal"),
    (Q_OPEN, "Vi trenger ikke flere regler. Vi er voksne folk.", "against", "open-rejects"),
    (Q_OPEN, "Ingenting. Folk skjønner det selv.", "against", "open-rejects"),
    (Q_OPEN, "Det siste spørsmålet har jeg ingen formening om.", "none", "decline"),
    # removed with its cue, fitted to one development text (docs/cues.md): (Q_OPEN_EN, "The town doesn't owe them anything; they knew the plan.", "against", "open-rejects"),
    (Q_OPEN_EN, "Free parking validation, as long as it ends when construction does.", "mixed", "open-conditional"),
    (Q_OPEN_EN, "Marketing help and a small grant for the worst hit.", "for", "open-proposal"),
])
def test_open_questions_are_judged_on_their_premise(question, text, stance, rule):
    lang = "en" if question is Q_OPEN_EN else "nb"
    v = StanceFinder(lang).judge(text, 0, len(text), question)
    assert (v.stance, v.rule) == (stance, rule)


Q_RENT = make_questions([(4, "Bør klubbhuset leies ut til private fester i helgene?")])[0]
Q_SELL_NN = make_questions([(2, "Bør kommunen selje lærarbustaden?")])[0]


@pytest.mark.parametrize("question,text,stance", [
    (Q_RENT, "Enig med naboen over. Ingen fester i klubbhuset.", "against"),  # agreeing with a person is no "yes"
    (Q_RENT, "«Bør klubbhuset leies ut til private fester?» Nei, det blir bare skader.", "against"),
    (Q_RENT, "Det står tomt nesten hver helg, ja takk.", "for"),
    (Q_SELL_NN, "Ikke selg lærerboligen!", "against"),  # a Bokmål answer to a Nynorsk question
])
def test_more_answer_shapes(question, text, stance):
    assert StanceFinder("nb").judge(text, 0, len(text), question).stance == stance


Q_MOVE_NN = make_questions([(1, "Er det greitt at legevakta flyttar til Storvik om natta?")])[0]
Q_BAN = make_questions([(1, "Should phones be banned during the whole school day?")])[0]


@pytest.mark.parametrize("question,lang,text,stance", [
    # refusals said as idioms (helse-nn, skjerm-en)
    (Q_MOVE_NN, "nn", "Over mitt lik.", "against"),
    (Q_MOVE_NN, "nn", "Kje tale om.", "against"),
    (Q_MOVE_NN, "nn", "Eg ser ikkje poenget med det.", "against"),
    (Q_BAN, "en", "over my dead body.", "against"),
    (Q_BAN, "en", "Phones banned at lunch as well? Not a chance.", "against"),
    (Q_BAN, "en", "Taking his phone off him at the gate isn't the answer.", "against"),
    # praise inside a criticism is no praise
    # removed with its cue, fitted to one development text (docs/cues.md): (Q_BAN, "en", "A full-day ban – who thought this was a good idea?", "against"),
    # a typographic apostrophe reads as a plain one
    # removed with its cue, fitted to one development text (docs/cues.md): (Q_BAN, "en", "So a full-day ban isn’t something I can support.", "against"),
    # staying put is the opposite of moving
    (Q_MOVE_NN, "nn", "Ho må bli verande i Lidvik.", "against"),
    # "if <the proposal>, <a consequence>": a warning
    (Q_MOVE_NN, "nb", "Hvis legevakta flytter til Storvik, kommer folk til å la være å ringe.", "against"),
    (Q_BAN, "en", "If you ban the phones at the gate, half of Year 9 will bring a second cheap phone.", "against"),
    # … but a good consequence is not a warning (the condition makes it a conditional answer)
    (Q_BAN, "en", "If phones are banned all day, the children will talk to each other, which is great.", "mixed"),
    # "…, but no." closes the sentence with the answer
    (Q_BAN, "en", "I get the argument about bullying, and I'm sure the lunch hall is grim, but no.", "against"),
    # an @name at the start is not the Norwegian "jo" (yes)
    (Q_BAN, "en", "@Jo Whitlock – respectfully, I think a full-day ban is the wrong way to go.", "against"),
    # "no idea where he is" is not a decline; "vet ikke helt hva jeg mener" is
    (Q_BAN, "en", "If he can't text me I've no idea where he is. A full-day ban is wrong.", "against"),
    (Q_MOVE_NN, "nb", "Vet ikke helt hva jeg mener.", "none"),
    # irony: "while we're at it"
    (Q_BAN, "en", "Yes, let's ban phones all day, and while we're at it bring back slates and chalk.", "against"),
])
def test_ways_of_saying_no(question, lang, text, stance):
    v = StanceFinder(lang).judge(text, 0, len(text), question)
    assert v.stance == stance, v
    assert text[v.span[0]:v.span[1]]


Q_RENT = make_questions([(1, "Bør klubbhuset leies ut til private fester?")])[0]
Q_MERGE_NN = make_questions([(1, "Bør legekontora i Lidvik og Nesbø slåast saman?")])[0]


@pytest.mark.parametrize("question,lang,text,stance", [
    # an imperative of the question's own verb on a pronoun speaks for it …
    (Q_RENT, "nb", "Klubbhuset står tomt hver helg. Lei det ut!", "for"),
    (Q_BAN, "en", "Ban them, all day.", "for"),
    # … negated, or of the opposite verb, against
    (Q_BAN, "en", "Don't ban them.", "against"),
    (Q_MERGE_NN, "nn", "Behald dei begge.", "against"),
    # a noun opening a sentence is not an imperative
    (Q_RENT, "nb", "Klubbhuset det gjelder ligger ved banen.", "none"),
    # words of relief or acceptance
    (Q_MERGE_NN, "nn", "Endeleg!", "for"),
    (Q_MOVE_NN, "nb", "Nattlegevakt i Storvik kan jeg leve med, vi har jo ambulanse.", "for"),
    (Q_BAN, "en", "I am for the ban, also in the break.", "for"),
    # going back and forth is both sides
    (Q_BAN, "en", "Honestly I go back and forth on the phone ban. Some days I think yes.", "mixed"),
])
def test_imperatives_and_relief(question, lang, text, stance):
    v = StanceFinder(lang).judge(text, 0, len(text), question)
    assert v.stance == stance, v

"""Bokmål for issue 20's questions and answering: yes/no buttons, reordering questions, the
review's selection tools, open questions on the participant's page. Merged into
``translate_nb.NB`` / ``PLURALS``; kept apart so the table merges cleanly with other branches."""

NB = {
    "Yes": "Ja", "No": "Nei", "Don't know": "Vet ikke", "don't know": "vet ikke", "Why? (optional)": "Hvorfor? (valgfritt)",
    # the participant's page: how each answer was read (an open question: what was proposed, its theme)
    "How we read it": "Slik leste vi det", "theme": "tema",
    # the consultation form: reorder questions
    "↑ and ↓ move a question; the numbers follow.": "↑ og ↓ flytter et spørsmål; numrene følger med.",
    "Order": "Rekkefølge", "Move up": "Flytt opp", "Move down": "Flytt ned",
    "The order is changed. Save to keep it.": "Rekkefølgen er endret. Lagre for å beholde den.",
    # an open question's answers in the review (context "open question"): what the answer did
    "proposed something": "foreslo noe", "rejected the premise": "avviste premisset",
    "proposed, with conditions": "foreslo noe, med vilkår", "no proposal": "uten forslag",
    # corrections the review could not apply
    "stance": "standpunkt", "the answer's place in the comment": "svarets plass i kommentaren",
    "the comment changed or is gone": "kommentaren er endret eller borte", "nothing to correct": "ingenting å rette",
    # the review: move or split by selecting text
    "Move or split a selected passage of comment #%(n)s": "Flytt eller del et markert avsnitt i kommentar #%(n)s",
    "Select a passage in the comment above, then:": "Marker et avsnitt i kommentaren over, og velg så:",
    "Move to question %(n)s": "Flytt til spørsmål %(n)s",
    "Split here; the rest to question": "Del her; resten til spørsmål",
    "Split here": "Del her",
    "Select a passage in the comment first.": "Marker et avsnitt i kommentaren først.",
    "Click or select in an answer where it should be split.": "Klikk eller marker i et svar der det skal deles.",
    "Move, resize or split by character positions": "Flytt, endre eller del etter tegnposisjon",
    # scale (1-5) and multiple-choice questions
    "scale 1–5": "skala 1–5", "multiple choice": "flervalg", "Options": "Alternativer",
    "Multiple choice: one option per line. Scale: the words for 1 and for 5, one per line (optional).":
        "Flervalg: ett alternativ per linje. Skala: ordene for 1 og for 5, ett per linje (valgfritt).",
    "Give at least two options, one per line.": "Skriv minst to alternativer, ett per linje.",
    "At most %(n)s options.": "Høyst %(n)s alternativer.", "Each option only once.": "Hvert alternativ bare én gang.",
    "An option can be at most 200 characters.": "Et alternativ kan være høyst 200 tegn.",
    "A scale takes two words (for 1 and for 5), or none.": "En skala tar to ord (for 1 og for 5), eller ingen.",
    "(1 = %(low)s, 5 = %(high)s)": "(1 = %(low)s, 5 = %(high)s)",
}

PLURALS: dict = {}

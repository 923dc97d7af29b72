"""Bokmål for issue 20's live debate, phones and front page: the projector's consensus with its
direction, the groups in words, the wait for opinion groups, ending a session with a
confirmation, who is active now, long answers collapsed, the front page's code box and closed
consultations. Merged into ``translate_nb.NB`` / ``PLURALS``; kept apart so the table merges
cleanly with other branches."""

NB = {
    # the projector
    "%(n)s of %(total)s said yes": "%(n)s av %(total)s svarte ja",
    "%(n)s of %(total)s said no": "%(n)s av %(total)s svarte nei",
    "%(n)s of %(total)s agree": "%(n)s av %(total)s enige",
    "%(n)s of %(total)s disagree": "%(n)s av %(total)s uenige",
    "Every opinion group at least %(p)s percent the same way.": "Hver meningsgruppe minst %(p)s prosent samme vei.",
    "Agree, by group: %(shares)s": "Enige, per gruppe: %(shares)s",
    "Yes, by group: %(shares)s": "Ja, per gruppe: %(shares)s",
    "%(k)s groups: %(sizes)s participants": "%(k)s grupper: %(sizes)s deltakere",
    "%(first)s and %(last)s": "%(first)s og %(last)s",
    "Opinion groups appear when %(need)s participants have voted on %(min_votes)s statements each "
    "(%(have)s so far).":
        "Meningsgruppene vises når %(need)s deltakere har stemt på %(min_votes)s påstander hver (så langt %(have)s).",
    "Opinion groups appear when %(need)s statements have votes (%(have)s so far).":
        "Meningsgruppene vises når %(need)s påstander har fått stemmer (så langt %(have)s).",
    "Everyone has voted alike so far: no opinion groups yet.": "Alle har stemt likt så langt: ingen meningsgrupper ennå.",
    "participants now": "deltakere nå",
    "Not enough votes for opinion groups yet": "Ikke nok stemmer til meningsgrupper ennå",
    # the presenter: one clear action each, and ending asks first
    "Stop votes on this statement": "Stopp stemmegivningen på denne påstanden",
    "Finish the whole live session…": "Avslutt hele direkteavstemningen …",
    "Nobody can vote or send ideas after this; the votes and the exports stay.":
        "Etter dette kan ingen stemme eller sende forslag; stemmene og eksportene blir liggende.",
    "Yes, finish the session for everyone": "Ja, avslutt for alle",
    "The session was not ended: confirm that you want to end it.":
        "Avstemningen ble ikke avsluttet: bekreft at du vil avslutte den.",
    # joining by code
    "Check the code on the screen and try again.": "Sjekk koden på skjermen og prøv igjen.",
    "Type the code shown on the screen (letters and digits).": "Skriv koden som står på skjermen (bokstaver og tall).",
    # the front page
    "Have a code?": "Har du en kode?",
    "Join a live vote with the code shown on the screen": "Bli med i en direkteavstemning med koden som står på skjermen",
    "Closed consultations": "Avsluttede høringer", "closed %(date)s": "stengt %(date)s",
    "Read the published answers": "Les de publiserte svarene",
    # long answers
    "Show all (%(n)s characters)": "Vis hele (%(n)s tegn)",
}

PLURALS = {
    "%(k)s group: %(sizes)s participants": ("%(k)s gruppe: %(sizes)s deltakere", "%(k)s grupper: %(sizes)s deltakere"),
    "%(n)s participant now": ("%(n)s deltaker nå", "%(n)s deltakere nå"),
    "(%(n)s has joined)": ("(%(n)s har blitt med)", "(%(n)s har blitt med)"),
}

"""Bokmål for the moderation queue, rules for comments, the moderation log, the public results
page, a participant's reading of their answer and the job's time estimate (issue 9). Merged into
``translate_nb.NB`` / ``PLURALS``; kept apart so the table merges cleanly with other branches."""

NB = {
    "Rule": "Regel", "(no rule)": "(ingen regel)", "Note": "Notat",
    "A rejection must name one of the rules for comments.": "En avvisning må vise til en av reglene for kommentarer.",
    "Write the rules for comments first: a rejection must name one of them.":
        "Skriv reglene for kommentarer først: en avvisning må vise til en av dem.",
    "Give a rule or a note when you mark a comment as spam.": "Oppgi en regel eller et notat når du merker en kommentar som spam.",
    "A code is 1–20 letters, digits, - or _ (for example R1 or ads).":
        "En kode er 1–20 bokstaver, sifre, - eller _ (for eksempel R1 eller reklame).",
    "Each rule needs its own code.": "Hver regel må ha sin egen kode.",
    "Which question": "Hvilket spørsmål", "What did we read wrongly?": "Hva leste vi feil?",
    "the answer as a whole": "svaret som helhet", "code": "kode", "rule": "regel",
    "Embedding %(texts)s text parts: about %(n)s %(unit)s on this machine (timed on a sample).":
        "Innbygging av %(texts)s tekstdeler: omtrent %(n)s %(unit)s på denne maskinen (målt på et utvalg).",
    "Rough estimate from the last run (%(texts)s text parts): about %(n)s %(unit)s. A new estimate is timed on a "
    "sample when the analysis starts.":
        "Grovt anslag fra forrige kjøring (%(texts)s tekstdeler): omtrent %(n)s %(unit)s. Et nytt anslag måles på "
        "et utvalg når analysen starter.",
    "An estimate of the time is timed on a sample when a long analysis starts.":
        "Et tidsanslag måles på et utvalg når en lang analyse starter.",
    "Mark as handled": "Merk som behandlet", "How your answer was read": "Slik ble svaret ditt lest",
    "The answers have not been analysed yet.": "Svarene er ikke analysert ennå.",
    "Your answer came after the last analysis.": "Svaret ditt kom etter siste analyse.",
    "You changed your answer after the last analysis; this is how the earlier text was read.":
        "Du endret svaret etter siste analyse; slik ble den forrige teksten lest.",
    "Your answer was counted once with an identical or nearly identical answer.":
        "Svaret ditt ble telt én gang sammen med et likt eller nesten likt svar.",
    "Because you wrote": "Fordi du skrev",
    "We did not find an answer to any of the questions in your text.":
        "Vi fant ikke svar på noen av spørsmålene i teksten din.",
    "Did we read you wrongly?": "Leste vi deg feil?", "Tell the organiser": "Si fra til arrangøren",
    "Public results page": "Offentlig resultatside", "What was heard is public:": "Det vi hørte er offentlig:",
    "Take the results page down": "Ta ned resultatsiden",
    "Publish what was heard per question, with anonymised quotes (names, e-mail addresses and phone numbers "
    "masked; no sensitive story).":
        "Publiser det vi hørte per spørsmål, med anonymiserte sitater (navn, e-postadresser og telefonnumre "
        "skjult; ingen sensitive historier).",
    "Publish the results page": "Publiser resultatsiden",
    "When the consultation is closed you can publish what was heard.":
        "Når høringen er stengt, kan du publisere det vi hørte.",
    "Rules for comments": "Regler for kommentarer",
    "Answers are read by a moderator before they are published. An answer that is not published breaks one of "
    "these rules:":
        "Svarene leses av en moderator før de publiseres. Et svar som ikke publiseres, bryter en av disse reglene:",
    "What we heard": "Dette hørte vi", "Moderation log": "Modereringslogg",
    "Sorted: likely spam first, then copies and form letters, then personal or sensitive content, then the rest, "
    "oldest first.":
        "Sortert: sannsynlig spam først, så kopier og standardbrev, så personlig eller sensitivt innhold, så resten, "
        "eldste først.",
    "Search text or author": "Søk i tekst eller forfatter", "Flag": "Merking", "likely spam": "sannsynlig spam",
    "copies": "kopier", "form letters": "standardbrev", "personal or sensitive": "personlig eller sensitivt",
    "no flag": "uten merking", "Choose all on this page": "Velg alle på denne siden",
    "There are no rules for comments yet: a rejection must name one.":
        "Det finnes ingen regler for kommentarer ennå: en avvisning må vise til en.",
    "Write the rules": "Skriv reglene", "hidden field filled in (bot)": "skjult felt fylt ut (robot)",
    "spam at the source": "spam i kilden", "copy of a comment marked spam": "kopi av en kommentar merket som spam",
    "many links": "mange lenker", "many answers from one e-mail address": "mange svar fra én e-postadresse",
    "form letter: %(n)s copies from %(a)s senders": "standardbrev: %(n)s kopier fra %(a)s avsendere",
    "copy of #%(k)s (%(how)s)": "kopi av #%(k)s (%(how)s)", "first of %(n)s copies": "første av %(n)s kopier",
    "names a person": "navngir en person", "e-mail address": "e-postadresse", "phone number": "telefonnummer",
    "sensitive personal story": "sensitiv personlig historie", "health": "helse", "harassment": "trakassering",
    "legal matter": "juridisk sak", "about a third person": "om en tredjeperson", "Pages": "Sider",
    "previous": "forrige", "next": "neste", "Download as CSV": "Last ned som CSV", "Moderator": "Moderator",
    "When": "Når", "Who": "Hvem", "Comment": "Kommentar", "Before": "Før", "After": "Etter",
    "Write the rules once. They are shown on the public page, and every rejection names one of them.":
        "Skriv reglene én gang. De vises på den offentlige siden, og hver avvisning viser til en av dem.",
    "Code": "Kode",
    "Names, e-mail addresses and phone numbers in quotes are masked, and sensitive personal stories are not quoted.":
        "Navn, e-postadresser og telefonnumre i sitater er skjult, og sensitive personlige historier siteres ikke.",
    "Close the consultation before you publish what was heard.": "Steng høringen før du publiserer det vi hørte.",
    "Run the analysis before you publish what was heard.": "Kjør analysen før du publiserer det vi hørte.",
    "The results page is public.": "Resultatsiden er offentlig.",
    "The results page is no longer public.": "Resultatsiden er ikke lenger offentlig.",
    "Write a short note on what we read wrongly.": "Skriv et kort notat om hva vi leste feil.",
    "You have flagged this answer many times; the organiser will look at it.":
        "Du har meldt fra om dette svaret mange ganger; arrangøren ser på det.",
    "Thank you. The organiser will look at how your answer was read.":
        "Takk. Arrangøren ser på hvordan svaret ditt ble lest.",
    # the presenter's notes on opinion groups (live/state.py notes_text)
    "Opinion groups need at least %(need)s visible statements with votes; %(have)s so far.":
        "Meningsgrupper krever minst %(need)s synlige påstander med stemmer; så langt %(have)s.",
    "Opinion groups need at least %(need)s participants with %(min_votes)s votes each; %(have)s so far.":
        "Meningsgrupper krever minst %(need)s deltakere med %(min_votes)s stemmer hver; så langt %(have)s.",
    "Participants who voted the same way on everything are not counted.":
        "Deltakere som stemte likt på alt, telles ikke med.",
    "The votes do not separate the participants into groups (%(participants)s participants with enough votes).":
        "Stemmene deler ikke deltakerne i grupper (%(participants)s deltakere med nok stemmer).",
}

PLURALS = {
    "%(n)s participant says we misread them": ("%(n)s deltaker sier at vi leste dem feil",
                                               "%(n)s deltakere sier at vi leste dem feil"),
    "You have flagged %(n)s misreading; the organiser sees it in the review.":
        ("Du har meldt fra om %(n)s feillesing; arrangøren ser den i gjennomgangen.",
         "Du har meldt fra om %(n)s feillesinger; arrangøren ser dem i gjennomgangen."),
    "all %(n)s matching comment": ("alle %(n)s treff", "alle %(n)s treff"),
    "Based on %(n)s published answer.": ("Bygger på %(n)s publisert svar.", "Bygger på %(n)s publiserte svar."),
    "%(n)s answer.": ("%(n)s svar.", "%(n)s svar."),
    "%(n)s repeated vote on the same statement by the same participant: the latest counts.":
        ("%(n)s gjentatt stemme på samme påstand fra samme deltaker: den siste teller.",
         "%(n)s gjentatte stemmer på samme påstand fra samme deltaker: den siste teller."),
}

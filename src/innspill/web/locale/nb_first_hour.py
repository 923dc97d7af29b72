"""Bokmål for issue 20 (the organiser's first hour): error summaries, question rows, states,
stances, job status, import summary, warnings, roles, one-click moderation. Merged into
``translate_nb.NB`` / ``PLURALS``; kept apart so the table merges cleanly with other branches."""

NB = {
    "Leave “No.” empty to number a question after the one above it.":
        "La «Nr.» stå tomt, så får spørsmålet nummeret etter det over.",
    "Add a question": "Legg til et spørsmål", "Remove": "Fjern",
    # a comment's source (context "comment source") and how it copies another (context "copy")
    "form": "skjema", "import": "import", "exact": "ordrett", "its beginning": "begynnelsen",
    "nearly the same": "nesten likt",
    # stances (context "stance"), job status (context "job"), analysed comments (context "comment")
    "for": "for", "against": "mot", "mixed": "blandet", "none": "ingen", "other": "annet",
    "queued": "i kø", "running": "kjører", "done": "ferdig", "failed": "feilet", "started": "startet",
    "gave up after %(n)s attempts": "ga opp etter %(n)s forsøk",
    "kept": "med", "duplicate": "duplikat", "trash": "papirkurv", "held": "holdt tilbake", "empty": "tom",
    "own field": "eget felt", "numbered": "nummerert", "quoted the question": "siterte spørsmålet",
    "named the question": "nevnte spørsmålet", "by meaning": "etter innhold", "the whole post": "hele innlegget",
    "the page's comment counter differs from the comments listed":
        "sidens kommentarteller stemmer ikke med kommentarene som er listet",
    "a comment number out of sequence": "et kommentarnummer i feil rekkefølge",
    "an id used twice in the file": "en id brukt to ganger i filen",
    "a reply whose parent is not in the file (read as top level)":
        "et svar på en kommentar som ikke er i filen (lest som toppnivå)",
    "a broken file read up to the break": "en ødelagt fil, lest fram til bruddet",
    "a part of an .xlsx workbook was skipped": "en del av en .xlsx-arbeidsbok ble hoppet over",
    "participant": "deltaker", "system": "systemet",
    "hidden field filled in (bot)": "skjult felt utfylt (robot)",
    "changed by the participant": "endret av deltakeren",
    "spam (one click)": "spam (ett klikk)", "No such comment or action.": "Ukjent kommentar eller handling.",
    "Decide on comment #%(n)s": "Avgjør kommentar #%(n)s", "Reject with the rule": "Avvis med regelen",
    "Spam": "Spam",
    "Keys: j / k next and previous comment, a approve, r reject with the chosen rule, s spam.":
        "Taster: j / k neste og forrige kommentar, a godkjenn, r avvis med valgt regel, s spam.",
}

PLURALS = {
    "%(n)d comment changed.": ("%(n)d kommentar endret.", "%(n)d kommentarer endret."),
    "There is %(n)s problem with what you sent": ("Det er %(n)s feil i det du sendte",
                                                  "Det er %(n)s feil i det du sendte"),
}

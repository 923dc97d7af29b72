"""Bokmål for issue 20's questions and answering: yes/no buttons, reordering questions, the
review's selection tools, open questions on the participant's page. Merged into
``translate_nb.NB`` / ``PLURALS``; kept apart so the table merges cleanly with other branches."""

NB = {
    "Yes": "Ja", "No": "Nei", "Not sure": "Usikker", "Why? (optional)": "Hvorfor? (valgfritt)",
    # the participant's page: how each answer was read (an open question: what was proposed, its theme)
    "How we read it": "Slik leste vi det", "theme": "tema",
}

PLURALS: dict = {}

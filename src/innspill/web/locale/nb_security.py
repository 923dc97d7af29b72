"""Bokmål for the strings of issue 21 (login lockout, live limits per address, exports), read by translate_nb.py."""

NB = {
    "this statement has not been shown yet": "denne påstanden er ikke vist ennå",
    "too many votes from your network on this statement": "for mange stemmer fra nettverket ditt på denne påstanden",
    "too many ideas from your network": "for mange idéer fra nettverket ditt",
    "Too many people have joined from your network. Ask the presenter.":
        "For mange har blitt med fra nettverket ditt. Spør den som leder møtet.",
    "refused by the per-address limits (INNSPILL_LIVE_*_PER_ADDRESS)":
        "avvist av grensene per adresse (INNSPILL_LIVE_*_PER_ADDRESS)",
}

PLURALS = {
    "%(n)s vote refused": ("%(n)s stemme avvist", "%(n)s stemmer avvist"),
    "%(n)s new participant refused": ("%(n)s ny deltaker avvist", "%(n)s nye deltakere avvist"),
    "%(n)s idea refused": ("%(n)s idé avvist", "%(n)s idéer avvist"),
}

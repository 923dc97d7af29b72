"""Signals the consultations part of the web app sends, so that the apps above it (the live debate)
can act on its events without it importing them."""

from django.dispatch import Signal

#: A withdrawn answer was erased from the consultation's stored analyses
#: (``services.erase_from_runs``). Sent inside its transaction with ``comment``,
#: ``consultation_id`` and ``comment_ids``: the set of analysis comment ids (``"c3"``) the answer
#: had in those runs (empty when no run had it).
answer_erased = Signal()

#: The organiser renumbered or deleted questions (``views_org``): ``consultation`` and ``changes``,
#: {old number: new number}, deleted ones left out. Sent so that what other apps store per
#: question number (the results' misreading flags) follows.
questions_renumbered = Signal()

#: A comment's state changed outside the moderation queue (a participant withdrew or edited their
#: answer, a bot filled in the hidden field). Sent inside the change's transaction with
#: ``comment``, ``before`` and ``after`` (states; ``before`` is "" for a new comment) and
#: ``reason``; the moderation app writes it to the moderation log.
comment_state_changed = Signal()

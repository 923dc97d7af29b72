"""Signals by which the web app's lower apps tell the apps above them what happened, without
importing them: the consultations (at the bottom) tell the analysis, moderation and results; the
analysis tells the live debate and the results. Each receiving app connects in its
``AppConfig.ready``."""

from django.dispatch import Signal

#: A participant withdrew their answer by its private link (``consultations.public.mine``): the
#: comment's row is emptied and it is ``withdrawn``. Sent inside that transaction with ``comment``;
#: the analysis app erases it from the stored analysis runs (which sends ``answer_erased``).
answer_withdrawn = Signal()

#: A withdrawn answer was erased from the consultation's stored analyses
#: (``analysis.services.erase_from_runs``). Sent inside its transaction with ``comment``,
#: ``consultation_id`` and ``comment_ids``: the set of analysis comment ids (``"c3"``) the answer
#: had in those runs (empty when no run had it).
answer_erased = Signal()

#: The organiser renumbered or deleted questions (``consultations.views``): ``consultation`` and
#: ``changes``, {old number: new number}, deleted ones left out. Sent so that what other apps store
#: per question number (the analysis' corrections, the results' misreading flags) follows.
questions_renumbered = Signal()

#: A comment's state changed outside the moderation queue (a participant withdrew or edited their
#: answer, a bot filled in the hidden field). Sent inside the change's transaction with
#: ``comment``, ``before`` and ``after`` (states; ``before`` is "" for a new comment) and
#: ``reason``; the moderation app writes it to the moderation log.
comment_state_changed = Signal()

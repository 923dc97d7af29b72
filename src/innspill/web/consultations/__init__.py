"""The consultations (Django app ``consultations``): a consultation, its questions, who organises
and moderates it (memberships, invitations), the comments (the public answer form, a participant's
private link) and the import of files. It is the bottom of the web app's apps: it imports none of
them, and tells them what happened by the signals in ``innspill.web.signals`` (an answer withdrawn,
a comment's state changed, questions renumbered)."""

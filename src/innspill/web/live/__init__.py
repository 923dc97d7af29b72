"""The live debate (Django app ``live``): a session with a join code, its statements, anonymous
participants' votes, audience ideas with upvotes, the per-session results cache, and the ASGI fast
path for votes and event streams (``asgi.py``). It depends on the consultations and the analysis
(a session belongs to a consultation and starts from its questions and latest analysis); nothing
below it imports it, and it hears of an erased answer by the ``answer_erased`` signal."""

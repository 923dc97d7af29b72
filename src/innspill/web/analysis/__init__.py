"""The analysis (Django app ``analysis``): a consultation's comments through the library's
pipeline (``services.py``), the job queue in a table and its worker (``jobs.py``), the jobs' time
estimates, and organisers' corrections applied on top of every run (``corrections.py``). It
depends on the consultations only; a withdrawn answer reaches it by the ``answer_withdrawn``
signal, and it tells the apps above it (live, results) by ``answer_erased``."""

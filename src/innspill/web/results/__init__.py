"""The results (Django app ``results``): the organiser's review with corrections, the results page
with the brief and exports (the live debate's votes beside it), and closing the loop: the public
results page, a participant's reading of their own answer and their misreading flags. It sits on
top: it reads the consultations, the analysis and the live debate; none of them imports it (a
withdrawn answer's flags go by ``answer_erased``, renumbered questions by ``questions_renumbered``)."""

"""Moderation (Django app ``moderation``): the consultation's rules for comments, each comment's
queue signals (spam, copies, privacy), the sorted queue with bulk decisions, and the log of every
change of a comment's state. It depends on the consultations (comments and their states) and the
analysis (the latest run: which comments answer a question); they do not import it, and a state
change a participant makes (withdrawing, editing, a bot's answer) reaches the log by the
``comment_state_changed`` signal."""

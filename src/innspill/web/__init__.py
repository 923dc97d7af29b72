"""The innspill web app (Django): consultations, public answer form, moderation, import,
review with corrections, results. Settings come from the environment (see ``settings.py``);
``innspill serve`` starts it on SQLite in ``./innspill-data/``."""


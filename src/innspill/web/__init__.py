"""The innspill web app (Django): consultations, public answer form, moderation, import,
review with corrections, results. A site of apps by concern (``consultations``, ``analysis``,
``moderation``, ``live``, ``results``; docs/decisions/0006); this package holds the site's wiring.
Settings come from the environment (see ``settings.py``); ``innspill serve`` starts it on SQLite in
``./innspill-data/``.

It needs the ``web`` extra (``pip install 'innspill[web]'``: Django, uvicorn, segno); without it
importing any part of the web app raises ``E302`` saying so, which the CLI prints without a
traceback."""

from importlib.util import find_spec

from ..errors import InnspillError

WEB_EXTRA = ("django", "uvicorn", "segno")  # the modules the web extra installs (pyproject.toml)

_missing = [name for name in WEB_EXTRA if find_spec(name) is None]
if _missing:
    raise InnspillError("E302", f"the web app needs the web extra ({', '.join(_missing)} not installed)",
                        hint="pip install 'innspill[web]'")

"""ASGI entry point (uvicorn): ``uvicorn innspill.web.asgi:application``."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "innspill.web.settings")
application = get_asgi_application()

from .live.asgi import with_live_fast_path  # noqa: E402  (after Django is set up)

application = with_live_fast_path(application)

"""Long answers collapsed (issue 20): an answer of thousands of characters is shown as its
beginning and a "Show all" disclosure (``<details>``, no script needed), so one long answer does
not make the public page or the moderation queue enormous."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _

register = template.Library()

LONG_CHARS = 1200  # longer than this: collapsed
PREVIEW_CHARS = 400  # the beginning shown while collapsed


@register.filter(needs_autoescape=True)
def long_text(text, autoescape=True):
    """``text`` as paragraphs (escaped, like ``linebreaks``); a text over ``LONG_CHARS``
    characters as its first ``PREVIEW_CHARS`` in a ``<details>`` summary, whole when opened."""
    text = "" if text is None else str(text)
    if len(text) <= LONG_CHARS:
        return linebreaks_filter(text, autoescape)
    preview = Truncator(" ".join(text.split())).chars(PREVIEW_CHARS)
    return format_html('<details class="long-answer"><summary><span class="preview">{}</span> '
                       '<span class="show-all">{}</span></summary>{}</details>', preview,
                       _("Show all (%(n)s characters)") % {"n": f"{len(text):,}".replace(",", "\u00a0")},
                       linebreaks_filter(text, autoescape))

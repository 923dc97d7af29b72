"""A template piece of issue 9 that sits in the consultations' public page: the public rules for
comments with the results link, read through the consultation's reverse relations (the
moderation app's rules, the results app's page) without importing those apps. (A job's time
estimate is the analysis app's ``innspill_analysis``; the results' own pieces, a participant's
reading of their answer, open misreading flags and the publish switch, are the results app's
``innspill_results``.)"""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("web/_rules.html")
def comment_rules(c):
    page = getattr(c, "results_page", None)  # the results app's ResultsPage, when there is one
    return {"rules": list(c.rules.all()), "c": c,  # the moderation app's rules (ModerationRule)
            "results": bool(page and page.published and c.is_closed())}

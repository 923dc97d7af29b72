"""The words the analysis and the database store as codes, shown in the reader's language
through the gettext catalogue (issue 20): comment states, stances, job status and messages,
roles, how an answer was found, an imported comment's status, question kinds and warnings."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


def _states() -> dict:
    from ..models import Comment

    return {k: str(v) for k, v in Comment.STATES}


@register.filter
def comment_state(code) -> str:
    """pending/approved/rejected/spam/withdrawn as the queue's tabs name them."""
    return _states().get(code, code or "–")


@register.filter
def stance(code) -> str:
    return {"for": pgettext("stance", "for"), "against": pgettext("stance", "against"),
            "mixed": pgettext("stance", "mixed"), "none": pgettext("stance", "none"),
            None: pgettext("stance", "other")}.get(code, code)


@register.filter
def stance_on(code, kind) -> str:
    """A stance's name on a question of ``kind``: on an open question what the answer did there
    (proposed something, rejected the premise …), never for or against."""
    if kind != "open":
        return stance(code)
    return {"for": pgettext("open question", "proposed something"),
            "against": pgettext("open question", "rejected the premise"),
            "mixed": pgettext("open question", "proposed, with conditions"),
            "none": pgettext("open question", "no proposal")}.get(code, stance(code))


@register.filter
def job_status(code) -> str:
    return {"queued": pgettext("job", "queued"), "running": pgettext("job", "running"),
            "done": pgettext("job", "done"), "failed": pgettext("job", "failed")}.get(code, code)


@register.filter
def job_message(text) -> str:
    """The worker's stage names ("started", "embedding" …) translated; a failure's own text kept."""
    stages = {"done": pgettext("job", "done"), "started": pgettext("job", "started"),
              "queued": pgettext("job", "queued"), "read": pgettext("job", "reading"),
              "repair": pgettext("job", "repairing characters"), "dedupe": pgettext("job", "linking duplicates"),
              "language": pgettext("job", "finding the language"), "segment": pgettext("job", "finding the answers"),
              "fields": pgettext("job", "reading the form's fields"), "stance": pgettext("job", "reading stances"),
              "stance-model": pgettext("job", "reading stances with the trained model"),
              "privacy": pgettext("job", "looking for personal data"), "themes": pgettext("job", "grouping themes")}
    if text in stages:
        return stages[text]
    if isinstance(text, str) and text.startswith("gave up after "):
        return _("gave up after %(n)s attempts") % {"n": text.split()[3]}
    return text


@register.filter
def role(code) -> str:
    from ..models import Membership

    return str(dict(Membership.ROLES).get(code, code))


@register.filter
def how(code) -> str:
    """How the analysis tied an answer to its question."""
    return {"field": _("own field"), "numbered": _("numbered"), "quoted": _("quoted the question"),
            "reference": _("named the question"), "semantic": _("by meaning"), "post": _("the whole post"),
            "explicit": _("named the question"), "corrected": _("corrected by hand")}.get(code, code)


@register.filter
def comment_source(code) -> str:
    """Where a comment came from: the public form or an import."""
    return {"form": pgettext("comment source", "form"), "import": pgettext("comment source", "import")}.get(code, code)


@register.filter
def copy_how(code) -> str:
    """How a comment copies another: word for word, its beginning, nearly."""
    return {"exact": pgettext("copy", "exact"), "prefix": pgettext("copy", "its beginning"),
            "near": pgettext("copy", "nearly the same")}.get(code, code)


@register.filter
def analysed_status(code) -> str:
    """An analysed or imported comment's status (kept, duplicate, spam …)."""
    return {"kept": pgettext("comment", "kept"), "duplicate": pgettext("comment", "duplicate"),
            "spam": pgettext("comment", "spam"), "trash": pgettext("comment", "trash"),
            "held": pgettext("comment", "held"), "empty": pgettext("comment", "empty"),
            "rejected": pgettext("comment", "rejected")}.get(code, code)


@register.filter
def question_kind(code) -> str:
    from ..models import Question

    return str(dict(Question.KINDS).get(code, code))


@register.filter
def warning_text(w) -> str:
    """An import warning: its code and what the code means in the reader's language; the
    source's own (English) detail only where the interface is English."""
    from django.utils.translation import get_language

    generic = {
        "W101": _("the page's comment counter differs from the comments listed"),
        "W102": _("a comment number out of sequence"),
        "W103": _("an id used twice in the file"),
        "W104": _("a reply whose parent is not in the file (read as top level)"),
        "W105": _("a broken file read up to the break"),
        "W106": _("a part of an .xlsx workbook was skipped"),
        "W201": _("no questions found"),
        "W202": _("no comments found"),
        "W203": _("the post asks no numbered question: the post itself is the one question"),
        "W301": _("stance read by the rules alone, without the trained model"),
    }
    code, message = w.get("code", ""), w.get("message", "")
    if (get_language() or "en")[:2] == "en" or code not in generic:
        return f"{code}: {message}"
    return f"{code}: {generic[code]}"


@register.filter
def reason(text) -> str:
    """The reasons the app itself writes into the log (a moderator's note is shown as written)."""
    return {"honeypot field filled in": _("hidden field filled in (bot)"),
            "withdrawn by the participant": _("withdrawn by the participant"),
            "changed by the participant": _("changed by the participant"),
            "spam (one click)": _("spam (one click)")}.get(text, text)

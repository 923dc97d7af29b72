"""Forms that say what is wrong (issue 20): every field's errors next to it, tied to the field
by ``aria-describedby`` and ``aria-invalid``, and a summary of every error at the top of the
page (``role="alert"``, focused by static/web/app.js) with a link to each field."""

from __future__ import annotations

from django import template

register = template.Library()


def error_id(field) -> str:
    return f"{field.auto_id or field.html_name}-error"


@register.filter
def described(field):
    """The field's widget with ``aria-describedby`` naming its help text and its errors."""
    ids = []
    if field.help_text:
        ids.append(f"{field.id_for_label}-help")
    attrs = {}
    if field.errors:
        ids.append(error_id(field))
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)


@register.filter
def errorid(field) -> str:
    return error_id(field)


def _label(field) -> str:
    label = str(field.label or field.name)
    return label if len(label) <= 80 else label[:79] + "…"


@register.inclusion_tag("web/_error_summary.html")
def error_summary(form=None, formset=None):
    """Every error of ``form`` and ``formset`` (and its forms), each linked to its field."""
    items = []  # (href or "", label, message)
    for f in ([form] if form is not None else []) + (list(formset) if formset is not None else []):
        if not f.is_bound:
            continue
        for e in f.non_field_errors():
            items.append(("", "", e))
        for field in f:
            for e in field.errors:
                items.append((f"#{field.id_for_label}", _label(field), e))
    if formset is not None and formset.is_bound:
        for e in formset.non_form_errors():
            items.append(("", "", e))
    return {"items": items}

"""The results' forms: an organiser's corrections in the review, and a participant's flag of a misreading."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ...contract import STANCES

STANCE_CHOICES = [(s, s) for s in STANCES]


class StanceForm(forms.Form):
    question = forms.IntegerField(widget=forms.HiddenInput)
    stance = forms.ChoiceField(label=_("Stance"), choices=STANCE_CHOICES)


class SpanForm(forms.Form):
    """Move a span to another question, change its bounds, or split it (``split_at``)."""

    question = forms.IntegerField(widget=forms.HiddenInput)
    target = forms.IntegerField(label=_("Question"), min_value=1)
    start = forms.IntegerField(label=_("From character"), min_value=0)
    end = forms.IntegerField(label=_("To character"), min_value=1)
    split_at = forms.IntegerField(label=_("Split at character (the rest goes to)"), min_value=1, required=False)
    split_target = forms.IntegerField(label=_("Question for the rest"), min_value=1, required=False)
    remove = forms.BooleanField(label=_("Remove this answer"), required=False)


class SelectionForm(forms.Form):
    """A passage selected in the review (``start``–``end``, characters of the analysed text) moved to
    question ``target``, or the answer holding ``start`` split there with the rest to ``target``."""

    target = forms.IntegerField(min_value=1)
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1, required=False)


class CommentFlagForm(forms.Form):
    sensitive = forms.BooleanField(label=_("Sensitive (personal story): never quoted"), required=False)
    duplicate_of = forms.IntegerField(label=_("Duplicate of comment number"), required=False, min_value=1)


class MisreadingForm(forms.Form):
    question = forms.TypedChoiceField(label=_("Which question"), coerce=int, empty_value=None, required=False)
    note = forms.CharField(label=_("What did we read wrongly?"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [("", _("the answer as a whole"))] + [
            (q.number, f"{q.number}. {q.text[:80]}") for q in questions]

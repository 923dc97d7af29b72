"""Forms of the moderation queue and the moderation policy."""

from __future__ import annotations

import re

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from .models import ModerationRule

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")


class DecisionForm(forms.Form):
    ACTIONS = [("approve", _("Approve")), ("reject", _("Reject")), ("spam", _("Mark as spam")),
               ("pending", _("Back to the queue"))]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    rule = forms.ModelChoiceField(label=_("Rule"), queryset=ModerationRule.objects.none(), required=False,
                                  empty_label=_("(no rule)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = consultation.rules.all()
        self.has_rules = consultation.rules.exists()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "reject" and not data.get("rule"):
            raise forms.ValidationError(
                _("A rejection must name one of the rules for comments.") if self.has_rules else
                _("Write the rules for comments first: a rejection must name one of them."))
        if action == "spam" and not data.get("rule") and not (data.get("note") or "").strip():
            raise forms.ValidationError(_("Give a rule or a note when you mark a comment as spam."))
        return data


class RuleForm(forms.ModelForm):
    class Meta:
        model = ModerationRule
        fields = ["code", "text"]
        widgets = {"code": forms.TextInput(attrs={"size": 8}), "text": forms.TextInput(attrs={"size": 70})}

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE_RE.match(code):
            raise forms.ValidationError(_("A code is 1–20 letters, digits, - or _ (for example R1 or ads)."))
        return code


class BaseRuleFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for f in self.forms:
            if not getattr(f, "cleaned_data", None) or f.cleaned_data.get("DELETE"):
                continue
            code = (f.cleaned_data.get("code") or "").lower()
            if code in seen:
                raise forms.ValidationError(_("Each rule needs its own code."))
            seen.add(code)


RuleFormSet = modelformset_factory(ModerationRule, form=RuleForm, formset=BaseRuleFormSet, extra=3,
                                   can_delete=True)

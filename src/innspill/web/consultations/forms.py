"""The consultations' forms: consultation and questions, the public answer form (its buttons' words), import."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ...ingest import FORMATS
from .models import Comment, Consultation, Question


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["title", "intro", "language", "closes_at"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 6}),
                   "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}
        help_texts = {"closes_at": _("Optional: the comment field closes by itself at this time.")}

    def unique_slug(self) -> str:
        base = slugify(self.cleaned_data["title"])[:60] or "innspill"
        slug, n = base, 1
        while Consultation.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


class QuestionForm(forms.ModelForm):
    """A question row: "No." may be left empty; the formset numbers it after the row above."""

    number = forms.IntegerField(label=_("No."), min_value=1, required=False,
                                widget=forms.NumberInput(attrs={"min": 1}))

    options = forms.CharField(
        label=_("Options"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Multiple choice: one option per line. Scale: the words for 1 and for 5, one per line "
                    "(optional)."))

    class Meta:
        model = Question
        fields = ["number", "text", "kind"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.options and "options" not in self.initial:
            self.initial["options"] = "\n".join(self.instance.options)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        lines = [x.strip() for x in (data.get("options") or "").splitlines() if x.strip()]
        if kind == "choice":
            if len(lines) < 2:
                self.add_error("options", _("Give at least two options, one per line."))
            elif len(lines) > MAX_OPTIONS:
                self.add_error("options", _("At most %(n)s options.") % {"n": MAX_OPTIONS})
            elif len({x.casefold() for x in lines}) < len(lines):
                self.add_error("options", _("Each option only once."))
            elif any(len(x) > 200 for x in lines):
                self.add_error("options", _("An option can be at most 200 characters."))
        elif kind == "scale" and len(lines) not in (0, 2):
            self.add_error("options", _("A scale takes two words (for 1 and for 5), or none."))
        self.instance.options = lines if kind in ("choice", "scale") and lines else None
        return data


MAX_OPTIONS = 10


class BaseQuestionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """Number every kept question whose "No." is empty: one more than the highest number
        above it (or in the consultation), skipping numbers already in use."""
        kept = [f for f in self.forms if getattr(f, "cleaned_data", None) and f.has_changed()
                and not f.cleaned_data.get("DELETE")]
        kept += [f for f in self.forms if f.instance.pk and f not in kept and getattr(f, "cleaned_data", None)
                 and not f.cleaned_data.get("DELETE")]
        used = {f.cleaned_data["number"] for f in kept if f.cleaned_data.get("number")}
        last = 0
        for f in self.forms:
            if f not in kept:
                continue
            n = f.cleaned_data.get("number")
            if not n:
                n = last + 1
                while n in used:
                    n += 1
                used.add(n)
                f.cleaned_data["number"] = n
                f.instance.number = n
            last = max(last, n)
        super().clean()


def _raw_rows(formset) -> list[tuple[object, int | None, bool]]:
    """Each row of a bound question formset as posted: (form, its effective No. or None, has text).
    A blank No. is the one after the row above (as :meth:`BaseQuestionFormSet.clean` numbers it)."""
    data = formset.data
    rows, given = [], []
    for f in formset.forms:
        raw = (data.get(f.add_prefix("number")) or "").strip()
        text = (data.get(f.add_prefix("text")) or "").strip()
        gone = bool(data.get(f.add_prefix("DELETE")))
        n = int(raw) if raw.isdigit() and int(raw) > 0 else None
        rows.append([f, n, bool(text) and not gone])
        if n:
            given.append(n)
    used, last = set(given), 0
    for row in rows:
        if row[1] is None and row[2]:
            n = last + 1
            while n in used:
                n += 1
            used.add(n)
            row[1] = n
        if row[1]:
            last = max(last, row[1])
    return [tuple(r) for r in rows]


def rows_in_order(formset) -> list:
    """The question rows as the form shows them: by No., rows without a question last (in their order)."""
    if not formset.is_bound:
        return list(formset)
    rows = _raw_rows(formset)
    big = 10**9
    order = sorted(range(len(rows)), key=lambda i: (rows[i][1] if rows[i][2] and rows[i][1] else big, i))
    return [rows[i][0] for i in order]


def moved(formset, move: str):
    """The posted data with one question moved up or down (``move``: "q-2:up"): its No. and the
    No. of the question next to it (in the order shown) are swapped; every blank No. is filled in
    as it would be saved. None when there is nothing to move."""
    prefix, _sep, way = move.rpartition(":")
    rows = [r for r in _raw_rows(formset) if r[2]]
    rows.sort(key=lambda r: r[1])
    at = next((i for i, r in enumerate(rows) if r[0].prefix == prefix), None)
    if at is None or way not in ("up", "down"):
        return None
    other = at - 1 if way == "up" else at + 1
    if not 0 <= other < len(rows):
        return None
    data = formset.data.copy()
    for f, n, _text in rows:
        data[f.add_prefix("number")] = str(n)
    a, b = rows[at], rows[other]
    data[a[0].add_prefix("number")], data[b[0].add_prefix("number")] = str(b[1]), str(a[1])
    return data


QuestionFormSet = inlineformset_factory(
    Consultation, Question, form=QuestionForm, formset=BaseQuestionFormSet, extra=4, can_delete=True)


# the buttons of a yes/no question, and the word each puts first in the answer's text (in the
# consultation's language: the text is what the public page, moderation and the analysis read);
# a scale's button puts "4 av 5." first, a multiple-choice question's the option itself
CHOICES = ("yes", "no", "unsure")
SCALE_WORDS = {"nb": "%s av 5.", "nn": "%s av 5.", "en": "%s of 5."}
CHOICE_WORDS = {"nb": {"yes": "Ja.", "no": "Nei.", "unsure": "Vet ikke."},
                "nn": {"yes": "Ja.", "no": "Nei.", "unsure": "Vet ikke."},
                "en": {"yes": "Yes.", "no": "No.", "unsure": "Don't know."}}
# the third button's words before it was "Vet ikke": answers stored then still start with them
OLD_CHOICE_WORDS = {"old-nb": {"unsure": "Usikker."}, "old-en": {"unsure": "Not sure."}}
CHOICE_STANCE = {"yes": "for", "no": "against", "unsure": "none"}


def choice_words(language: str) -> dict[str, str]:
    return CHOICE_WORDS.get(language, CHOICE_WORDS["nb"])


def all_choice_words() -> list[dict[str, str]]:
    """Every language's button words, the current ones first, then those of older answers."""
    return [*CHOICE_WORDS.values(), *OLD_CHOICE_WORDS.values()]


def option_word(option: str) -> str:
    """A multiple-choice option as it starts the answer's text: its own words, ending a sentence."""
    option = option.strip()
    return option if option[-1:] in ".!?" else option + "."


def button_words(choice: str, kind: str = "yesno") -> list[str]:
    """Every word a pressed button of a ``kind`` question may have put first in an answer's text
    (any language, old and new)."""
    if kind == "yesno":
        return [w[choice] for w in all_choice_words() if choice in w]
    if kind == "scale":
        return [w % choice for w in SCALE_WORDS.values()]
    return [option_word(choice)] if choice.strip() else []


def split_choice(text: str, choice: str | None, kind: str = "yesno") -> str:
    """The participant's own "why" in an answer whose text starts with a button's word."""
    if choice:
        for w in button_words(choice, kind):
            if w and text.startswith(w):
                return text[len(w):].strip()
    return text


class AnswerForm(forms.Form):
    """A participant's answer: one field per question, or one free comment, or both. A yes/no
    question has buttons (``qN_choice``: Ja / Nei / Vet ikke) and an optional "why" box (``qN``);
    so have a scale (1–5) and a multiple-choice question (one button per option)."""

    name = forms.CharField(label=_("Name (optional, shown with your answer)"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail (optional, never shown)"), required=False)
    comment = forms.CharField(label=_("Your comment"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=_("Write freely about any of the questions; we find what you answer."))
    consent = forms.BooleanField(label=_("I agree that my answer (without my e-mail) may be published and analysed."),
                                 required=True)
    website = forms.CharField(label=_("Leave this field empty"), required=False)  # honeypot

    def __init__(self, *args, questions=(), language: str = "nb", **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.words = choice_words(language)
        self.scale_word = SCALE_WORDS.get(language, SCALE_WORDS["nb"])
        order = ["name", "email"]
        for q in self.questions:
            if q.has_buttons:
                label = f"{q.number}. {q.text}"
                if q.kind == "yesno":
                    buttons = [("yes", _("Yes")), ("no", _("No")), ("unsure", _("Don't know"))]
                elif q.kind == "scale":
                    buttons = [(v, v) for v in q.SCALE]
                    if q.options and len(q.options) == 2:
                        label += " " + _("(1 = %(low)s, 5 = %(high)s)") % {"low": q.options[0], "high": q.options[1]}
                else:
                    buttons = [(o, o) for o in q.options or []]
                self.fields[f"{q.qid}_choice"] = forms.ChoiceField(
                    label=label, required=False, widget=forms.RadioSelect(attrs={"class": "choice"}), choices=buttons)
                self.fields[f"{q.qid}_choice"].kind = q.kind
                self.fields[q.qid] = forms.CharField(  # described by the question (the buttons' legend)
                    label=_("Why? (optional)"), required=False, max_length=10000,
                    widget=forms.Textarea(attrs={"rows": 2, "aria-describedby": f"id_{q.qid}_choice-legend"}))
                order += [f"{q.qid}_choice", q.qid]
            else:
                self.fields[q.qid] = forms.CharField(label=f"{q.number}. {q.text}", required=False, max_length=10000,
                                                     widget=forms.Textarea(attrs={"rows": 3}))
                order.append(q.qid)
        self.order_fields(order + ["comment", "consent", "website"])

    def choice(self, q) -> str | None:
        return (self.cleaned_data.get(f"{q.qid}_choice") or None) if q.has_buttons else None

    def word(self, q, choice: str) -> str:
        """What the pressed button puts first in the answer's text."""
        if q.kind == "yesno":
            return self.words[choice]
        if q.kind == "scale":
            return self.scale_word % choice
        return option_word(choice)

    def clean(self):
        data = super().clean()
        if not any((data.get(q.qid) or "").strip() or data.get(f"{q.qid}_choice") for q in self.questions) \
                and not (data.get("comment") or "").strip():
            raise forms.ValidationError(_("Answer at least one question, or write a comment."))
        return data

    def is_bot(self) -> bool:
        return bool((self.cleaned_data.get("website") or "").strip())

    def as_text(self) -> tuple[str, dict | None, str]:
        """The comment text, the per-question spans in it (``fields``) and the free remark.
        Per-question answers are joined by blank lines and analysed as table cells are
        (``how: field``); a free comment alone is analysed like any blog comment; a free comment
        beside per-question answers is kept as a remark for the organiser, not split into questions."""
        fields, text = {}, ""
        for q in self.questions:
            answer = (self.cleaned_data.get(q.qid) or "").strip().replace("\r\n", "\n")
            choice = self.choice(q)
            if choice:  # the button's word first: "Ja." or "Ja. Fordi …", "4 av 5.", "Buss."
                answer = f"{self.word(q, choice)} {answer}".strip()
            if answer:
                if text:
                    text += "\n\n"
                fields[q.qid] = [len(text), len(text) + len(answer)]
                text += answer
        free = (self.cleaned_data.get("comment") or "").strip().replace("\r\n", "\n")
        if not fields:
            return free, None, ""
        return text, fields, free

    def choices(self) -> dict | None:
        """The buttons pressed: ``{"q1": "yes"}`` (None when none was)."""
        out = {q.qid: self.choice(q) for q in self.questions if self.choice(q)}
        return out or None


def initial_from(comment: Comment, questions) -> dict:
    data = {"name": comment.author, "email": comment.email, "consent": comment.consent}
    if comment.fields:
        chosen = comment.choices or {}
        for q in questions:
            if q.qid in comment.fields:
                s, e = comment.fields[q.qid]
                choice = chosen.get(q.qid) if q.has_buttons and chosen.get(q.qid) in q.button_values() else None
                data[q.qid] = split_choice(comment.text[s:e], choice, q.kind)
                if choice:
                    data[f"{q.qid}_choice"] = choice
        data["comment"] = comment.remark
    else:
        data["comment"] = comment.text
    return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (text, JSONL, WordPress or Disqus export, saved page, CSV, xlsx)"))
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f) for f in FORMATS], initial="auto")
    post = forms.CharField(label=_("Post (WordPress/Disqus export with several posts: id or slug)"),
                           required=False, max_length=200)

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > self.max_bytes:
            raise forms.ValidationError(_("The file is %(size)s MB; the limit is %(limit)s MB.")
                                        % {"size": round(f.size / 1024**2, 1), "limit": round(self.max_bytes / 1024**2, 1)})
        return f
